"""The fault proxy observed from a boto3 client against a real moto_server (auth on).

Run: python3 -m pytest Tests/faults -q. Without moto_server the tests skip, except when CI=true,
where a missing prerequisite is a failure.
"""
import json, os, socket, threading, time, urllib.error

import pytest

import faultkit

USER = "snowplow-operator"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    missing = faultkit.missing_prerequisite()
    if missing:
        if faultkit.in_ci():
            pytest.fail(f"CI=true and {missing}")
        pytest.skip(missing)
    base = tmp_path_factory.mktemp("faults")
    emulator = faultkit.Emulator(str(base / "emulator"))
    secrets = str(base / "secrets.jsonl")
    proxy = faultkit.Proxy(str(base / "proxy"), emulator, secrets_file=secrets)
    yield {"emulator": emulator, "proxy": proxy, "base": base, "secrets": secrets}
    proxy.down()
    emulator.down()


@pytest.fixture
def env(world):
    """A reset proxy and an IAM user holding only its original key, after every test too."""
    emulator, proxy = world["emulator"], world["proxy"]
    proxy.reset()
    yield world
    proxy.reset()
    admin = emulator.admin_iam()
    for key_id in emulator.keys():
        if key_id != emulator.user_key["id"]:
            admin.delete_access_key(UserName=USER, AccessKeyId=key_id)
    admin.update_access_key(UserName=USER, AccessKeyId=emulator.user_key["id"], Status="Active")


def iam(world, key=None, read_timeout=30):
    return faultkit.client("iam", world["proxy"].endpoint, key or world["emulator"].user_key, read_timeout)


def sts(world, key=None):
    return faultkit.client("sts", world["proxy"].endpoint, key or world["emulator"].user_key)


def error_of(call):
    """(code, HTTP status) of the ClientError a call raises."""
    from botocore.exceptions import ClientError
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]


def connection_fails(call):
    from botocore.exceptions import ConnectionError as BotoConnectionError, HTTPClientError
    with pytest.raises((BotoConnectionError, HTTPClientError)):
        call()


def list_keys(world):
    return iam(world).list_access_keys(UserName=USER)["AccessKeyMetadata"]


def settled_log(world, count):
    """The proxy's log once it holds `count` entries: the proxy records a call after the caller
    has its whole answer, so a log read straight after a response can come before the entry."""
    faultkit.wait_until(lambda: len(world["proxy"].log()) >= count, 5)
    return world["proxy"].log()


def create_key(world):
    created = iam(world).create_access_key(UserName=USER)["AccessKey"]
    return {"id": created["AccessKeyId"], "secret": created["SecretAccessKey"]}


def test_forwards_and_logs_action_key_and_status(env):
    assert [k["AccessKeyId"] for k in list_keys(env)] == [env["emulator"].user_key["id"]]
    assert sts(env).get_caller_identity()["Arn"].endswith(f":user/{USER}")
    log = settled_log(env, 2)
    assert [(e["action"], e["key_id"], e["service"], e["status"], e["fault"]) for e in log] == [
        ("ListAccessKeys", env["emulator"].user_key["id"], "iam", 200, None),
        ("GetCallerIdentity", env["emulator"].user_key["id"], "sts", 200, None)]


