#!/usr/bin/env python3
"""Check anonymous-statistics payloads: validity and the string rule.

Usage: check-strings.py DIR

DIR holds, for each check N: N.json (the JSON the script printed or sent),
N.raw (the raw bytes that went into the fields), N.fields (the fields, one a
line: a property name, or a top-level key prefixed by "/") and N.name (what
is checked, for the report).  Each payload must be strictly valid UTF-8 JSON
with no raw control byte, and each field must equal the raw bytes cleaned by
the documented string rule, computed here independently: Python's UTF-8
decoder with errors="replace" (one U+FFFD per maximal subpart, as
docs/payload.md says), cut to 128 characters, "unknown" when empty.  A check
with no fields only checks validity.  DIR/valid.jsonl, when present, holds
more payloads, one a line, that need only be valid.
"""
import json
import os
import sys


def expected(raw):
    text = raw.decode("utf-8", errors="replace")[:128]
    return text or "unknown"


def check(data, raw=b"", fields=()):
    """The list of problems with one payload (bytes)."""
    bad = [b for b in data.rstrip(b"\n") if b < 0x20 or b == 0x7F]
    if bad:
        return [f"raw control bytes in the payload: {bad[:8]}"]
    try:
        doc = json.loads(data.decode("utf-8", errors="strict"))
    except ValueError as e:
        return [f"invalid JSON: {e}: {data[:200]!r}"]
    if not isinstance(doc, dict) or not isinstance(doc.get("properties"), dict):
        return [f"not a payload object: {data[:200]!r}"]
    want = expected(raw)
    errors = []
    for field in fields:
        got = doc.get(field[1:]) if field.startswith("/") else doc["properties"].get(field)
        if got != want:
            errors.append(f"{field}: got {got!r}, want {want!r}")
    return errors


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main():
    directory = sys.argv[1]
    failed = checked = 0
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".json"):
            continue
        base = os.path.join(directory, name[:-5])
        fields = [f for f in read(base + ".fields").decode().split("\n") if f]
        errors = check(read(base + ".json"), read(base + ".raw"), fields)
        checked += 1
        if errors:
            failed += 1
            what = read(base + ".name").decode(errors="replace")
            print(f"check {name[:-5]} ({what}):")
            for e in errors:
                print("   ", e[:500])
    jsonl = os.path.join(directory, "valid.jsonl")
    if os.path.exists(jsonl):
        for n, line in enumerate(read(jsonl).splitlines(keepends=True), 1):
            errors = check(line)
            checked += 1
            if errors:
                failed += 1
                print(f"line {n} of valid.jsonl: {errors[0][:500]}")
    print(f"{checked} payloads checked, {failed} failed")
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
