"""One campaign case: a fresh emulator, a fresh fault proxy, the four target files, a keyrotd.yml,
a state directory, and helpers to run keyrotd against them (optionally in a private mount namespace).

Every keyrotd run's stdout and stderr are captured in files of mode 0644, so the secret hygiene
check treats them as logs that must never hold a secret.
"""
import json, os, resource, shutil, signal, socket, subprocess, threading, time, uuid

import faultkit
import targets as target_files

USER = "snowplow-operator"
RUN_TIMEOUT = 180  # seconds one keyrotd run may take before the campaign kills it and fails the case


class Failed(Exception):
    """A case's verdict: the problems found."""


def require(problems, when):
    if problems:
        raise Failed(f"{when}: " + "; ".join(problems))


def require_exit(run, allowed):
    if run.returncode not in allowed:
        raise Failed(f"{run.describe()}, expected exit {'/'.join(map(str, allowed))}; stderr: {run.stderr_tail()}")


def wait_stopped(process, seconds):
    """True once the process is stopped (SIGSTOP), False if it ended or the time ran out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and alive(process):
        try:
            with open(f"/proc/{process.pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "T":
                    return True
        except FileNotFoundError:
            return False
        time.sleep(0.05)
    return False


def alive(process):
    """True while the process has not ended (without reaping it, so finish() still gets its rusage)."""
    if process.returncode is not None:
        return False
    try:
        return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:
        return False


class Run:
    """The outcome of one keyrotd invocation. `stop` says how a run that outlived its time ended:
    None (it ended by itself), ("stopped", seconds after SIGTERM) or ("ignored SIGTERM", seconds)."""

    def __init__(self, name, returncode, elapsed, out_path, err_path, wait_status=None, max_rss_kb=None, stop=None):
        self.name, self.returncode, self.elapsed = name, returncode, elapsed
        self.out_path, self.err_path = out_path, err_path
        self.wait_status, self.max_rss_kb, self.stop = wait_status, max_rss_kb, stop

    @property
    def killed(self):
        return self.returncode == -signal.SIGKILL

    @property
    def dumped_core(self):
        return self.wait_status is not None and os.WIFSIGNALED(self.wait_status) and os.WCOREDUMP(self.wait_status)

    def stdout(self):
        with open(self.out_path, errors="replace") as f:
            return f.read()

    def stderr_tail(self, lines=3):
        with open(self.err_path, errors="replace") as f:
            return " | ".join(f.read().strip().splitlines()[-lines:])

    def describe(self):
        how = "SIGKILL" if self.killed else f"exit {self.returncode}"
        if self.stop:
            how = f"no end by itself, {self.stop[0]} ({self.stop[1]:.1f}s after SIGTERM)"
        return f"{self.name}: {how} in {self.elapsed:.1f}s"


RSS_GUARD_KB = 1 << 20  # a run growing past 1 GB is killed: the machine is shared (the case fails anyway)


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
    except (OSError, ValueError):
        return 0


def reap(process, timeout):
    """Waits for the process with wait4 (keeping its raw status and peak RSS); None on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if rss_kb(process.pid) > RSS_GUARD_KB:
            process.kill()
        try:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        except ChildProcessError:  # reaped meanwhile by Popen.poll(): its code, without rusage
            return process.returncode, None, None
        if pid:
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            process.returncode = code
            return code, status, usage.ru_maxrss
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.02)


