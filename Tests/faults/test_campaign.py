"""Tests of the campaign's own machinery: the target files and their checks (no server needed), and
short campaign runs against the reference rotor (a Python model of the CLI contract), once correct
(everything passes) and once with a planted defect (the campaign must catch it).
"""
import os, subprocess, sys, types

import pytest

import faultkit, invariants, targets

OLD = ("AKIAOLDOLDOLDOLD0001", "oldSecretOldSecretOldSecretOldSecret0001")
NEW = ("AKIANEWNEWNEWNEW0002", "newSecretNewSecretNewSecretNewSecret0002")
HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture
def placed(tmp_path):
    return targets.place(str(tmp_path), *OLD)


def rewritten(target, pair):
    return target.original.replace(OLD[1].encode(), pair[1].encode()).replace(OLD[0].encode(), pair[0].encode())


def test_each_format_yields_its_pair_and_keeps_its_mode(placed):
    assert [t.name for t in placed] == ["yaml", "json", "aws-credentials", "env"]
    for target in placed:
        assert target.pair() == OLD
        assert os.stat(target.path).st_mode & 0o777 == target.mode


def test_a_clean_rewrite_differs_only_in_the_values(placed):
    for target in placed:
        data = rewritten(target, NEW)
        assert target.pair(data) == NEW
        assert targets.same_outside_values(target.original, OLD, data, NEW)


def test_any_other_byte_change_is_seen(placed):
    for target in placed:
        data = rewritten(target, NEW)
        for changed in (data[:-1] + b" \n", data.replace(b"\n", b"\r\n", 1), b"\n" + data):
            assert not targets.same_outside_values(target.original, OLD, changed, NEW)


@pytest.mark.parametrize("cut", [0.3, 0.55, 0.8])
def test_a_partly_written_file_is_not_a_complete_pair(placed, cut):
    for target in placed:
        data = rewritten(target, NEW)
        truncated = data[:int(len(data) * cut)]
        try:
            pair = target.pair(truncated)
        except targets.Unreadable:
            continue
        # a cut after both values may still parse: then the bytes after it are missing
        assert not targets.same_outside_values(target.original, OLD, truncated, pair)


def test_a_mixed_pair_is_not_the_same_key(placed):
    for target in placed:
        mixed = target.original.replace(OLD[1].encode(), NEW[1].encode())
        assert target.pair(mixed) == (OLD[0], NEW[1])


def test_secret_hygiene_flags_a_readable_file_holding_a_secret(tmp_path, placed):
    case = types.SimpleNamespace(dir=str(tmp_path), targets=placed, secrets_file=str(tmp_path / "none"),
                                 old_key={"id": OLD[0], "secret": OLD[1]})
    (tmp_path / "backup").write_bytes(b"x" + OLD[1].encode())
    os.chmod(tmp_path / "backup", 0o600)
    assert invariants.check_secret_hygiene(case) == []
    (tmp_path / "run1.err").write_text(f"error: {OLD[1]}\n")
    os.chmod(tmp_path / "run1.err", 0o644)
    assert invariants.check_secret_hygiene(case) == ["a secret in run1.err (mode 644)"]


def test_secret_hygiene_sees_encoded_secrets_and_loose_state_files(tmp_path, placed):
    state = tmp_path / "state"
    (state / "backups").mkdir(parents=True)
    os.chmod(state, 0o700)
    os.chmod(state / "backups", 0o700)
    case = types.SimpleNamespace(dir=str(tmp_path), targets=placed, secrets_file=str(tmp_path / "none"),
                                 old_key={"id": OLD[0], "secret": "abc/def+ghi"}, state_dir=str(state))
    (state / "state.json").write_text('{"secret": "abc\\/def+ghi"}')
    os.chmod(state / "state.json", 0o600)
    scanned = {}
    assert invariants.check_secret_hygiene(case, scanned) == [] and scanned == {"files": 1, "holding": 1}
    os.chmod(state / "state.json", 0o640)
    assert invariants.check_secret_hygiene(case) == ["state/state.json has mode 640, expected 600",
                                                     "a secret in state/state.json (mode 640)"]
    os.chmod(state / "state.json", 0o600)
    (state / "backups" / "b1").write_bytes(b"no secret")
    os.chmod(state / "backups" / "b1", 0o644)
    assert invariants.check_secret_hygiene(case) == ["state/backups/b1 has mode 644, expected 600"]
    (tmp_path / "run1.out").write_text("YWJjL2RlZitnaGk=")  # base64 of the secret
    os.chmod(state / "backups" / "b1", 0o600)
    assert invariants.check_secret_hygiene(case) == ["a secret in run1.out (mode 644)"]


