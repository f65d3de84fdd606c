#!/usr/bin/env python3
"""Check string fields of an anonymous-statistics payload against the rule.

Usage: check-strings.py PAYLOAD RAW [FIELD...]

PAYLOAD is the JSON the script printed or sent; RAW holds the raw bytes that
went into each FIELD (a property name, or a top-level key prefixed by "/").
The payload must be strictly valid UTF-8 JSON with no raw control byte, and
each FIELD must equal RAW cleaned by the documented string rule, computed
here independently: Python's UTF-8 decoder with errors="replace" (one U+FFFD
per maximal subpart, as docs/payload.md says), cut to 128 characters, and
"unknown" for an empty value.  With no FIELD only validity is checked.
"""
import json
import sys


def expected(raw):
    text = raw.decode("utf-8", errors="replace")[:128]
    return text or "unknown"


def main():
    payload_path, raw_path, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(payload_path, "rb") as f:
        data = f.read()
    bad = [b for b in data.rstrip(b"\n") if b < 0x20 or b == 0x7F]
    if bad:
        print(f"raw control bytes in the payload: {bad[:8]}")
        return 1
    doc = json.loads(data.decode("utf-8", errors="strict"))
    with open(raw_path, "rb") as f:
        want = expected(f.read())
    status = 0
    for field in fields:
        got = doc[field[1:]] if field.startswith("/") else doc["properties"][field]
        if got != want:
            print(f"{field}: got {got!r}\n{' ' * len(field)}  want {want!r}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
