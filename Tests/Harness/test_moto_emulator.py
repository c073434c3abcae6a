"""moto-emulator, the local IAM of the tests: `up --watch PID` must not let moto outlive PID."""
import json
import pathlib
import subprocess
import time

HARNESS = str(pathlib.Path(__file__).with_name("moto-emulator"))


def alive(pid):
    """Whether pid is a live process (not gone, not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_moto_stops_once_the_watched_process_is_gone(tmp_path):
    watched = subprocess.Popen(["sleep", "120"])
    try:
        subprocess.run([HARNESS, "up", "--dir", str(tmp_path), "--watch", str(watched.pid)],
                       check=True, capture_output=True)
        moto = json.loads((tmp_path / "emulator.json").read_text())["pid"]
        time.sleep(1.5)
        assert alive(moto), "moto stopped while the watched process was still running"
        watched.kill()
        watched.wait()
        deadline = time.monotonic() + 10
        while alive(moto) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(moto), "moto outlived the watched process"
    finally:
        watched.kill()
        subprocess.run([HARNESS, "down", "--dir", str(tmp_path)], capture_output=True)