class NotifyListener:
    """A datagram socket standing in for systemd's NOTIFY_SOCKET (abstract, so no path length limit):
    every message keyrotd sends (READY=1, STATUS=..., WATCHDOG=1, ...) is kept in order and written
    to a 0644 file in the case directory, which the secret hygiene scan reads like any log."""

    def __init__(self, path):
        self.name = f"keyrotd-campaign-{uuid.uuid4().hex}"
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind("\0" + self.name)
        self.socket.settimeout(0.2)
        self.messages = []  # (monotonic time, "FIELD=value")
        self.changed = threading.Condition()
        self.file = open(path, "w")
        os.chmod(path, 0o644)
        self.closed = False
        self.thread = threading.Thread(target=self.receive, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return "@" + self.name

    def receive(self):
        while not self.closed:
            try:
                data = self.socket.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.changed:
                for line in data.decode("utf-8", "replace").splitlines():
                    self.messages.append((time.monotonic(), line))
                    self.file.write(line + "\n")
                self.file.flush()
                self.changed.notify_all()

    def wait_for(self, predicate, seconds):
        """The first message satisfying predicate, waiting up to seconds; None if none came."""
        deadline = time.monotonic() + seconds
        with self.changed:
            while True:
                found = next((m for _, m in self.messages if predicate(m)), None)
                if found is not None or time.monotonic() >= deadline:
                    return found
                self.changed.wait(max(0.0, deadline - time.monotonic()))

    def statuses(self):
        with self.changed:
            return [m[len("STATUS="):] for _, m in self.messages if m.startswith("STATUS=")]

    def close(self):
        if not self.closed:
            self.closed = True
            self.thread.join(2)
            self.socket.close()
            self.file.close()


class Case:
    """Everything one campaign case needs, under its own directory."""

    def __init__(self, root, name, keyrotd, propagation_timeout="30s"):
        self.name = name
        self.dir = os.path.join(root, name.replace("/", "_").replace(" ", "_").replace(":", "_").replace("#", "-"))
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.keyrotd = keyrotd
        self.runs = 0
        self.emulator = faultkit.Emulator(os.path.join(self.dir, "emulator"))
        self.secrets_file = os.path.join(self.dir, "emulator", "created-secrets.jsonl")
        self.proxy = faultkit.Proxy(os.path.join(self.dir, "proxy"), self.emulator, secrets_file=self.secrets_file)
        self.old_key = self.emulator.user_key
        self.targets = target_files.place(os.path.join(self.dir, "files"), self.old_key["id"], self.old_key["secret"])
        self.listings = {t.directory: sorted(os.listdir(t.directory)) for t in self.targets}
        self.state_dir = os.path.join(self.dir, "state")
        os.makedirs(self.state_dir, mode=0o700)
        self.config = os.path.join(self.dir, "keyrotd.yml")
        self.write_config(propagation_timeout)

    def write_config(self, propagation_timeout):
        lines = [
            f"user: {USER}",
            "max_age: 90d",
            "check_interval: 1h",
            "overlap: 0s",
            "grace: 0s",
            f"propagation_timeout: {propagation_timeout}",
            f"state_dir: {self.state_dir}",
            "aws:",
            "  region: us-east-1",
            f"  iam_endpoint: {self.proxy.endpoint}",
            f"  sts_endpoint: {self.proxy.endpoint}",
            "files:",
        ]
        for target in self.targets:
            entry = target.config_entry()
            lines.append(f"  - path: {entry.pop('path')}")
            lines += [f"    {key}: {value}" for key, value in entry.items()]
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(self.config, 0o640)

    def target(self, name):
        return next(t for t in self.targets if t.name == name)

    # --- running keyrotd ---------------------------------------------------------------------
    def environment(self, extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KEYROTD_DEBUG_"))}
        env.pop("STATE_DIRECTORY", None)
        env.update(extra or {})
        return env

    def command(self, *args, force=False):
        return [self.keyrotd, *args, *(["--force"] if force else []), "--config", self.config]

    def start(self, label, argv, env=None, cwd=None, core_limit=None):
        """Starts a keyrotd process (capturing its output); returns (process, Run factory).
        core_limit sets RLIMIT_CORE for it (the core-dump case)."""
        self.runs += 1
        stem = os.path.join(self.dir, f"run{self.runs}-{label}")
        out = open(stem + ".out", "wb")
        err = open(stem + ".err", "wb")
        for stream in (out, err):
            os.chmod(stream.name, 0o644)
        started = time.monotonic()
        limit = (lambda: resource.setrlimit(resource.RLIMIT_CORE, (core_limit, core_limit))) if core_limit else None
        process = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   env=self.environment(env), cwd=cwd or self.dir, preexec_fn=limit)

        def finish(timeout=RUN_TIMEOUT, stop_bound=None):
            """Waits up to timeout; then SIGTERM and up to stop_bound more (if given), then SIGKILL."""
            stop, ended = None, reap(process, timeout)
            if ended is None and stop_bound is not None:
                process.send_signal(signal.SIGTERM)
                asked = time.monotonic()
                ended = reap(process, stop_bound)
                stop = ("stopped" if ended else "ignored SIGTERM", time.monotonic() - asked)
            if ended is None:
                process.kill()
                reap(process, 30)
                ended = ("timeout", None, None)
            elif stop:
                ended = ("timeout",) + ended[1:]
            out.close()
            err.close()
            code, status, rss = ended
            return Run(label, code, time.monotonic() - started, out.name, err.name, status, rss, stop)
        return process, finish

    def run(self, label, argv, env=None, timeout=RUN_TIMEOUT, stop_bound=None, wrapper=()):
        return self.start(label, [*wrapper, *argv], env)[1](timeout, stop_bound)

    def start_daemon(self, label, env=None, watchdog_usec=30_000_000, **options):
        """`keyrotd run` as systemd would start it: its own NOTIFY_SOCKET (captured) and WATCHDOG_USEC.
        Returns (process, finish, listener); finish also closes the listener."""
        listener = NotifyListener(os.path.join(self.dir, f"run{self.runs + 1}-{label}.notify"))
        extra = dict(env or {}, NOTIFY_SOCKET=listener.address, WATCHDOG_USEC=str(watchdog_usec))
        process, finish = self.start(label, self.command("run"), extra, **options)

        def finish_and_close(*args, **kwargs):
            try:
                return finish(*args, **kwargs)
            finally:
                listener.close()
        return process, finish_and_close, listener

    def rotate(self, label, force=True, env=None, wrapper=()):
        return self.run(label, [*wrapper, *self.command("rotate", force=force)], env)

    def status(self):
        """keyrotd status --json as a dict, or an error string (its output is kept for the hygiene scan)."""
        run = self.run("status", self.command("status", "--json"), timeout=60, stop_bound=10)
        try:
            with open(run.out_path) as f:
                return json.load(f) if run.returncode == 0 else f"status: exit {run.returncode}"
        except ValueError:
            return "status: not JSON"

    # --- IAM ---------------------------------------------------------------------------------
    def iam_keys(self):
        return self.emulator.keys()

    def mutating_calls(self):
        return [e for e in self.proxy.log()
                if e["action"] in ("CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey")]

    def close(self):
        self.proxy.down()
        self.emulator.down()


def namespace_wrapper(setup, teardown=""):
    """argv prefix running the command in a private mount namespace after `setup` (bash),
    then `teardown`, keeping the command's exit status."""
    script = f"set -e\n{setup}\nset +e\n\"$@\"\nrc=$?\n{teardown}\nexit $rc\n"
    return ["unshare", "-m", "--propagation", "private", "bash", "-c", script, "keyrotd-ns"]


def read_only_bind(directory):
    return f"mount --bind '{directory}' '{directory}'\nmount -o remount,ro,bind '{directory}'\n"


def full_tmpfs(directory, stage, size="16k"):
    """Replaces directory by a tiny tmpfs holding the same files, then fills it to the last block."""
    return (f"mkdir -p '{stage}'\ncp -a '{directory}/.' '{stage}/'\n"
            f"mount -t tmpfs -o size={size},mode=0755 tmpfs '{directory}'\n"
            f"cp -a '{stage}/.' '{directory}/'\n"
            f"dd if=/dev/zero of='{directory}/.filler' bs=1k count=1024 2>/dev/null || true\n")


def copy_out(directory, out):
    """Teardown that keeps what keyrotd left in a namespace-only directory (files, modes, names)."""
    return f"mkdir -p '{out}'\ncp -a '{directory}/.' '{out}/'\nls -A '{directory}' > '{out}.listing'\n"