def test_process_hygiene_sees_a_secret_in_a_childs_environment(tmp_path, placed):
    import subprocess as sp
    case = types.SimpleNamespace(dir=str(tmp_path), targets=placed, secrets_file=str(tmp_path / "none"),
                                 old_key={"id": OLD[0], "secret": OLD[1]})
    parent = sp.Popen(["sh", "-c", "sleep 30 & wait"], env={"PATH": os.environ["PATH"], "LEAK": OLD[1]},
                      start_new_session=True)
    try:
        assert faultkit.wait_until(lambda: len(invariants.process_tree(parent.pid)) == 2, 5)
        assert len(invariants.check_process_hygiene(case, parent.pid)) == 2  # the shell and its child
    finally:
        os.killpg(parent.pid, 9)
        parent.wait()
    clean = sp.Popen(["sleep", "30"], env={"PATH": os.environ["PATH"]})
    try:
        assert invariants.check_process_hygiene(case, clean.pid) == []
    finally:
        clean.kill()
        clean.wait()


def run_campaign(tmp_path, only, bug=None):
    missing = faultkit.missing_prerequisite()
    if missing:
        if faultkit.in_ci():
            pytest.fail(f"CI=true and {missing}")
        pytest.skip(missing)
    env = dict(os.environ, KEYROTD=os.path.join(HERE, "reference-rotor"))
    env.pop("REFERENCE_ROTOR_BUG", None)
    if bug:
        env["REFERENCE_ROTOR_BUG"] = bug
    done = subprocess.run([sys.executable, os.path.join(HERE, "campaign"), "--fast", "--only", only,
                           "--work", str(tmp_path / "work")], env=env, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout


def test_campaign_passes_a_correct_rotor(tmp_path):
    code, output = run_campaign(tmp_path, "rewriteFile#2")
    assert output.strip().splitlines()[-1] == "campaign: 3 passed, 0 failed", output
    assert "kill before:rewriteFile#2  pass" in output and "kill after:rewriteFile#2   pass" in output
    assert code == 0


def test_campaign_catches_a_key_deactivated_before_the_switch(tmp_path):
    code, output = run_campaign(tmp_path, "kill before:rewriteFile#1", bug="deactivate-before-switch")
    assert code == 1
    assert output.strip().splitlines()[-1] == "campaign: 1 passed, 1 failed", output
    assert "right after the kill" in output and "does not work (InvalidClientTokenId)" in output


def test_campaign_catches_an_orphan_key_left_after_a_crash(tmp_path):
    code, output = run_campaign(tmp_path, "kill after:CreateAccessKey", bug="keep-orphan")
    assert code == 1
    assert output.strip().splitlines()[-1] == "campaign: 1 passed, 1 failed", output
    assert "after recovery" in output and "that no file uses" in output


def hygiene_case(tmp_path, placed, secret=OLD[1]):
    state = tmp_path / "state"
    state.mkdir(mode=0o700, exist_ok=True)
    return types.SimpleNamespace(dir=str(tmp_path), targets=placed, secrets_file=str(tmp_path / "none"),
                                 old_key={"id": OLD[0], "secret": secret}, state_dir=str(state))


def test_strict_hygiene_allows_a_secret_only_in_the_targets_and_the_state(tmp_path, placed):
    case = hygiene_case(tmp_path, placed)
    (tmp_path / "state" / "state.json").write_text(OLD[1])
    os.chmod(tmp_path / "state" / "state.json", 0o600)
    (tmp_path / "core").write_text("x" + OLD[1])  # a core dump: 0600, so the generic rule lets it be
    os.chmod(tmp_path / "core", 0o600)
    assert invariants.check_secret_hygiene(case) == []
    case.strict_hygiene = True
    assert invariants.check_secret_hygiene(case) == ["a secret in core, outside the targets and the state"]


def test_hygiene_sees_a_secret_abbreviated_as_a_key_id_and_planted_values(tmp_path, placed):
    case = hygiene_case(tmp_path, placed)
    (tmp_path / "run1.notify").write_text(f"STATUS=key {OLD[1][:4]}\u2026{OLD[1][-4:]} is 3 days old\n")
    assert invariants.check_secret_hygiene(case) == ["a secret in run1.notify (mode 644)"]
    os.unlink(tmp_path / "run1.notify")
    planted = "PlantedSecretShapedValue0123456789abcdef"
    (tmp_path / "run2.err").write_text(f"line 4 holds {planted}\n")
    assert invariants.check_secret_hygiene(case) == []
    case.planted_secrets = {planted}
    assert invariants.check_secret_hygiene(case) == ["a secret in run2.err (mode 644)"]


def test_hygiene_never_opens_a_fifo_or_socket(tmp_path, placed):
    case = hygiene_case(tmp_path, placed)
    os.mkfifo(tmp_path / "fifo")  # opening it would block the campaign
    scanned = {}
    assert invariants.check_secret_hygiene(case, scanned) == [] and scanned == {}


def test_notify_listener_keeps_every_message_in_a_scanned_file(tmp_path):
    import socket, scenario
    listener = scenario.NotifyListener(str(tmp_path / "run1.notify"))
    try:
        sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sender.sendto(b"STATUS=starting\nREADY=1", "\0" + listener.address[1:])
        sender.sendto(b"WATCHDOG=1", "\0" + listener.address[1:])
        assert listener.wait_for(lambda m: m == "WATCHDOG=1", 5) == "WATCHDOG=1"
        assert listener.statuses() == ["starting"]
    finally:
        listener.close()
    assert (tmp_path / "run1.notify").read_text() == "STATUS=starting\nREADY=1\nWATCHDOG=1\n"
    assert os.stat(tmp_path / "run1.notify").st_mode & 0o777 == 0o644


def test_finish_stops_a_run_past_its_time_and_says_how(tmp_path):
    import scenario
    case = types.SimpleNamespace(dir=str(tmp_path), runs=0, environment=lambda extra: dict(os.environ))
    start = scenario.Case.start.__get__(case)
    _, finish = start("obeys", ["sleep", "30"])
    run = finish(0.2, stop_bound=5)
    assert run.returncode == "timeout" and run.stop[0] == "stopped" and run.stop[1] < 5
    _, finish = start("ignores", ["sh", "-c", "trap '' TERM; sleep 30"])
    run = finish(0.2, stop_bound=1)
    assert run.stop[0] == "ignored SIGTERM" and "ignored SIGTERM" in run.describe()
    _, finish = start("quick", ["sh", "-c", "exit 3"])
    run = finish(5)
    assert run.returncode == 3 and run.stop is None and run.max_rss_kb > 0


def test_a_core_dump_is_seen_in_the_wait_status(tmp_path):
    import resource, scenario
    case = types.SimpleNamespace(dir=str(tmp_path), runs=0, environment=lambda extra: dict(os.environ))
    start = scenario.Case.start.__get__(case)
    _, finish = start("abort", ["sh", "-c", "kill -ABRT $$"], cwd=str(tmp_path), core_limit=resource.RLIM_INFINITY)
    run = finish(10)
    assert run.returncode == -6
    with open("/proc/sys/kernel/core_pattern") as f:
        pattern = f.read().strip()
    if pattern.startswith("core"):  # written beside it: the kernel says so in the wait status
        assert run.dumped_core and os.listdir(tmp_path)


def test_a_hostile_case_says_what_it_lacks(monkeypatch):
    import hostile
    assert hostile.needs("no-such-tool-for-keyrotd")() == "no-such-tool-for-keyrotd is not installed"
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "needs root" in hostile.needs("sh", root=True)()
    assert hostile.needs("sh")() is None
