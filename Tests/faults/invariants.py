"""The campaign's checks. Each returns a list of problems (plain words, key ids only, never a secret);
an empty list means the invariant holds.

  I1 every file holds one complete pair of the same key, Active, that works (GetCallerIdentity signed
     through the proxy with reject-inactive on, so an Inactive key fails as on real IAM);
  I3 IAM holds no key that no file uses;
  I4 no file is partly written; bytes outside the two values unchanged; mode unchanged; no temp file
     left beside the files;
  I5 a secret only in the target files and in 0600 files;
  I6 CreateAccessKey performed at most once per case (each case starts one rotation).
"""
import json, os, stat

import faultkit
from targets import Unreadable, same_outside_values


def key_works(case, pair):
    """None when the pair signs a GetCallerIdentity that the proxy and moto accept, else why not."""
    from botocore.exceptions import BotoCoreError, ClientError
    sts = faultkit.client("sts", case.proxy.endpoint, {"id": pair[0], "secret": pair[1]}, read_timeout=10)
    try:
        arn = sts.get_caller_identity()["Arn"]
    except ClientError as error:
        return error.response["Error"]["Code"]
    except BotoCoreError as error:
        return type(error).__name__
    return None if arn.endswith(f":user/{case.emulator.info['user']}") else f"belongs to {arn}"


def prepare_proxy_for_checks(case):
    """No faults, and Inactive keys refused, with statuses learned from moto itself."""
    case.proxy.control("POST", "reset", {})
    case.proxy.control("POST", "reject-inactive", {"enabled": True, "refresh": True})


def check_file(case, target, data=None, mode=None, verdicts=None):
    """I1 and I4 for one file; returns (problems, key id or None). `verdicts` remembers, within one
    check of all the files, whether a pair works, so files holding the same pair ask STS once."""
    problems = []
    try:
        data = target.read() if data is None else data
        mode = stat.S_IMODE(os.stat(target.path).st_mode) if mode is None else mode
    except FileNotFoundError:
        return [f"{target.name}: file is missing"], None
    try:
        pair = target.pair(data)
    except Unreadable as error:
        return [f"{target.name}: no complete pair ({error})"], None
    if mode != target.mode:
        problems.append(f"{target.name}: mode {mode:o}, was {target.mode:o}")
    old = (case.old_key["id"], case.old_key["secret"])
    if not same_outside_values(target.original, old, data, pair):
        problems.append(f"{target.name}: bytes outside the key id and secret changed")
    if verdicts is None or pair not in verdicts:
        why = key_works(case, pair)
        if verdicts is not None:
            verdicts[pair] = why
    why = verdicts[pair] if verdicts is not None else why
    if why:
        problems.append(f"{target.name}: its key {pair[0]} does not work ({why})")
    return problems, pair[0]


def check_files(case, skip=()):
    """I1 + I4 for every file; returns (problems, {target name: key id})."""
    prepare_proxy_for_checks(case)
    problems, held, verdicts = [], {}, {}
    for target in case.targets:
        if target.name in skip:
            continue
        found, key_id = check_file(case, target, verdicts=verdicts)
        problems += found
        held[target.name] = key_id
    return problems, held


def check_files_agree(held):
    ids = {key_id for key_id in held.values() if key_id}
    return [] if len(ids) <= 1 else [f"files disagree: {json.dumps(held, sort_keys=True)}"]


def check_iam_matches_files(case, held):
    """I3: every key in IAM is held by a file, and is Active."""
    problems = []
    used = set(held.values())
    for key_id, status in case.iam_keys().items():
        if key_id not in used:
            problems.append(f"IAM holds {key_id} ({status}) that no file uses")
        elif status != "Active":
            problems.append(f"IAM key {key_id} used by the files is {status}")
    return problems


def check_no_temp_files(case):
    problems = []
    for directory, before in case.listings.items():
        now = sorted(os.listdir(directory))
        extra = sorted(set(now) - set(before))
        if extra:
            problems.append(f"left in {os.path.relpath(directory, case.dir)}: {extra}")
    return problems


def check_idle(case):
    status = case.status()
    if isinstance(status, str):
        return [status]
    return [] if status.get("phase") == "idle" else [f"status phase is {status.get('phase')!r}, not idle"]


def check_unchanged(case, skip=()):
    """Everything as before the rotation: the files byte for byte, IAM holding only the old key, Active."""
    problems = []
    for target in case.targets:
        if target.name in skip:
            continue
        try:
            if target.read() != target.original:
                problems.append(f"{target.name}: differs from the original")
        except FileNotFoundError:
            problems.append(f"{target.name}: file is missing")
    keys = case.iam_keys()
    if keys != {case.old_key["id"]: "Active"}:
        problems.append(f"IAM holds {keys}, expected only the old key Active")
    return problems


def check_single_create(case):
    """I6: one forced rotation per case, so moto performed CreateAccessKey at most once (counting
    answers the caller never received)."""
    performed = [e for e in case.proxy.log() if e["action"] == "CreateAccessKey"
                 and str(e["status"]) in ("200", "dropped-after-200", "client-gone-200")]
    return [] if len(performed) <= 1 else [f"CreateAccessKey performed {len(performed)} times"]


