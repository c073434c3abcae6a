"""One campaign case: a fresh emulator, a fresh fault proxy, the four target files, a keyrotd.yml,
a state directory, and helpers to run keyrotd against them (optionally in a private mount namespace).

Every keyrotd run's stdout and stderr are captured in files of mode 0644, so the secret hygiene
check treats them as logs that must never hold a secret.
"""
import json, os, shutil, signal, subprocess, time

import faultkit
import targets as target_files

USER = "snowplow-operator"
RUN_TIMEOUT = 180  # seconds one keyrotd run may take before the campaign kills it and fails the case


class Run:
    """The outcome of one keyrotd invocation."""

    def __init__(self, name, returncode, elapsed, out_path, err_path):
        self.name, self.returncode, self.elapsed = name, returncode, elapsed
        self.out_path, self.err_path = out_path, err_path

    @property
    def killed(self):
        return self.returncode == -signal.SIGKILL

    def stderr_tail(self, lines=3):
        with open(self.err_path, errors="replace") as f:
            return " | ".join(f.read().strip().splitlines()[-lines:])

    def describe(self):
        how = "SIGKILL" if self.killed else f"exit {self.returncode}"
        return f"{self.name}: {how} in {self.elapsed:.1f}s"


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

    def start(self, label, argv, env=None):
        """Starts a keyrotd process (capturing its output); returns (process, Run factory)."""
        self.runs += 1
        stem = os.path.join(self.dir, f"run{self.runs}-{label}")
        out = open(stem + ".out", "wb")
        err = open(stem + ".err", "wb")
        for stream in (out, err):
            os.chmod(stream.name, 0o644)
        started = time.monotonic()
        process = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   env=self.environment(env), cwd=self.dir)

        def finish(timeout=RUN_TIMEOUT):
            try:
                code = process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                code = "timeout"
            out.close()
            err.close()
            return Run(label, code, time.monotonic() - started, out.name, err.name)
        return process, finish

    def run(self, label, argv, env=None):
        return self.start(label, argv, env)[1]()

    def rotate(self, label, force=True, env=None, wrapper=()):
        return self.run(label, [*wrapper, *self.command("rotate", force=force)], env)

    def status(self):
        """keyrotd status --json as a dict, or an error string."""
        run = self.run("status", self.command("status", "--json"))
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
