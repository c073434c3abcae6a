"""The "hostile local" class of the campaign: what an attacker or a careless operator on the host can
put in keyrotd's way (issue 10), each case run against the real binary and checked from the outside.

  special files in place of a target (FIFO, socket, directory, /dev/zero through a symlink, a
  symlink loop), an oversized target, a YAML alias bomb in a target and in keyrotd.yml, swapped and
  malformed values in every format, slow response bodies on every IAM/STS call (long part), SIGHUP
  storms during a daemon rotation, ACL'd targets, a forced core dump of a daemon holding secrets.

Every refusal case runs `keyrotd check`, `keyrotd rotate --force` and the daemon (`keyrotd run` with
the campaign's own NOTIFY_SOCKET, so its STATUS text is captured and scanned) and checks: the exit
status as documented (check non-zero, a refused rotation 1, an invalid keyrotd.yml 78), each run
ends by itself within QUICK seconds (else SIGTERM, which must end it within the unit's
TimeoutStopSec), the daemon reports READY and stops within TimeoutStopSec of SIGTERM, peak RSS
within MAX_RSS_MB, no IAM change at all (no CreateAccessKey/UpdateAccessKey/DeleteAccessKey through
the proxy, moto's admin view holds only the old key, Active), every file as before, no raw control
or bidi character in any output, and the strict secret hygiene scan (invariants.py).
"""
import glob, os, random, re, resource, shutil, signal, socket, string, subprocess, threading, time

import faultkit, invariants
from scenario import alive, require, require_exit, wait_stopped

EX_OK, EX_REFUSED, EX_TEMPFAIL, EX_CONFIG = 0, 1, 75, 78
QUICK = 10            # seconds a refusal may take: it needs no IAM change (under 1 s measured)
READY_WITHIN = 15     # seconds the daemon has to report READY=1 (2 s measured under load)
MAX_RSS_MB = 256      # peak RSS of any keyrotd run (the unit's MemoryMax= is the production bound)
OVERSIZED_MB = 64     # far beyond any credentials file, small enough to write in a blink
RETRY_DEADLINE = 60   # IAMClient's RetryPolicy deadline: one call, every attempt included
UNIT = os.path.join(faultkit.REPO, "systemd", "keyrotd.service")
CONTROL_OR_BIDI = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def unit_seconds(setting, default):
    """A `NAMEs` duration from the shipped unit, so the campaign holds keyrotd to the unit's bound."""
    try:
        with open(UNIT) as f:
            found = re.search(rf"^{setting}=(\d+)s?$", f.read(), re.MULTILINE)
    except OSError:
        found = None
    return int(found.group(1)) if found else default


STOP_BOUND = unit_seconds("TimeoutStopSec", 30)


# --- checks shared by the cases ---------------------------------------------------------------
def bounded(run, what, problems, allowed):
    """A run that ended by itself within its time, with an allowed exit status and bounded memory."""
    if run.stop:
        problems.append(f"{what} did not end within its time: {run.describe()}")
    elif allowed == "non-zero":
        if run.returncode in (0, "timeout"):
            problems.append(f"{run.describe()}, expected a non-zero exit")
    elif run.returncode not in allowed:
        problems.append(f"{run.describe()}, expected exit {'/'.join(map(str, allowed))}; stderr: {run.stderr_tail()}")
    if run.max_rss_kb and run.max_rss_kb > MAX_RSS_MB * 1024:
        problems.append(f"{what} peaked at {run.max_rss_kb // 1024} MB RSS (bound {MAX_RSS_MB} MB)")


def check_no_iam_change(case):
    problems = [f"IAM changed: {[e['action'] for e in case.mutating_calls()]}"] if case.mutating_calls() else []
    keys = case.iam_keys()
    if keys != {case.old_key["id"]: "Active"}:
        problems.append(f"IAM holds {keys}, expected only the old key Active")
    return problems


