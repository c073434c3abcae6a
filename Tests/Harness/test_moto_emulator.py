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


def test_fleet_user_may_make_exactly_the_fleet_host_calls(tmp_path):
    """--fleet: the same moto serves Secrets Manager and DynamoDB with authentication on, and the
    user may make the fleet host's calls but not create the secret or the table."""
    import boto3
    import botocore.exceptions
    import pytest
    subprocess.run([HARNESS, "up", "--dir", str(tmp_path), "--fleet"], check=True, capture_output=True)
    try:
        state = json.loads((tmp_path / "emulator.json").read_text())
        def client(service, key):
            return boto3.client(service, endpoint_url=state["endpoint"], region_name="us-east-1",
                                aws_access_key_id=key[0], aws_secret_access_key=key[1])
        admin = (state["admin"]["id"], state["admin"]["secret"])
        user = (state["access_key_id"], state["secret_access_key"])
        client("secretsmanager", admin).create_secret(Name="fleet", SecretString="{}")
        client("dynamodb", admin).create_table(
            TableName="fleet", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        assert "VersionIdsToStages" in client("secretsmanager", user).describe_secret(SecretId="fleet")
        client("dynamodb", user).put_item(TableName="fleet", Item={"pk": {"S": "lease"}})
        assert client("dynamodb", user).get_item(TableName="fleet", Key={"pk": {"S": "lease"}}, ConsistentRead=True)["Item"]
        for call in (lambda: client("secretsmanager", user).create_secret(Name="other", SecretString="{}"),
                     lambda: client("dynamodb", user).delete_table(TableName="fleet")):
            with pytest.raises(botocore.exceptions.ClientError) as refused:
                call()
            # moto answers with its XML auth error even on JSON services: botocore sees only the 403.
            assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    finally:
        subprocess.run([HARNESS, "down", "--dir", str(tmp_path)], capture_output=True)


def test_a_port_taken_before_moto_binds_it_is_replaced(tmp_path, monkeypatch):
    """free_port() hands out a port that another process can take before moto_server binds it;
    moto_server then exits at once, and `up` must start it again on another port."""
    import argparse
    import importlib.machinery
    import importlib.util
    import socket
    loader = importlib.machinery.SourceFileLoader("moto_emulator", HARNESS)
    emulator = importlib.util.module_from_spec(importlib.util.spec_from_loader("moto_emulator", loader))
    loader.exec_module(emulator)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    ports = [taken.getsockname()[1]]
    fresh = emulator.free_port
    monkeypatch.setattr(emulator, "free_port", lambda: ports.pop() if ports else fresh())
    try:
        emulator.up(argparse.Namespace(dir=str(tmp_path), user="snowplow-operator", port=None, deny=[],
                                       fleet=False, fleet_init=False, watch=None))
        endpoint = json.loads((tmp_path / "emulator.json").read_text())["endpoint"]
        assert endpoint != f"http://127.0.0.1:{taken.getsockname()[1]}"
        assert not ports, "the taken port was never tried"
    finally:
        taken.close()
        subprocess.run([HARNESS, "down", "--dir", str(tmp_path)], capture_output=True)
