#!/usr/bin/env python3
"""same_tree.py BEFORE AFTER: exits 0 when pyhocon (an independent HOCON parser) reads AFTER as the
same tree as BEFORE with only the replaced strings changed, 1 (printing the first difference, never
a value) otherwise. The replacements come as JSON on stdin, {"old text": "new text", ...}, so no
key is on the command line. Substitutions are resolved with an empty environment, as keyrotd's
check of an optional `${?VAR}` override assumes; a UTF-8 BOM is skipped (pyhocon does not)."""
import json
import os
import sys

from pyhocon import ConfigFactory


def tree(path):
    with open(path, encoding="utf-8-sig") as file:
        text = file.read()
    return ConfigFactory.parse_string(text, resolve=True).as_plain_ordered_dict()


def replaced(node, replacements):
    if isinstance(node, dict):
        return type(node)((key, replaced(value, replacements)) for key, value in node.items())
    if isinstance(node, list):
        return [replaced(value, replacements) for value in node]
    if isinstance(node, str):
        return replacements.get(node, node)
    return node


def first_difference(expected, actual, where="(root)"):
    if type(expected) is not type(actual):
        return f"{where}: {type(expected).__name__} became {type(actual).__name__}"
    if isinstance(expected, dict):
        if list(expected) != list(actual):
            return f"{where}: keys {sorted(set(expected) ^ set(actual))} differ"
        for key in expected:
            found = first_difference(expected[key], actual[key], f"{where}.{key}")
            if found:
                return found
    elif isinstance(expected, list):
        if len(expected) != len(actual):
            return f"{where}: {len(expected)} elements became {len(actual)}"
        for index, (left, right) in enumerate(zip(expected, actual)):
            found = first_difference(left, right, f"{where}[{index}]")
            if found:
                return found
    elif expected != actual:
        return f"{where}: value differs"
    return None


def main():
    before, after = sys.argv[1], sys.argv[2]
    for name in [name for name in os.environ if not name.startswith(("PATH", "PYTHON", "HOME", "LANG", "LC_"))]:
        del os.environ[name]
    difference = first_difference(replaced(tree(before), json.load(sys.stdin)), tree(after))
    if difference:
        print(f"same_tree: {after} differs from {before}: {difference}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