def check_clean_output(case):
    """No raw control or bidi character in anything keyrotd printed or sent as STATUS."""
    problems = []
    for path in sorted(glob.glob(os.path.join(case.dir, "run*"))):
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        found = CONTROL_OR_BIDI.search(text)
        if found:
            problems.append(f"{os.path.basename(path)} holds the raw character U+{ord(found.group()):04X}")
    return problems


def daemon_probe(case, label, problems, expect_config_error=False):
    """`keyrotd run` as under systemd: READY within READY_WITHIN, then SIGUSR1 (rotate now) answered
    by a new STATUS within QUICK, `status --json` while it runs, then SIGTERM must end it (exit 0)
    within TimeoutStopSec. An invalid keyrotd.yml: exit 78 at once."""
    process, finish, listener = case.start_daemon(label)
    if expect_config_error:
        bounded(finish(QUICK, STOP_BOUND), "the daemon", problems, [EX_CONFIG])
        return
    deadline = time.monotonic() + READY_WITHIN
    while time.monotonic() < deadline and alive(process) and not listener.wait_for(lambda m: m == "READY=1", 0.2):
        pass
    if not alive(process):
        run = finish(1)
        problems.append(f"the daemon ended by itself ({run.describe()}; stderr: {run.stderr_tail()})")
        return
    if not listener.wait_for(lambda m: m == "READY=1", 0):
        problems.append(f"the daemon sent no READY=1 within {READY_WITHIN}s (STATUS: {listener.statuses()[-1:]})")
    else:  # a rotation asked of the daemon is refused the same way; its STATUS is captured too
        problems += invariants.check_process_hygiene(case, process.pid)
        before = len(listener.statuses())
        process.send_signal(signal.SIGUSR1)
        if not faultkit.wait_until(lambda: len(listener.statuses()) > before or not alive(process), QUICK, step=0.1):
            problems.append(f"the daemon sent no new STATUS within {QUICK}s of SIGUSR1")
    case.status()  # captured: the hygiene scan reads what `status --json` says while the daemon runs
    process.send_signal(signal.SIGTERM)
    run = finish(STOP_BOUND)
    if run.returncode == "timeout":
        problems.append(f"the daemon did not stop within TimeoutStopSec={STOP_BOUND}s of SIGTERM")
    elif run.returncode != EX_OK:
        problems.append(f"the daemon stopped with {run.describe()}, expected exit 0")
    if run.max_rss_kb and run.max_rss_kb > MAX_RSS_MB * 1024:
        problems.append(f"the daemon peaked at {run.max_rss_kb // 1024} MB RSS (bound {MAX_RSS_MB} MB)")


def refusal_runs(case, problems, rotate_allowed=(EX_REFUSED,), check_allowed="non-zero", config_error=False):
    """check, rotate --force and the daemon, each bounded; see the module docstring."""
    bounded(case.run("check", case.command("check"), timeout=QUICK, stop_bound=STOP_BOUND),
            "keyrotd check", problems, check_allowed)
    rotate = case.run("rotate", case.command("rotate", force=True), timeout=QUICK, stop_bound=STOP_BOUND)
    bounded(rotate, "keyrotd rotate --force", problems, rotate_allowed)
    daemon_probe(case, "daemon", problems, expect_config_error=config_error)
    return rotate


def settle_checks(case, problems, rotate):
    """After the runs: a refusal changed nothing anywhere; an accepted rotation is settled."""
    if rotate.returncode == EX_OK:
        problems += invariants.check_settled(case)
    else:
        problems += check_no_iam_change(case) + invariants.check_unchanged(case) + invariants.check_no_temp_files(case)
    problems += check_clean_output(case)


def strict(case):
    """The hostile cases hold keyrotd to the strict hygiene rule: a secret only in the targets and
    the 0600 state directory (and the campaign's own emulator and proxy files)."""
    case.strict_hygiene = True


# --- special files in place of a target --------------------------------------------------------
def make_fifo(path):
    os.mkfifo(path, 0o640)
    return lambda: None


