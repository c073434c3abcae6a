# shellcheck shell=bash
# Helpers for keyrotd's end-to-end tests under a real systemd. Where PID 1 is systemd (an ordinary
# Debian machine, a VM, or the CI's second pass inside the sandbox) the tests use it; elsewhere
# (a container) they boot a throwaway one (Tests/e2e/systemd-sandbox). Source it from a test script:
#
#   . "$(dirname "$0")/lib.sh"
#   e2e_require_prerequisites
#   testdir=$(e2e_make_testdir)            # outside the checkout, /tmp and /home: the unit sees it
#   e2e_sandbox_start "$testdir"           # the sandbox (sharing testdir), or the host's systemd
#   trap e2e_sandbox_stop EXIT             # stops and removes everything this run installed
#   binary=$(e2e_install_binary .build/debug/keyrotd)   # copied as an operator would
#   e2e_install_keyrotd "$testdir" "ExecStart=$binary run --config $testdir/keyrotd.yml"
#   e2e_start "$E2E_UNIT"                  # returns once the daemon sent READY=1
#   e2e_status_text "$E2E_UNIT"
#   e2e_wait_journal 20 MESSAGE_ID=2210c75e03bd4291ae7f537120ec5592
#   e2e_stop "$E2E_UNIT"
#
# Nothing a run installs collides with another run or with a real keyrotd: the unit is
# keyrotd-e2e-<run>.service in /run/systemd/system (drop-ins beside it), the binary lives in
# /usr/local/lib/keyrotd-e2e-<run>/, the catalog in /usr/local/lib/systemd/catalog/keyrotd-e2e-<run>.catalog,
# its state directory is $E2E_STATE_DIR, the sandbox's own state /run/keyrotd-sandbox-<run>; all
# removed by e2e_sandbox_stop.
#
# Every helper prints a clear message and returns non-zero on failure. A test script exits 77 to
# say "skipped", after a line "e2e: SKIP: <reason>" (outside CI only; with CI=true a missing
# prerequisite is a failure).

