# shellcheck shell=bash
# Helpers for keyrotd's end-to-end tests under a sandboxed systemd (Tests/e2e/systemd-sandbox).
# Source it from a test script:
#
#   . "$(dirname "$0")/lib.sh"
#   e2e_require_prerequisites
#   testdir=$(e2e_make_testdir)
#   e2e_sandbox_start "$testdir"          # the repository is always shared
#   trap e2e_sandbox_stop EXIT
#   e2e_install_keyrotd "$testdir" "ExecStart=$E2E_REPO/.build/debug/keyrotd run --config $testdir/keyrotd.yml"
#   e2e_start keyrotd.service             # returns once the daemon sent READY=1
#   e2e_status_text keyrotd.service
#   e2e_wait_journal 20 MESSAGE_ID=2210c75e03bd4291ae7f537120ec5592
#   e2e_journal_json -u keyrotd.service
#   e2e_stop keyrotd.service
#
# Every helper prints a clear message and returns non-zero on failure. A test script exits 77 to
# say "skipped" (outside CI only; with CI=true missing prerequisites are failures).

E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_SANDBOX="$E2E_REPO/Tests/e2e/systemd-sandbox"
export KEYROTD_SANDBOX_STATE=${KEYROTD_SANDBOX_STATE:-/run/keyrotd-sandbox}

e2e_log() { echo "e2e: $*" >&2; }
e2e_fail() { echo "e2e: FAIL: $*" >&2; return 1; }

# Exits 77 (skip) when root, systemd or nsenter is missing; in CI (CI=true) that is a failure.
e2e_require_prerequisites() {
  local missing=()
  [ "$(id -u)" = 0 ] || missing+=("root")
  [ -x /lib/systemd/systemd ] || missing+=("systemd (apt install systemd)")
  command -v nsenter >/dev/null || missing+=("nsenter (util-linux)")
  command -v python3 >/dev/null || missing+=("python3")
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "${CI:-}" = true ]; then e2e_fail "missing prerequisites: ${missing[*]}"; exit 1; fi
  e2e_log "SKIP: missing prerequisites: ${missing[*]}"
  exit 77
}

# A fresh folder for one test's files, under the repository's .build (shared with the sandbox,
# and not under /tmp, which PrivateTmp= would hide from the service). Prints its path.
e2e_make_testdir() {
  mkdir -p "$E2E_REPO/.build/e2e"
  mktemp -d "$E2E_REPO/.build/e2e/test.XXXXXX"
}

# Boots the sandbox with the repository and the given folders shared read-write.
e2e_sandbox_start() {
  local started
  started=$(date +%s.%N)
  "$E2E_SANDBOX" start "$E2E_REPO" "$@" >&2 || return 1
  e2e_log "sandbox booted in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
}

e2e_sandbox_stop() { "$E2E_SANDBOX" stop; }

# Runs a command inside the sandbox.
e2e_exec() { "$E2E_SANDBOX" exec "$@"; }

# Installs the repository's sysusers entry (user keyrotd, group snowplow-keys) and message catalog.
e2e_install_support() {
  e2e_exec bash -euc '
    install -m 0644 "$1/systemd/keyrotd.sysusers" /usr/lib/sysusers.d/keyrotd.conf
    systemd-sysusers >/dev/null
    install -D -m 0644 "$1/systemd/keyrotd.catalog" /usr/lib/systemd/catalog/keyrotd.catalog
    journalctl --update-catalog
  ' e2e "$E2E_REPO"
}