def test_chunked_request_bodies_are_forwarded(env):
    import http.client
    host, port = env["proxy"].endpoint.rsplit("/", 1)[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("POST", "/", body=iter([b"Action=GetCallerIdentity", b"&Version=2011-06-15"]),
                       headers={"Content-Type": "application/x-www-form-urlencoded"}, encode_chunked=True)
    answer = connection.getresponse()
    answer.read()
    assert answer.status in (403, 500)  # unsigned: moto refuses it, but it got there
    assert [(e["action"], e["status"]) for e in settled_log(env, 1)] == [("GetCallerIdentity", answer.status)]


def test_latency_delays_the_matching_action_only(env):
    env["proxy"].rule(kind="latency", action="ListAccessKeys", delay=1.5)
    started = time.monotonic()
    list_keys(env)
    assert time.monotonic() - started >= 1.5
    started = time.monotonic()
    sts(env).get_caller_identity()
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("code,status", [("ServiceFailure", 500), ("Throttling", 400), ("ServiceUnavailable", 503)])
def test_error_for_the_next_n_calls(env, code, status):
    env["proxy"].rule(kind="error", action="ListAccessKeys", code=code, count=2)
    assert error_of(lambda: list_keys(env)) == (code, status)
    assert error_of(lambda: list_keys(env)) == (code, status)
    assert len(list_keys(env)) == 1
    assert [e["status"] for e in settled_log(env, 3)] == [status, status, 200]


def test_occurrence_starts_a_rule_at_the_kth_matching_call(env):
    env["proxy"].rule(kind="error", action="ListAccessKeys", code="ServiceFailure", occurrence=2, count=1)
    list_keys(env)
    assert error_of(lambda: list_keys(env)) == ("ServiceFailure", 500)
    list_keys(env)


def test_error_for_t_seconds(env):
    env["proxy"].rule(kind="error", action="*", code="Throttling", seconds=2.0)
    assert error_of(lambda: sts(env).get_caller_identity()) == ("Throttling", 400)
    time.sleep(2.1)
    sts(env).get_caller_identity()


def test_rule_for_one_key_id_spares_other_keys(env):
    other = create_key(env)
    env["proxy"].rule(kind="error", action="*", key_id=other["id"], code="ServiceUnavailable")
    assert error_of(lambda: sts(env, other).get_caller_identity()) == ("ServiceUnavailable", 503)
    sts(env).get_caller_identity()


def test_drop_before_never_reaches_moto(env):
    env["proxy"].rule(kind="drop_before", action="CreateAccessKey", count=1)
    connection_fails(lambda: create_key(env))
    assert list(env["emulator"].keys()) == [env["emulator"].user_key["id"]]
    assert settled_log(env, 1)[-1]["status"] == "dropped"


def test_drop_after_creates_the_key_but_the_caller_never_hears(env):
    env["proxy"].rule(kind="drop_after", action="CreateAccessKey", count=1)
    connection_fails(lambda: create_key(env))
    keys = env["emulator"].keys()
    assert len(keys) == 2
    created = [k for k in keys if k != env["emulator"].user_key["id"]]
    assert settled_log(env, 1)[-1]["status"] == "dropped-after-200"
    assert env["proxy"].control("GET", "keys")[created[0]]["created_by_proxy"] is True


def test_hang_never_answers_until_reset(env):
    env["proxy"].rule(kind="hang", action="ListAccessKeys")
    slow = iam(env, read_timeout=1)
    started = time.monotonic()
    connection_fails(lambda: slow.list_access_keys(UserName=USER))
    assert time.monotonic() - started >= 1
    env["proxy"].reset()
    assert len(list_keys(env)) == 1


def signed_list_keys_request(world):
    """A ListAccessKeys request signed by botocore, to send over a raw connection."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    key = world["emulator"].user_key
    body = f"Action=ListAccessKeys&UserName={USER}&Version=2010-05-08"
    request = AWSRequest("POST", world["proxy"].endpoint + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(key["id"], key["secret"]), "iam", "us-east-1").add_auth(request)
    return body, dict(request.headers)


def raw_connection(world, timeout):
    import http.client
    host, port = world["proxy"].endpoint.rsplit("/", 1)[1].split(":")
    return http.client.HTTPConnection(host, int(port), timeout=timeout)


def test_slow_body_sends_headers_at_once_then_trickles_the_whole_body(env):
    env["proxy"].rule(kind="slow_body", action="ListAccessKeys", count=1, interval=0.1, chunk=64)
    body, headers = signed_list_keys_request(env)
    connection = raw_connection(env, timeout=10)
    started = time.monotonic()
    connection.request("POST", "/", body=body, headers=headers)
    answer = connection.getresponse()
    headers_after = time.monotonic() - started
    payload = answer.read()
    body_after = time.monotonic() - started
    length = int(answer.getheader("Content-Length"))
    assert answer.status == 200 and len(payload) == length
    assert env["emulator"].user_key["id"].encode() in payload and payload.rstrip().endswith(b">")
    ticks = -(-length // 64)
    assert headers_after < 0.1 * ticks / 2, (headers_after, ticks)
    assert body_after >= 0.1 * (ticks - 1), (body_after, ticks)
    assert settled_log(env, 1)[-1]["status"] == "slow-body-200"
    list_keys(env)  # count=1: the next call is answered at once


def test_slow_body_defeats_a_per_read_timeout_and_stops_when_the_caller_leaves(env):
    """A client whose timeout covers each read, not the whole body, is held: the bug class the
    campaign's slow-body cases look for. Once the caller hangs up, the proxy stops trickling."""
    env["proxy"].rule(kind="slow_body", action="ListAccessKeys", interval=0.3, chunk=1)
    body, headers = signed_list_keys_request(env)
    connection = raw_connection(env, timeout=1)  # per read
    started = time.monotonic()
    connection.request("POST", "/", body=body, headers=headers)
    answer = connection.getresponse()
    first = answer.read(5)  # every read returns within the timeout...
    assert len(first) == 5 and time.monotonic() - started >= 1.2  # ...but the body takes 0.3 s a byte
    connection.close()
    assert faultkit.wait_until(lambda: any(str(e["status"]).startswith(("client-gone", "slow-body-cut"))
                                           for e in env["proxy"].log()), 10)


def test_reset_cuts_a_trickling_body(env):
    import http.client
    env["proxy"].rule(kind="slow_body", action="ListAccessKeys", interval=0.5, chunk=1)
    body, headers = signed_list_keys_request(env)
    connection = raw_connection(env, timeout=10)
    connection.request("POST", "/", body=body, headers=headers)
    answer = connection.getresponse()
    env["proxy"].control("POST", "reset", {})
    started = time.monotonic()
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        answer.read()
    assert time.monotonic() - started < 3
    assert faultkit.wait_until(lambda: [e["status"] for e in env["proxy"].log()] == ["slow-body-cut-200"], 5)


def test_new_key_invisible_then_flaky_then_consistent(env):
    env["proxy"].control("POST", "consistency", {"invisible_seconds": 2.0, "flaky_seconds": 2.5, "probability": 1.0})
    fresh = create_key(env)
    assert error_of(lambda: sts(env, fresh).get_caller_identity()) == ("InvalidClientTokenId", 403)
    sts(env).get_caller_identity()  # the old key is not affected
    time.sleep(2.2)
    assert error_of(lambda: sts(env, fresh).get_caller_identity()) == ("InvalidClientTokenId", 403)
    time.sleep(2.5)
    assert sts(env, fresh).get_caller_identity()["Arn"].endswith(f":user/{USER}")
    faults = [e["fault"] for e in env["proxy"].log() if e["key_id"] == fresh["id"]]
    assert faults == ["consistency:invisible", "consistency:flaky", None]


def test_flaky_window_fails_intermittently(env):
    env["proxy"].control("POST", "consistency", {"invisible_seconds": 0, "flaky_seconds": 60, "probability": 0.5})
    fresh = create_key(env)
    from botocore.exceptions import ClientError
    outcomes = []
    for _ in range(40):
        try:
            sts(env, fresh).get_caller_identity()
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
    assert set(outcomes) == {"ok", "InvalidClientTokenId"}


def test_consistency_limited_to_one_service(env):
    env["proxy"].control("POST", "consistency", {"invisible_seconds": 30, "services": ["iam"]})
    fresh = create_key(env)
    sts(env, fresh).get_caller_identity()
    assert error_of(lambda: iam(env, fresh).list_access_keys(UserName=USER)) == ("InvalidClientTokenId", 403)


def test_reject_inactive_tracks_update_access_key(env):
    fresh = create_key(env)
    env["proxy"].control("POST", "reject-inactive", {"enabled": True})
    iam(env).update_access_key(UserName=USER, AccessKeyId=fresh["id"], Status="Inactive")
    assert error_of(lambda: sts(env, fresh).get_caller_identity()) == ("InvalidClientTokenId", 403)
    direct = faultkit.client("sts", env["emulator"].endpoint, fresh)
    direct.get_caller_identity()  # moto itself still accepts the Inactive key
    iam(env).update_access_key(UserName=USER, AccessKeyId=fresh["id"], Status="Active")
    sts(env, fresh).get_caller_identity()


def test_reject_inactive_refresh_asks_moto(env):
    fresh = create_key(env)
    env["emulator"].admin_iam().update_access_key(UserName=USER, AccessKeyId=fresh["id"], Status="Inactive")
    sts(env, fresh).get_caller_identity()  # the proxy did not see that change
    answer = env["proxy"].control("POST", "reject-inactive", {"enabled": True, "refresh": True})
    assert answer["refreshed"] == 2
    assert error_of(lambda: sts(env, fresh).get_caller_identity()) == ("InvalidClientTokenId", 403)


def test_pause_holds_the_kth_call_until_released(env):
    env["proxy"].rule(kind="pause", action="ListAccessKeys", occurrence=2)
    list_keys(env)
    results = []
    worker = threading.Thread(target=lambda: results.append(len(list_keys(env))))
    worker.start()
    paused = env["proxy"].wait_paused(10)
    assert [(p["action"], p["key_id"]) for p in paused] == [("ListAccessKeys", env["emulator"].user_key["id"])]
    time.sleep(0.3)
    assert worker.is_alive() and results == []
    env["proxy"].release(paused[0]["id"])
    worker.join(10)
    assert results == [1]
    assert env["proxy"].wait_paused(0) == []
    list_keys(env)  # the third call is not paused


def test_pause_then_drop_never_reaches_moto(env):
    env["proxy"].rule(kind="pause", action="CreateAccessKey")
    failures = []

    def attempt():
        try:
            create_key(env)
        except Exception as error:  # the dropped connection
            failures.append(type(error).__name__)
    worker = threading.Thread(target=attempt)
    worker.start()
    paused = env["proxy"].wait_paused(10)
    assert len(paused) == 1
    env["proxy"].release(then="drop")
    worker.join(10)
    assert failures and list(env["emulator"].keys()) == [env["emulator"].user_key["id"]]


def test_pause_survives_the_caller_dying_and_forwards_on_release(env):
    """What the campaign does with SIGKILL: the caller is gone, the request reaches moto later."""
    env["proxy"].rule(kind="pause", action="CreateAccessKey")
    worker = threading.Thread(target=lambda: connection_fails(
        lambda: iam(env, read_timeout=1).create_access_key(UserName=USER)))
    worker.start()
    assert len(env["proxy"].wait_paused(10)) == 1
    worker.join(10)  # the client gave up: its connection is closed
    env["proxy"].release()
    assert faultkit.wait_until(lambda: len(env["emulator"].keys()) == 2, 10)


def test_max_skew_rejects_old_signatures(env):
    env["proxy"].control("POST", "max-skew", {"seconds": 300})
    sts(env).get_caller_identity()
    import botocore.auth
    real = botocore.auth.datetime.datetime

    class Skewed(real):
        @classmethod
        def utcnow(cls):
            return real.utcnow() - botocore.auth.datetime.timedelta(minutes=20)

        @classmethod
        def now(cls, tz=None):
            return real.now(tz) - botocore.auth.datetime.timedelta(minutes=20)
    botocore.auth.datetime.datetime = Skewed
    try:
        assert error_of(lambda: sts(env).get_caller_identity()) == ("SignatureDoesNotMatch", 403)
    finally:
        botocore.auth.datetime.datetime = real


def test_control_api_is_never_forwarded(env):
    with pytest.raises(urllib.error.HTTPError) as raised:
        env["proxy"].control("GET", "no-such-route")
    assert raised.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as raised:
        env["proxy"].rule(kind="explode")
    assert raised.value.code == 400
    assert env["proxy"].log() == []


def test_no_secret_in_log_proxy_files_or_rules(env):
    fresh = create_key(env)
    sts(env, fresh).get_caller_identity()
    secrets = [env["emulator"].user_key["secret"], fresh["secret"]]
    exposed = json.dumps(env["proxy"].log()) + json.dumps(env["proxy"].control("GET", "keys"))
    proxy_dir = env["proxy"].dir
    for name in os.listdir(proxy_dir):
        with open(os.path.join(proxy_dir, name), errors="replace") as f:
            exposed += f.read()
    assert not any(secret in exposed for secret in secrets)
    assert "Signature=" not in exposed and "Authorization" not in exposed


def test_created_secrets_are_captured_only_in_a_0600_file(env):
    fresh = create_key(env)
    assert os.stat(env["secrets"]).st_mode & 0o777 == 0o600
    with open(env["secrets"]) as f:
        captured = [json.loads(line) for line in f]
    assert {"id": fresh["id"], "secret": fresh["secret"]} in captured


def test_up_writes_endpoint_and_down_stops(env, tmp_path):
    proxy = faultkit.Proxy(str(tmp_path / "p2"), env["emulator"])
    port = int(proxy.endpoint.rsplit(":", 1)[1])
    assert proxy.control("GET", "health") == {"ok": True}
    proxy.down()

    def closed():
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) != 0
    assert faultkit.wait_until(closed, 5)
