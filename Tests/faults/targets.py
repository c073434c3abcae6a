"""The four kinds of file the campaign gives keyrotd to rotate, and how the campaign reads them back.

Each target knows its original bytes (holding the user's first key), its mode, its keyrotd.yml
entry, how to extract the (key id, secret) pair it holds now, and how to compare its bytes with the
original once both values are mapped back to placeholders (so only the two values may change).
"""
import configparser, json, os, re
from dataclasses import dataclass, field

ID_MARK, SECRET_MARK = "\x00KEYROTD-ID\x00", "\x00KEYROTD-SECRET\x00"

YAML_TEMPLATE = """\
# EmrEtlRunner configuration of the fault campaign (keep this comment)
:logging:
  :level: INFO # or DEBUG
:aws:
  :access_key_id: {id}
  :secret_access_key: {secret}
:s3:
  :region: eu-west-1
  :buckets:
    :log: s3://acme-snowplow-logs/emr   # trailing comment
    :raw:
      :in:
        - s3://acme-snowplow-raw/in
:emr:
  :region: eu-west-1
  :jobflow_role: EMR_EC2_DefaultRole
"""

JSON_TEMPLATE = """\
{{
  "schema": "iglu:com.snowplowanalytics.snowplow.storage/amazon_dynamodb_config/jsonschema/1-0-0",
  "data": {{
    "name": "Deduplication storage",
    "accessKeyId": "{id}",
    "secretAccessKey": "{secret}",
    "awsRegion": "eu-west-1",
    "dynamodbTable": "acme-dedupe",
    "purpose": "DUPLICATE_TRACKING"
  }}
}}
"""

CREDENTIALS_TEMPLATE = """\
[default]
region = eu-west-1

# the pipeline's profile
[snowplow]
aws_access_key_id = {id}
aws_secret_access_key = {secret}
region = eu-west-1

[other-team]
aws_access_key_id = AKIAOTHERTEAM0000001
aws_secret_access_key = notRotatedByKeyrotdJustAnotherTeamsValue01
"""

ENV_TEMPLATE = """\
# /etc/default/snowplow of the fault campaign
SNOWPLOW_ENV=production
AWS_SNOWPLOW_ACCESS_KEY={id}
AWS_SNOWPLOW_SECRET_KEY={secret}
JAVA_OPTS="-Xmx2g"
"""


class Unreadable(Exception):
    """A file that does not hold one complete pair (missing, partly written, or ambiguous)."""


def _single(pattern, text, what):
    found = re.findall(pattern, text, re.MULTILINE)
    if len(found) != 1:
        raise Unreadable(f"{len(found)} {what} values")
    return found[0]


def extract_yaml(text):
    return (_single(r"^  :access_key_id:[ \t]*['\"]?([^'\"\s#]+)", text, ":access_key_id:"),
            _single(r"^  :secret_access_key:[ \t]*['\"]?([^'\"\s#]+)", text, ":secret_access_key:"))


def extract_json(text):
    try:
        data = json.loads(text)["data"]
        return data["accessKeyId"], data["secretAccessKey"]
    except (ValueError, KeyError, TypeError) as error:
        raise Unreadable(f"not the expected JSON: {type(error).__name__}")


def extract_credentials(text):
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
        section = parser["snowplow"]
        return section["aws_access_key_id"], section["aws_secret_access_key"]
    except (configparser.Error, KeyError) as error:
        raise Unreadable(f"not the expected INI: {type(error).__name__}")


def extract_env(text):
    return (_single(r"^AWS_SNOWPLOW_ACCESS_KEY=['\"]?([^'\"\s#]+)", text, "AWS_SNOWPLOW_ACCESS_KEY"),
            _single(r"^AWS_SNOWPLOW_SECRET_KEY=['\"]?([^'\"\s#]+)", text, "AWS_SNOWPLOW_SECRET_KEY"))


@dataclass
class Target:
    name: str
    subdir: str
    filename: str
    mode: int
    template: str
    extract: object
    config_extra: dict = field(default_factory=dict)
    path: str = ""
    original: bytes = b""

    @property
    def directory(self):
        return os.path.dirname(self.path)

    def config_entry(self):
        return dict({"path": self.path, "format": self.name}, **self.config_extra)

    def read(self):
        with open(self.path, "rb") as f:
            return f.read()

    def pair(self, data=None):
        """(key id, secret) the file holds now; raises Unreadable."""
        data = self.read() if data is None else data
        try:
            return self.extract(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise Unreadable("not UTF-8")


def catalogue():
    """The four targets, unplaced (one per format, each in its own directory)."""
    return [
        Target("yaml", "snowplow", "config.yml", 0o640, YAML_TEMPLATE, extract_yaml),
        Target("json", "targets", "dynamodb.json", 0o600, JSON_TEMPLATE, extract_json),
        Target("aws-credentials", "home/.aws", "credentials", 0o600, CREDENTIALS_TEMPLATE, extract_credentials,
               {"profile": "snowplow"}),
        Target("env", "default", "snowplow", 0o640, ENV_TEMPLATE, extract_env,
               {"access_key_id_var": "AWS_SNOWPLOW_ACCESS_KEY", "secret_access_key_var": "AWS_SNOWPLOW_SECRET_KEY"}),
    ]


def place(root, key_id, secret):
    """Writes the four files under root holding the given pair; returns the placed targets."""
    placed = []
    for target in catalogue():
        target.path = os.path.join(root, target.subdir, target.filename)
        os.makedirs(target.directory, exist_ok=True)
        target.original = target.template.format(id=key_id, secret=secret).encode()
        fd = os.open(target.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, target.mode)
        with os.fdopen(fd, "wb") as f:
            f.write(target.original)
        os.chmod(target.path, target.mode)
        placed.append(target)
    return placed


def masked(data, key_id, secret):
    return data.replace(secret.encode(), SECRET_MARK.encode()).replace(key_id.encode(), ID_MARK.encode())


def same_outside_values(original, original_pair, data, pair):
    """True when data equals original except for the id and secret (both mapped to placeholders)."""
    return masked(original, *original_pair) == masked(data, *pair)