def check_settled(case):
    """The end state after a rotation finished or rolled back: I1, I3, I4, I6, files agree, idle."""
    problems = check_single_create(case)
    found, held = check_files(case)
    problems += found
    problems += check_files_agree(held)
    problems += check_iam_matches_files(case, held)
    problems += check_no_temp_files(case)
    problems += check_idle(case)
    return problems


def check_after_kill(case):
    """Right after a SIGKILL: each file holds a complete pair of a working key (files may disagree
    mid-rewrite), so the pipeline never lost access."""
    return check_files(case)[0]


def secrets_seen(case):
    """The old secret, every secret CreateAccessKey returned through the proxy, and any value a case
    planted where keyrotd must treat it as secret (a secret-shaped value in place of a key id)."""
    found = {case.old_key["secret"]} | set(getattr(case, "planted_secrets", ()))
    if os.path.exists(case.secrets_file):
        with open(case.secrets_file) as f:
            found |= {json.loads(line)["secret"] for line in f if line.strip()}
    return found


def secret_forms(secret):
    """The ways a secret can be written down: as is, JSON-escaped (`/` as `\\/`), percent-encoded,
    base64 (so a state file or log that encodes it is still caught), and keyrotd's abbreviation of a
    key id (`wJal…EKEY`: a secret read as a key id would be shown so in STATUS or `check`)."""
    import base64, urllib.parse
    raw = secret.encode()
    return {raw, secret.replace("/", "\\/").encode(), urllib.parse.quote(secret, safe="").encode(),
            base64.b64encode(raw), f"{secret[:4]}\u2026{secret[-4:]}".encode()}


def allowed_holders(case):
    """Where a secret may be under the strict rule (the hostile cases): the targets, keyrotd's state
    directory, and the campaign's own emulator and proxy directories (they hold the keys it made)."""
    return [os.path.realpath(p) + os.sep for p in (getattr(case, "state_dir", ""), os.path.join(case.dir, "emulator"),
                                                   os.path.join(case.dir, "proxy")) if p]


def check_secret_hygiene(case, scanned=None):
    """I5: any file under the case directory (keyrotd's stdout/stderr captures, the STATUS text it
    sent to the campaign's NOTIFY_SOCKET, its `status --json` output, the proxy and moto logs, the
    state directory and its backups) holding a secret in any form is a target file or has mode 0600
    (or stricter); the state directory is 0700 and every file in it 0600. With case.strict_hygiene
    (the hostile cases) a secret outside the targets, the state directory and the campaign's own
    files is a problem whatever its mode (a core dump, a stray copy). `scanned` (a dict) counts the
    files read and those holding a secret, to show that the check looked."""
    forms = [form for secret in secrets_seen(case) for form in secret_forms(secret)]
    targets = {os.path.realpath(t.path) for t in case.targets}
    strict = getattr(case, "strict_hygiene", False)
    allowed = allowed_holders(case)
    problems = check_state_dir_modes(case)
    for directory, _, names in os.walk(case.dir):
        for name in names:
            path = os.path.join(directory, name)
            if not stat.S_ISREG(os.lstat(path).st_mode) or os.path.realpath(path) in targets:
                continue  # a symlink, FIFO or socket (the hostile cases) is never opened
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError as error:
                problems.append(f"{os.path.relpath(path, case.dir)} could not be scanned ({error.strerror})")
                continue
            mode = stat.S_IMODE(os.stat(path).st_mode)
            holds = any(form in data for form in forms)
            if scanned is not None:
                scanned["files"] = scanned.get("files", 0) + 1
                scanned["holding"] = scanned.get("holding", 0) + holds
            if holds and mode & 0o077:
                problems.append(f"a secret in {os.path.relpath(path, case.dir)} (mode {mode:o})")
            elif holds and strict and not any(os.path.realpath(path).startswith(a) for a in allowed):
                problems.append(f"a secret in {os.path.relpath(path, case.dir)}, outside the targets and the state")
    return problems


def check_state_dir_modes(case):
    """keyrotd's state directory is 0700; state.json, the backups and every other file in it are 0600."""
    state_dir = getattr(case, "state_dir", None)
    if not state_dir or not os.path.isdir(state_dir):
        return []
    problems = []
    for directory, _, names in os.walk(state_dir):
        mode = stat.S_IMODE(os.stat(directory).st_mode)
        if mode & 0o077:
            problems.append(f"state directory {os.path.relpath(directory, case.dir)} has mode {mode:o}")
        for name in names:
            path = os.path.join(directory, name)
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            if mode & 0o177:
                problems.append(f"{os.path.relpath(path, case.dir)} has mode {mode:o}, expected 600")
    return problems


def process_tree(pid):
    """pid and every descendant, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += children.get(current, [])
    return tree


def check_process_hygiene(case, pid):
    """I5 for a live keyrotd: no secret (in any form) in the argv or environment of it or any child."""
    secrets = [form for secret in secrets_seen(case) for form in secret_forms(secret)]
    problems = []
    for member in process_tree(pid):
        for part in ("cmdline", "environ"):
            try:
                with open(f"/proc/{member}/{part}", "rb") as f:
                    data = f.read()
            except OSError:
                continue
            if any(secret in data for secret in secrets):
                problems.append(f"a secret in the {part} of process {member}")
    return problems
