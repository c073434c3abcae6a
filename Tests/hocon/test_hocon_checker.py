"""Self-tests of the HOCON fixture derivation and of same_tree.py, the pyhocon-based check the
Swift HOCON tests run on every rotated fixture."""
import json
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import derive_fixtures  # noqa: E402

DERIVED = ["stream-enrich-0.12.0-unquoted.hocon", "stream-enrich-0.12.0-triple-quoted.hocon",
           "stream-enrich-0.12.0-dotted-crlf-bom.hocon", "scala-stream-collector-r66-quoted.hocon",
           "scala-stream-collector-r66-env-override.hocon"]


def same_tree(before, after, replacements):
    return subprocess.run([sys.executable, str(HERE / "same_tree.py"), str(before), str(after)],
                          input=json.dumps(replacements), text=True, capture_output=True).returncode


def test_committed_fixtures_are_what_the_derivation_writes(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    derive_fixtures.main(tmp_path)
    for name in DERIVED:
        assert (tmp_path / name).read_bytes() == (ROOT / derive_fixtures.FOLDER / name).read_bytes(), name


@pytest.mark.parametrize("name", DERIVED + ["collector-two-sinks-handwritten.hocon"])
def test_fixture_holds_the_example_key_for_pyhocon(name):
    path = ROOT / derive_fixtures.FOLDER / name
    other = {derive_fixtures.KEY_ID: "AKIANEW", derive_fixtures.SECRET: "new/secret+"}
    assert same_tree(path, path, {}) == 0
    assert same_tree(path, path, other) == 1


@pytest.mark.parametrize("before,after,expected", [
    ('a { k = "x/y", n = 8080 }', 'a { k = "z+w", n = 8080 }', 0),
    ("a { k = x/y }", 'a {\n  k = "z+w"\n}', 0),
    ('a { k = "x/y", n = 8080 }', 'a { k = "z+w", n = "8080" }', 1),
    ('a { k = "x/y" }', 'a { k = "z+w", extra = 1 }', 1),
    ('a { k = "x/y" }\na.k = ${?K}', 'a { k = "z+w" }\na.k = ${?K}', 0),
])
def test_same_tree_compares_values_and_types(tmp_path, before, after, expected):
    (tmp_path / "before").write_text(before)
    (tmp_path / "after").write_text(after)
    assert same_tree(tmp_path / "before", tmp_path / "after", {"x/y": "z+w"}) == expected