def make_socket(path):
    directory = os.open(os.path.dirname(path), os.O_PATH)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(f"/proc/self/fd/{directory}/{os.path.basename(path)}")  # short: no 108-byte limit
    listener.listen(1)
    os.close(directory)
    return listener.close


def make_directory(path):
    os.mkdir(path, 0o750)
    return lambda: None


def make_dev_zero(path):
    os.symlink("/dev/zero", path)
    return lambda: None


def make_symlink_loop(path):
    os.symlink(path + ".loop", path)
    os.symlink(path, path + ".loop")
    return lambda: os.unlink(path + ".loop")


SPECIAL = {"FIFO": make_fifo, "socket": make_socket, "directory": make_directory,
           "/dev/zero through a symlink": make_dev_zero, "symlink loop": make_symlink_loop}


def remove_any(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def special_file(kind):
    def body(case):
        strict(case)
        target = case.target("yaml")
        os.unlink(target.path)
        cleanup = SPECIAL[kind](target.path)
        before = os.lstat(target.path)
        problems = []
        try:
            rotate = refusal_runs(case, problems)
            after = os.lstat(target.path)
            if (after.st_mode, after.st_ino) != (before.st_mode, before.st_ino):
                problems.append(f"keyrotd replaced the {kind} in place of {target.filename}")
        finally:  # a regular file again, before any check or the hygiene scan opens it
            cleanup()
            remove_any(target.path)
            with open(target.path, "wb") as f:
                f.write(target.original)
            os.chmod(target.path, target.mode)
        settle_checks(case, problems, rotate)
        require(problems, f"{kind} in place of {target.filename}")
        return f"refused: {rotate.describe()}"
    return body


def oversized(case):
    strict(case)
    target = case.target("yaml")
    padding = b"# " + b"x" * (1 << 20) + b"\n"
    with open(target.path, "ab") as f:
        for _ in range(OVERSIZED_MB):
            f.write(padding)
    with open(target.path, "rb") as f:
        target.original = f.read()
    problems = []
    rotate = refusal_runs(case, problems)
    settle_checks(case, problems, rotate)
    require(problems, f"a {OVERSIZED_MB} MB {target.filename}")
    return rotate.describe()


# --- YAML alias bombs ---------------------------------------------------------------------------
def alias_bomb(indent, levels=9):
    """A billion-laughs document fragment: `levels` anchors, each nine aliases of the previous one."""
    names = string.ascii_lowercase[:levels]
    lines = [f"{indent}- &{names[0]} [" + ", ".join(['"lol"'] * 9) + "]"]
    for previous, name in zip(names, names[1:]):
        lines.append(f"{indent}- &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def alias_bomb_in_target(case):
    """A bomb in an unrelated section of the EmrEtlRunner file: keyrotd may refuse the file or
    rotate it without expanding the bomb, but either way in bounded time and memory."""
    strict(case)
    target = case.target("yaml")
    with open(target.path, "ab") as f:
        f.write((":lols:\n" + alias_bomb("  ")).encode())
    with open(target.path, "rb") as f:
        target.original = f.read()
    problems = []
    rotate = refusal_runs(case, problems, rotate_allowed=(EX_OK, EX_REFUSED), check_allowed=(0, 1, 2, EX_CONFIG))
    settle_checks(case, problems, rotate)
    require(problems, "an alias bomb in the YAML target")
    return rotate.describe()


def alias_bomb_in_config(case):
    strict(case)
    with open(case.config, "a") as f:
        f.write("lols:\n" + alias_bomb("  "))
    problems = []
    rotate = refusal_runs(case, problems, rotate_allowed=(EX_CONFIG,), check_allowed=(EX_CONFIG,), config_error=True)
    settle_checks(case, problems, rotate)
    require(problems, "an alias bomb in keyrotd.yml")
    return rotate.describe()


# --- swapped and malformed values -----------------------------------------------------------------
def planted_secret():
    """A value shaped like a secret access key, registered with the hygiene scan: keyrotd reads it
    where a key id belongs and must never print it."""
    alphabet = string.ascii_letters + string.digits + "/+"
    return "".join(random.SystemRandom().choice(alphabet) for _ in range(40))


def values_case(kind, format_name):
    def body(case):
        strict(case)
        target = case.target(format_name)
        old_id, old_secret = case.old_key["id"], case.old_key["secret"]
        if kind == "swapped":
            key_id, secret = old_secret, old_id
        elif kind == "secret-shaped id":
            key_id, secret = planted_secret(), old_secret
            case.planted_secrets = {key_id}
        else:  # an id carrying a bidi override (U+202E): never echoed raw
            key_id, secret = "AKIA\u202eFEDCBA9876543210", old_secret
        target.original = target.template.format(id=key_id, secret=secret).encode()
        with open(target.path, "wb") as f:
            f.write(target.original)
        problems = []
        rotate = refusal_runs(case, problems)
        settle_checks(case, problems, rotate)
        require(problems, f"{kind} values in the {format_name} file")
        return f"refused: {rotate.describe()}"
    return body


# --- ACL'd targets ----------------------------------------------------------------------------------
ACL_ENTRIES = "u:4242:rw,g:4243:r"  # a named user and a named group that exist nowhere else


def getfacl(path):
    return subprocess.run(["getfacl", "--omit-header", "--numeric", "--absolute-names", path],
                          capture_output=True, text=True, check=True).stdout


def acl_case(private_users):
    """A target with a POSIX ACL naming another user and group. As root: rotated, ACL kept. Under a
    private user namespace mapping only root (what the unit's PrivateUsers=yes does), those ids are
    unmapped: keyrotd must rotate keeping the ACL, or refuse before touching IAM (no key churn)."""
    def body(case):
        strict(case)
        target = case.target("yaml")
        subprocess.run(["setfacl", "-m", ACL_ENTRIES, target.path], check=True)
        target.mode = os.stat(target.path).st_mode & 0o7777  # the group bits now show the ACL mask
        acl = getfacl(target.path)
        wrapper = ["unshare", "--user", "--map-root-user"] if private_users else []
        problems = []
        run = case.run("rotate", case.command("rotate", force=True), timeout=120, stop_bound=STOP_BOUND,
                       wrapper=wrapper)
        bounded(run, "keyrotd rotate --force", problems, (EX_OK, EX_REFUSED) if private_users else (EX_OK,))
        if run.returncode == EX_OK:
            problems += invariants.check_settled(case)
            if getfacl(target.path) != acl:
                problems.append(f"the ACL was not kept: {getfacl(target.path).split()} instead of {acl.split()}")
        else:
            problems += check_no_iam_change(case) + invariants.check_unchanged(case)
        problems += check_clean_output(case)
        require(problems, "an ACL'd target" + (" under a private user namespace" if private_users else ""))
        return run.describe()
    return body


# --- slow response bodies (long part) --------------------------------------------------------------
def slow_body(action):
    """Every answer to `action` trickles one byte a second after prompt headers. Each request has one
    deadline covering the body, so `check` and `rotate` end within the retry deadline (exit 1 or 75,
    retry later; 0 when the call is not needed to finish), and a later `rotate` settles."""
    def body(case):
        strict(case)
        case.proxy.rule(kind="slow_body", action=action, seconds=3600, interval=1, chunk=1)
        problems = []
        bound = RETRY_DEADLINE + 30
        bounded(case.run("check", case.command("check"), timeout=bound, stop_bound=STOP_BOUND),
                "keyrotd check", problems, (0, 1, EX_TEMPFAIL))
        run = case.run("rotate", case.command("rotate", force=True), timeout=bound, stop_bound=STOP_BOUND)
        bounded(run, "keyrotd rotate --force", problems, (EX_OK, EX_REFUSED, EX_TEMPFAIL))
        case.proxy.control("POST", "reset", {})
        if not run.stop:
            recover = case.run("recover", case.command("rotate"), timeout=120, stop_bound=STOP_BOUND)
            bounded(recover, "the recovering rotate", problems, (EX_OK, EX_REFUSED))
            problems += invariants.check_settled(case)
        problems += check_clean_output(case)
        require(problems, f"slow {action} bodies")
        return run.describe()
    return body


# --- the daemon: a rotation under a SIGHUP storm, and the STATUS it sends -------------------------------
def wait_ready(process, listener, problems):
    deadline = time.monotonic() + READY_WITHIN
    while time.monotonic() < deadline and alive(process):
        if listener.wait_for(lambda m: m == "READY=1", 0.2):
            return True
    problems.append(f"the daemon sent no READY=1 within {READY_WITHIN}s")
    return False


def rotated(case):
    keys = case.iam_keys()
    return len(keys) == 1 and case.old_key["id"] not in keys


def daemon_rotation(storm):
    """`keyrotd run`, READY, SIGUSR1: the rotation runs to its end (old key deleted) and the daemon
    stops within TimeoutStopSec. With storm, SIGHUP every 20 ms from before SIGUSR1 until 2 s after
    the rotation, while a competitor waits in flock(2) on the state lock: if keyrotd ever lets go of
    the lock, the competitor gets it (the issue's two concurrent rotations)."""
    def body(case):
        strict(case)
        problems = []
        process, finish, listener = case.start_daemon("daemon")
        if not wait_ready(process, listener, problems):
            finish(1, STOP_BOUND)
            require(problems, "start")
        lock = os.path.join(case.state_dir, "keyrotd.lock")
        competitor = subprocess.Popen(["flock", "--exclusive", lock, "true"]) if storm else None
        stop_storm, hups = threading.Event(), [0]

        def hup():
            while not stop_storm.wait(0.02) and alive(process):
                process.send_signal(signal.SIGHUP)
                hups[0] += 1
        thread = threading.Thread(target=hup, daemon=True)
        if storm:
            thread.start()
            time.sleep(0.2)
        process.send_signal(signal.SIGUSR1)
        problems += invariants.check_process_hygiene(case, process.pid)
        done = faultkit.wait_until(lambda: rotated(case) or not alive(process), 90, step=0.5)
        time.sleep(2 if storm else 0.5)
        stop_storm.set()
        if storm:
            thread.join(5)
        if not done or not rotated(case):
            problems.append(f"the rotation did not complete (IAM holds {case.iam_keys()})")
        if competitor is not None:
            if competitor.poll() is not None:
                problems.append(f"another process took the state lock during the storm of {hups[0]} SIGHUPs")
            else:
                competitor.kill()
            competitor.wait()
        case.status()
        if alive(process):
            process.send_signal(signal.SIGTERM)
            run = finish(STOP_BOUND)
            if run.returncode != EX_OK:
                problems.append(f"the daemon after SIGTERM: {run.describe()} (bound {STOP_BOUND}s), expected exit 0")
        else:
            run = finish(1)
            problems.append(f"the daemon ended by itself: {run.describe()}; stderr: {run.stderr_tail()}")
        if not listener.statuses():
            problems.append("the daemon sent no STATUS=")
        problems += invariants.check_settled(case) + check_clean_output(case)
        require(problems, "the daemon rotation" + (" under a SIGHUP storm" if storm else ""))
        return f"{run.describe()}" + (f", {hups[0]} SIGHUPs" if storm else f", {len(listener.statuses())} STATUS")
    return body


# --- core dumps -------------------------------------------------------------------------------------------
def dumpable_flag(pid):
    """PR_GET_DUMPABLE of another process, asked through gdb (prctl only answers for its caller)."""
    done = subprocess.run(["gdb", "-nx", "--readnever", "-batch", "-p", str(pid), "-ex", "print (int) prctl(3, 0, 0, 0, 0)"],
                          capture_output=True, text=True, timeout=60)
    found = re.search(r"^\$1 = (-?\d+)", done.stdout, re.MULTILINE)
    return int(found.group(1)) if found else None


def core_dump(case):
    """A daemon holding both secrets (stopped right after CreateAccessKey) gets SIGABRT with
    RLIMIT_CORE unlimited (core_pattern permitting, the core lands in its working directory). It
    must be non-dumpable (PR_GET_DUMPABLE 0) and leave no core; any core found is searched for the
    secrets. Then a `rotate` recovers the interrupted rotation."""
    strict(case)
    problems = []
    cores = os.path.join(case.dir, "cores")
    os.makedirs(cores, mode=0o700)
    process, finish, listener = case.start_daemon(
        "daemon", env={"SWIFT_BACKTRACE": "enable=no", "KEYROTD_DEBUG_STOP_AT": "after:CreateAccessKey#1"},
        cwd=cores, core_limit=resource.RLIM_INFINITY)
    if not wait_ready(process, listener, problems):
        finish(1, STOP_BOUND)
        require(problems, "start")
    flag = dumpable_flag(process.pid)
    if flag != 0:
        problems.append(f"the daemon is dumpable (PR_GET_DUMPABLE {flag})")
    process.send_signal(signal.SIGUSR1)
    if not wait_stopped(process, 60):
        run = finish(1, STOP_BOUND)
        require(problems + [f"the stop point after CreateAccessKey was not reached ({run.describe()})"], "core")
    process.send_signal(signal.SIGABRT)
    process.send_signal(signal.SIGCONT)
    run = finish(60)
    found = glob.glob(os.path.join(cores, "core*"))
    if run.dumped_core or found:
        forms = [form for secret in invariants.secrets_seen(case) for form in invariants.secret_forms(secret)]
        for path in found:
            with open(path, "rb") as f:
                data = f.read()
            hits = sum(data.count(form) for form in forms)
            size = len(data) >> 20
            os.unlink(path)  # large, and judged here
            problems.append(f"a core of {size} MB was written" + (f", holding a secret {hits} times" if hits else ""))
        if run.dumped_core and not found:
            problems.append("the kernel reports a core dumped (core_pattern sent it elsewhere)")
    recover = case.run("recover", case.command("rotate"), timeout=120, stop_bound=STOP_BOUND)
    require_exit(recover, [EX_OK, EX_REFUSED])
    problems += invariants.check_settled(case) + check_clean_output(case)
    require(problems, "core dump of the daemon holding secrets")
    return f"{run.describe()}, PR_GET_DUMPABLE {flag}, no core"


# --- the class ----------------------------------------------------------------------------------------------
FORMATS = ("yaml", "json", "aws-credentials", "env")


def needs(tool, root=False):
    """A prerequisite: why the case cannot run here, or None."""
    def missing():
        if root and os.geteuid() != 0:
            return "it needs root (named ACL entries, a private user namespace)"
        return None if shutil.which(tool) else f"{tool} is not installed"
    return missing


def cases():
    """(name, body, in fast mode, prerequisite: None or a function saying what is missing)."""
    found = [(f"{kind} in place of a target", special_file(kind), True, None) for kind in SPECIAL]
    found += [(f"oversized target ({OVERSIZED_MB} MB)", oversized, True, None),
              ("YAML alias bomb in a target", alias_bomb_in_target, True, None),
              ("YAML alias bomb in keyrotd.yml", alias_bomb_in_config, True, None)]
    found += [(f"{kind} values in {name}", values_case(kind, name), True, None)
              for kind in ("swapped", "secret-shaped id", "bidi id") for name in FORMATS]
    found += [("daemon rotation, STATUS captured", daemon_rotation(storm=False), True, None),
              ("SIGHUP storm during a daemon rotation", daemon_rotation(storm=True), True, None),
              ("target with an ACL", acl_case(private_users=False), True, needs("setfacl", root=True)),
              ("target with an ACL, private user namespace", acl_case(private_users=True), True,
               needs("setfacl", root=True)),
              ("core dump of a daemon holding secrets", core_dump, True, needs("gdb"))]
    found += [(f"slow {action} bodies", slow_body(action), False, None)
              for action in ("ListAccessKeys", "GetCallerIdentity", "CreateAccessKey", "UpdateAccessKey",
                             "GetAccessKeyLastUsed", "DeleteAccessKey")]
    return found