# Installs systemd/keyrotd.service with a drop-in for the test: the repository's sysusers entry
# (user keyrotd, group snowplow-keys) and message catalog, TESTDIR writable and owned by keyrotd,
# and each further argument as one line of the drop-in's [Service] section (e.g. an ExecStart=
# override, WatchdogSec=2s). An ExecStart= line gets the empty reset line before it.
e2e_install_keyrotd() {
  local testdir=$1; shift
  local dropin="[Service]"$'\n'"ReadWritePaths=$testdir"$'\n'
  # ProtectHome=yes would hide a repository cloned under /home.
  case "$E2E_REPO" in /home/*|/root/*) dropin+="ProtectHome=read-only"$'\n' ;; esac
  local line
  for line in "$@"; do
    case "$line" in ExecStart=*) dropin+="ExecStart="$'\n' ;; esac
    dropin+="$line"$'\n'
  done
  e2e_install_support || return 1
  e2e_exec bash -euc '
    repo=$1 testdir=$2 dropin=$3
    install -m 0644 "$repo/systemd/keyrotd.service" /etc/systemd/system/keyrotd.service
    mkdir -p /etc/systemd/system/keyrotd.service.d
    printf "%s" "$dropin" >/etc/systemd/system/keyrotd.service.d/e2e.conf
    chown -R keyrotd:snowplow-keys "$testdir"
    systemctl daemon-reload
  ' e2e "$E2E_REPO" "$testdir" "$dropin"
}

# Installs any unit file (and optional drop-in lines for its [Service] section).
e2e_install_unit() {
  local file=$1; shift
  local name dropin="[Service]"$'\n' line
  name=$(basename "$file")
  for line in "$@"; do dropin+="$line"$'\n'; done
  e2e_exec bash -euc '
    install -m 0644 "$1" "/etc/systemd/system/$2"
    mkdir -p "/etc/systemd/system/$2.d"
    printf "%s" "$3" >"/etc/systemd/system/$2.d/e2e.conf"
    systemctl daemon-reload
  ' e2e "$file" "$name" "$dropin"
}

# `systemctl start`: for Type=notify it returns after READY=1. On failure prints status and journal.
e2e_start() {
  local unit=$1
  if ! e2e_exec systemctl start "$unit"; then
    e2e_exec systemctl status --no-pager "$unit" >&2 || true
    e2e_exec journalctl -u "$unit" --no-pager -n 50 >&2 || true
    e2e_fail "systemctl start $unit failed"
    return 1
  fi
}

e2e_stop() { e2e_exec systemctl stop "$@"; }

# The value of one unit property (`systemctl show -p PROP --value`).
e2e_property() { e2e_exec systemctl show -p "$2" --value "$1"; }

e2e_status_text() { e2e_property "$1" StatusText; }

# Polls until COMMAND... succeeds, for at most SECONDS (fractional allowed).
e2e_wait_until() {
  local seconds=$1; shift
  local deadline
  deadline=$(awk -v now="$(date +%s.%N)" -v s="$seconds" 'BEGIN { printf "%.3f", now + s }')
  until "$@"; do
    if awk -v now="$(date +%s.%N)" -v d="$deadline" 'BEGIN { exit !(now > d) }'; then return 1; fi
    sleep 0.1
  done
}

_e2e_property_is() { [ "$(e2e_property "$1" "$2")" = "$3" ]; }
_e2e_status_matches() { e2e_status_text "$1" | grep -Eq -- "$2"; }

# Waits until the unit is active (running), e.g. after a restart. Default 30 s.
e2e_wait_active() {
  local unit=$1 seconds=${2:-30}
  e2e_wait_until "$seconds" _e2e_property_is "$unit" ActiveState active ||
    e2e_fail "$unit not active after ${seconds}s (state: $(e2e_property "$unit" ActiveState)/$(e2e_property "$unit" SubState))"
}

# Waits until StatusText matches the extended regex. Default 30 s.
e2e_wait_status() {
  local unit=$1 regex=$2 seconds=${3:-30}
  e2e_wait_until "$seconds" _e2e_status_matches "$unit" "$regex" ||
    e2e_fail "$unit StatusText did not match /$regex/ within ${seconds}s; it is: $(e2e_status_text "$unit")"
}

# journalctl with JSON output, one entry per line: e2e_journal_json -u keyrotd.service MESSAGE_ID=…
e2e_journal_json() { e2e_exec journalctl --no-pager -o json "$@"; }

_e2e_journal_has() { [ -n "$(e2e_journal_json "$@" -n 1)" ]; }

# Waits until the journal holds an entry matching the journalctl arguments. Default 20 s.
e2e_wait_journal() {
  local seconds=$1; shift
  e2e_wait_until "$seconds" _e2e_journal_has "$@" ||
    e2e_fail "no journal entry matching '$*' within ${seconds}s"
}

# Prints the values of FIELD in the journal entries matching the journalctl arguments, one a line.
e2e_journal_field() {
  local field=$1; shift
  e2e_journal_json "$@" | python3 -c '
import json, sys
for line in sys.stdin:
    value = json.loads(line).get(sys.argv[1])
    if value is None: continue
    for v in value if isinstance(value, list) else [value]:
        print(v if isinstance(v, str) else bytes(v).decode("utf-8", "replace"))
' "$field"
}

# Fails when any journal entry of the unit contains TEXT (e.g. a secret access key).
e2e_journal_lacks() {
  local unit=$1 text=$2
  if e2e_exec journalctl --no-pager -u "$unit" -o export | grep -aFq -- "$text"; then
    e2e_fail "the journal of $unit contains text it must not"
    return 1
  fi
}
