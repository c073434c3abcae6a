#!/usr/bin/env python3
"""Writes the HOCON fixtures derived from the two Snowplow samples in
Tests/CredentialFilesTests/Resources/snowplow (see SOURCES.md there): `{{name}}` template tokens
rendered as `name` (the samples are templates, not valid HOCON until rendered) and the `iam` pair
replaced by AWS's documented example keys in one quoting style per file. Run from the repository
root; the output is committed, so this only documents (and can redo) the derivation."""
import pathlib
import re

FOLDER = pathlib.Path("Tests/CredentialFilesTests/Resources/snowplow")
ENRICH = "stream-enrich-0.12.0-config.hocon.sample"
COLLECTOR = "scala-stream-collector-r66-config.hocon.sample"
KEY_ID, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ENRICH_BLOCK = "  aws {\n    accessKey = iam\n    secretKey = iam\n  }\n"
COLLECTOR_BLOCK = '      aws {\n        access-key: "iam"\n        secret-key: "iam"\n      }\n'


def rendered(name):
    text = (FOLDER / name).read_text()
    return re.sub(r"\{\{(\w+)\}\}", r"\1", text)


def derive(source, block, replacement, target, out, crlf_bom=False):
    text = rendered(source)
    assert text.count(block) == 1, (source, block)
    text = text.replace(block, replacement)
    data = text.encode()
    if crlf_bom:
        data = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    (out / target).write_bytes(data)


def main(out=FOLDER):
    derive(ENRICH, ENRICH_BLOCK, f"  aws {{\n    accessKey = {KEY_ID}\n    secretKey = {SECRET}\n  }}\n",
           "stream-enrich-0.12.0-unquoted.hocon", out)
    derive(ENRICH, ENRICH_BLOCK, f'  aws {{\n    accessKey = """{KEY_ID}"""\n    secretKey = """{SECRET}"""\n  }}\n',
           "stream-enrich-0.12.0-triple-quoted.hocon", out)
    derive(ENRICH, ENRICH_BLOCK, f'  aws.accessKey = {KEY_ID}\n  aws.secretKey: "{SECRET}"\n',
           "stream-enrich-0.12.0-dotted-crlf-bom.hocon", out, crlf_bom=True)
    derive(COLLECTOR, COLLECTOR_BLOCK, f'      aws {{\n        access-key: "{KEY_ID}"\n        secret-key: "{SECRET}"\n      }}\n',
           "scala-stream-collector-r66-quoted.hocon", out)
    derive(COLLECTOR, COLLECTOR_BLOCK,
           f'      aws {{\n        access-key: "{KEY_ID}"\n        access-key: ${{?COLLECTOR_SINK_AWS_ACCESS_KEY}}\n'
           f'        secret-key: "{SECRET}"\n        secret-key: ${{?COLLECTOR_SINK_AWS_SECRET_KEY}}\n      }}\n',
           "scala-stream-collector-r66-env-override.hocon", out)


if __name__ == "__main__":
    main()