E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_SANDBOX="$E2E_REPO/Tests/e2e/systemd-sandbox"
E2E_RUN_ID=${E2E_RUN_ID:-$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')}
E2E_UNIT=keyrotd-e2e-$E2E_RUN_ID.service
E2E_UNIT_DIR=/run/systemd/system
E2E_PREFIX=/usr/local/lib/keyrotd-e2e-$E2E_RUN_ID
E2E_CATALOG=/usr/local/lib/systemd/catalog/keyrotd-e2e-$E2E_RUN_ID.catalog
E2E_STATE_DIR=/var/lib/keyrotd-e2e-$E2E_RUN_ID   # the unit's StateDirectory= (never a real /var/lib/keyrotd)
E2E_STARTED=$(date +%s)
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then E2E_MODE=host; else E2E_MODE=sandbox; fi
export KEYROTD_SANDBOX_STATE=${KEYROTD_SANDBOX_STATE:-/run/keyrotd-sandbox-$E2E_RUN_ID}

e2e_log() { echo "e2e: $*" >&2; }
e2e_fail() { echo "e2e: FAIL: $*" >&2; return 1; }

# Exits 77 (skip) with the reason; with CI=true exits 1 instead.
e2e_skip() {
  if [ "${CI:-}" = true ]; then e2e_fail "$* (CI=true: a missing prerequisite is a failure)"; exit 1; fi
  e2e_log "SKIP: $*"
  exit 77
}

# Skips (exit 77) when root, systemd, nsenter (sandbox only) or python3 is missing.
e2e_require_prerequisites() {
  local missing=()
  [ "$(id -u)" = 0 ] || missing+=("root (it installs a unit and runs it under systemd)")
  [ -x /lib/systemd/systemd ] || missing+=("systemd (apt install systemd)")
  [ $E2E_MODE = host ] || command -v nsenter >/dev/null || missing+=("nsenter (util-linux)")
  command -v python3 >/dev/null || missing+=("python3")
  [ ${#missing[@]} -eq 0 ] || e2e_skip "missing prerequisites: ${missing[*]}"
}

# A fresh folder for one test's files (root-owned parent, mode 0755). Not under /tmp or /var/tmp,
# which PrivateTmp= hides from the service, nor /home (ProtectHome=), nor the checkout. Prints its path.
e2e_make_testdir() {
  install -d -m 0755 /var/lib/keyrotd-e2e
  mktemp -d "/var/lib/keyrotd-e2e/$E2E_RUN_ID.XXXXXX"
}

# Makes a systemd available: boots the sandbox with the given folders shared read-write at the same
# paths, or, where PID 1 is systemd, uses it (the folders are already there).
e2e_sandbox_start() {
  if [ $E2E_MODE = host ]; then
    e2e_log "PID 1 is systemd: testing with it (unit $E2E_UNIT)"
    return 0
  fi
  local started
  started=$(date +%s.%N)
  "$E2E_SANDBOX" start "$@" >&2 || return 1
  e2e_log "sandbox booted in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
}

# Stops the sandbox (everything in it vanishes), or on the host removes what this run installed:
# its units and drop-ins, binary, catalog, PID 1's log level, and the keyrotd user and the
# snowplow-keys group when this run created them.
e2e_sandbox_stop() {
  if [ $E2E_MODE = sandbox ]; then "$E2E_SANDBOX" stop; return; fi
  local units
  units=$(systemctl list-units --all --plain --no-legend "keyrotd-e2e-$E2E_RUN_ID*" | awk '{ print $1 }')
  # shellcheck disable=SC2086
  [ -z "$units" ] || { systemctl stop $units; systemctl reset-failed $units 2>/dev/null; }
  rm -rf "$E2E_UNIT_DIR/keyrotd-e2e-$E2E_RUN_ID"* "$E2E_PREFIX" "$E2E_STATE_DIR"
  systemctl daemon-reload
  if [ -e "$E2E_CATALOG" ]; then rm -f "$E2E_CATALOG"; journalctl --update-catalog; fi
  if [ -n "${_e2e_saved_log_level:-}" ]; then systemd-analyze log-level "$_e2e_saved_log_level"; fi
  # userdel also removes the user's own group keyrotd.
  if [ "${_e2e_created_user:-}" = yes ]; then userdel keyrotd; fi
  if [ "${_e2e_created_group:-}" = yes ]; then groupdel snowplow-keys; fi
  rm -f "/run/sysusers.d/keyrotd-e2e-$E2E_RUN_ID.conf"
  _e2e_saved_log_level="" _e2e_created_user="" _e2e_created_group=""   # a second call is harmless
  return 0
}

# Runs a command as root where the systemd under test runs (inside the sandbox, or here).
e2e_exec() {
  if [ $E2E_MODE = host ]; then "$@"; else "$E2E_SANDBOX" exec "$@"; fi
}

# e2e_put SOURCE DEST MODE: copies a file from the checkout to DEST where systemd runs.
e2e_put() {
  e2e_exec sh -euc 'mkdir -p "$(dirname "$1")"; cat >"$1.e2e-new"; chmod "$2" "$1.e2e-new"; mv "$1.e2e-new" "$1"' \
    e2e-put "$2" "$3" <"$1"
}

# Installs a keyrotd binary as an operator would (a copy, not a path into the checkout) in this
# run's own folder and prints the installed path.
e2e_install_binary() {
  e2e_put "$1" "$E2E_PREFIX/keyrotd" 0755 || return 1
  echo "$E2E_PREFIX/keyrotd"
}

# Raises PID 1's log level (e.g. debug: it then logs each sd_notify datagram); e2e_sandbox_stop
# puts the host's back.
e2e_pid1_log_level() {
  [ -n "${_e2e_saved_log_level:-}" ] || _e2e_saved_log_level=$(e2e_exec systemd-analyze log-level)
  e2e_exec systemd-analyze log-level "$1"
}

# The repository's sysusers entry (user keyrotd, group snowplow-keys) and message catalog.
e2e_install_support() {
  if [ $E2E_MODE = host ] && [ -z "${_e2e_created_user:-}" ]; then
    if getent passwd keyrotd >/dev/null; then _e2e_created_user=no; else _e2e_created_user=yes; fi
    if getent group snowplow-keys >/dev/null; then _e2e_created_group=no; else _e2e_created_group=yes; fi
  fi
  e2e_put "$E2E_REPO/systemd/keyrotd.sysusers" "/run/sysusers.d/keyrotd-e2e-$E2E_RUN_ID.conf" 0644 &&
    e2e_exec systemd-sysusers "/run/sysusers.d/keyrotd-e2e-$E2E_RUN_ID.conf" >/dev/null &&
    e2e_put "$E2E_REPO/systemd/keyrotd.catalog" "$E2E_CATALOG" 0644 &&
    e2e_exec journalctl --update-catalog
}

# Installs systemd/keyrotd.service as $E2E_UNIT with a drop-in for the test: the sysusers entry and
# catalog (e2e_install_support), the state directory $E2E_STATE_DIR (StateDirectory=, which sets
# $STATE_DIRECTORY), TESTDIR writable and owned by keyrotd, and each further argument
# as one line of the drop-in's [Service] section (e.g. an ExecStart= override, WatchdogSec=2s). An
# ExecStart= line gets the empty reset line before it.
e2e_install_keyrotd() {
  local testdir=$1; shift
  # The empty StateDirectory= also resets StateDirectoryMode= to 0755: set it again.
  local dropin="[Service]"$'\n'"ReadWritePaths=$testdir"$'\n'"StateDirectory="$'\n'"StateDirectory=${E2E_STATE_DIR#/var/lib/}"$'\n'"StateDirectoryMode=0700"$'\n'
  local line
  for line in "$@"; do
    case "$line" in ExecStart=*) dropin+="ExecStart="$'\n' ;; esac
    dropin+="$line"$'\n'
  done
  e2e_install_support || return 1
  e2e_put "$E2E_REPO/systemd/keyrotd.service" "$E2E_UNIT_DIR/$E2E_UNIT" 0644 || return 1
  e2e_exec bash -euc '
    unit_dir=$1 unit=$2 testdir=$3 dropin=$4
    mkdir -p "$unit_dir/$unit.d"
    printf "%s" "$dropin" >"$unit_dir/$unit.d/e2e.conf"
    chown -R keyrotd:snowplow-keys "$testdir"
    systemctl daemon-reload
  ' e2e "$E2E_UNIT_DIR" "$E2E_UNIT" "$testdir" "$dropin"
}

# e2e_install_unit FILE NAME [LINE...]: installs a unit file as NAME (which should start with
# keyrotd-e2e-$E2E_RUN_ID, so that e2e_sandbox_stop removes it) with optional drop-in lines for its
# [Service] section.
e2e_install_unit() {
  local file=$1 name=$2; shift 2
  local dropin="[Service]"$'\n' line
  for line in "$@"; do dropin+="$line"$'\n'; done
  e2e_put "$file" "$E2E_UNIT_DIR/$name" 0644 || return 1
  e2e_exec bash -euc '
    mkdir -p "$1/$2.d"
    printf "%s" "$3" >"$1/$2.d/e2e.conf"
    systemctl daemon-reload
  ' e2e "$E2E_UNIT_DIR" "$name" "$dropin"
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

# journalctl with JSON output, one entry per line, since this run started (a host's journal holds
# far more): e2e_journal_json -u "$E2E_UNIT" MESSAGE_ID=…
e2e_journal_json() { e2e_exec journalctl --no-pager --since="@$E2E_STARTED" -o json "$@"; }

# Every journal entry since this run started, in journalctl's export format (to search for secrets).
e2e_journal_export() { e2e_exec journalctl --no-pager --since="@$E2E_STARTED" -o export "$@"; }

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
  if e2e_journal_export -u "$unit" | grep -aFq -- "$text"; then
    e2e_fail "the journal of $unit contains text it must not"
    return 1
  fi
}
