"""Shared by the proxy's tests and the campaign: start/stop the moto emulator and the fault proxy,
talk to the proxy's control API, and build boto3 clients (no retries, short timeouts).

Secrets only come from DIR/emulator.json (0600); nothing here prints them.
"""
import json, os, shutil, subprocess, sys, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EMULATOR = os.path.join(REPO, "Tests", "Harness", "moto-emulator")
PROXY = os.path.join(HERE, "fault-proxy")


def in_ci():
    return os.environ.get("CI") == "true"


def missing_prerequisite():
    """Why the emulator cannot run here, or None."""
    if shutil.which("moto_server") is None:
        return "moto_server is not on PATH (scripts/install-deps installs moto[server])"
    try:
        import boto3  # noqa: F401
    except ImportError:
        return "python3 cannot import boto3 (it comes with moto[server])"
    return None


class Emulator:
    """moto_server with auth on, via Tests/Harness/moto-emulator, in its own directory."""

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        subprocess.run([sys.executable, EMULATOR, "up", "--dir", directory], check=True,
                       stdout=subprocess.DEVNULL, timeout=60)
        with open(os.path.join(directory, "emulator.json")) as f:
            self.info = json.load(f)

    @property
    def endpoint(self):
        return self.info["endpoint"]

    @property
    def user_key(self):
        return {"id": self.info["access_key_id"], "secret": self.info["secret_access_key"]}

    @property
    def admin_key(self):
        return self.info["admin"]

    def admin_iam(self):
        return client("iam", self.endpoint, self.admin_key)

    def keys(self):
        """The user's keys as {id: status}, seen from the outside with the admin key."""
        found = self.admin_iam().list_access_keys(UserName=self.info["user"])["AccessKeyMetadata"]
        return {k["AccessKeyId"]: k["Status"] for k in found}

    def down(self):
        subprocess.run([sys.executable, EMULATOR, "down", "--dir", self.dir], check=False)


class Proxy:
    """The fault proxy in front of an emulator, and a client of its control API."""

    def __init__(self, directory, emulator, secrets_file=None):
        self.dir = directory
        command = [sys.executable, PROXY, "up", "--dir", directory, "--upstream", emulator.endpoint,
                   "--emulator", os.path.join(emulator.dir, "emulator.json")]
        if secrets_file:
            command += ["--secrets-file", secrets_file]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=30)
        with open(os.path.join(directory, "proxy.json")) as f:
            self.info = json.load(f)

    @property
    def endpoint(self):
        return self.info["endpoint"]

    def control(self, method, route, payload=None, timeout=30):
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.info["control"] + route, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)

    def rule(self, **spec):
        return self.control("POST", "rules", spec)["id"]

    def reset(self):
        self.control("POST", "reset", {})
        self.control("DELETE", "log")

    def log(self):
        return self.control("GET", "log")

    def wait_paused(self, seconds):
        return self.control("GET", f"paused?wait={seconds}", timeout=seconds + 10)

    def release(self, pause_id=None, then="forward"):
        payload = {"then": then}
        if pause_id is not None:
            payload["id"] = pause_id
        return self.control("POST", "release", payload)

    def down(self):
        subprocess.run([sys.executable, PROXY, "down", "--dir", self.dir], check=False)


def client(service, endpoint, key, read_timeout=30):
    """A boto3 client that makes exactly one attempt per call, so faults are seen as they are."""
    import boto3
    from botocore.config import Config
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=read_timeout,
                    connect_timeout=5)
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", config=config,
                        aws_access_key_id=key["id"], aws_secret_access_key=key["secret"])


def wait_until(predicate, seconds, step=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
