#!/usr/bin/env python3
"""Property fuzzer of the event's JSON encoder (helpers/sender/event.c on
common/json.c, run as
`anonymous-statistics-sender json`).

Random byte strings, biased to what breaks encoders (quotes, backslashes,
control bytes, every ill-formed UTF-8 shape, U+2028/2029, noncharacters,
lengths around the 128-character cut), go through the real encoder, in
batches: many `s KEY VALUE` triples per run, KEY and VALUE both fuzzed, a
few `e KEY VAR` entries through the environment.  Each output line is
parsed by Python's json module and must give, pair by pair, the documented
cleaned form: the bytes decoded as Python does with errors="replace" (one
U+FFFD per maximal ill-formed subpart), cut to 128 characters; "unknown"
for an empty `e` value.  The line must also be byte for byte the documented
escaping (\\" \\\\ \\b \\f \\n \\r \\t by name, other C0 bytes and DEL as
\\u00xx, all else as UTF-8).

NUL is never generated: neither an argument nor an environment value can
hold one (execve takes C strings), so the encoder can never receive it.

Usage: json-property.py --encoder helpers/sender/anonymous-statistics-sender
           [--strings N] [--seed S]
Exit 0 when every string matched; 1 with the first mismatches printed.
"""
import argparse
import codecs
import json
import os
import random
import subprocess
import sys
import time

CUT = 128
BATCH_BYTES = 96 * 1024   # argv per run, well under the kernel's limit
ENV_PER_BATCH = 8


# ---- the generator ---------------------------------------------------------

def utf8(cp):
    return chr(cp).encode("utf-8", "surrogatepass")


def cont(rng):
    return bytes([rng.randint(0x80, 0xBF)])


SPECIAL_CPS = [0x2028, 0x2029, 0xFFFE, 0xFFFF, 0xFDD0, 0xFDEF, 0x1FFFE, 0x10FFFF, 0x10FFFE,
               0x85, 0x9F, 0xA0, 0xFEFF, 0xFFFD, 0x7FF, 0x800, 0xFFFF, 0x10000]


def piece(rng):
    """One fragment of a fuzzed string."""
    k = rng.randrange(20)
    if k == 0:
        return b'"'
    if k == 1:
        return b"\\"
    if k == 2:
        return bytes([rng.choice(list(range(1, 0x20)) + [0x7F])])
    if k == 3:
        return rng.choice([b"\\u0000", b"\\n", b"\\\\\"", b'"\\', b"}", b"{", b":", b","])
    if k == 4:
        return utf8(rng.choice(SPECIAL_CPS))
    if k == 5:  # any valid scalar value
        cp = rng.choice([rng.randint(0x80, 0x7FF), rng.randint(0x800, 0xFFFF),
                         rng.randint(0x10000, 0x10FFFF)])
        if 0xD800 <= cp <= 0xDFFF:
            cp = 0xFFFD
        return utf8(cp)
    if k == 6:  # stray continuation bytes
        return b"".join(cont(rng) for _ in range(rng.randint(1, 3)))
    if k == 7:  # overlong 2-byte
        return bytes([rng.choice([0xC0, 0xC1])]) + cont(rng)
    if k == 8:  # overlong 3-byte
        return bytes([0xE0, rng.randint(0x80, 0x9F)]) + cont(rng)
    if k == 9:  # overlong 4-byte
        return bytes([0xF0, rng.randint(0x80, 0x8F)]) + cont(rng) + cont(rng)
    if k == 10:  # surrogates
        return bytes([0xED, rng.randint(0xA0, 0xBF)]) + cont(rng)
    if k == 11:  # above U+10FFFF
        return bytes([0xF4, rng.randint(0x90, 0xBF)]) + cont(rng) + cont(rng)
    if k == 12:  # bytes that never start anything
        return bytes([rng.randint(0xF5, 0xFF)]) + b"".join(cont(rng) for _ in range(rng.randint(0, 3)))
    if k == 13:  # truncated sequences
        full = utf8(rng.choice([rng.randint(0x80, 0x7FF), rng.randint(0x800, 0xFFFF),
                                rng.randint(0x10000, 0x10FFFF)]))
        if len(full) == 1 or 0xD800 <= ord(full.decode("utf-8", "surrogatepass")) <= 0xDFFF:
            full = utf8(0x20AC)
        return full[:rng.randint(1, len(full) - 1)]
    if k == 14:  # any byte but NUL
        return bytes([rng.randint(1, 0xFF)])
    if k == 15:
        return b" "
    return bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=$%&'`#")
                 for _ in range(rng.randint(1, 6)))


def fuzzed(rng):
    shape = rng.randrange(10)
    if shape == 0:
        return b""
    if shape == 1:  # around the cut: 120..140 characters of one kind
        one = rng.choice([b"a", utf8(0xE9), utf8(0x20AC), utf8(0x1F600), b"\xff", b"\x01", b'"'])
        return one * rng.randint(120, 140) + piece(rng)
    n = rng.choice([1, 2, 3, 5, 8, 13, 20, 40, 80])
    return b"".join(piece(rng) for _ in range(rng.randint(1, n)))


# ---- the oracle ------------------------------------------------------------

def cleaned(raw):
    return raw.decode("utf-8", errors="replace")[:CUT]


# For the exact form, where a U+FFFD came from matters: the encoder writes
# its own replacements as \ufffd but keeps a well-formed U+FFFD as UTF-8.
# This handler marks each replacement with a lone surrogate, which no
# decoded text holds; it sees the same maximal subparts as "replace".
MARK = "\ud800"
codecs.register_error("json-property-mark", lambda e: (MARK, e.end))


def marked(raw):
    return raw.decode("utf-8", errors="json-property-mark")[:CUT]


NAMED = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escaped(text):
    out = []
    for ch in text:
        if ch in NAMED:
            out.append(NAMED[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\u%04x" % ord(ch))
        elif ch == MARK:
            out.append("\\ufffd")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def check(pairs_in, line):
    """None when the output line is right, else what is wrong."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        return "output is not UTF-8: %s" % e
    try:
        got = json.loads(text, object_pairs_hook=list)
    except ValueError as e:
        return "output is not JSON: %s" % e
    want, exact = [], []
    for kind, k, v in pairs_in:
        if kind == "e" and v == b"":
            v = b"unknown"
        want.append((cleaned(k), cleaned(v)))
        exact.append(escaped(marked(k)) + ":" + escaped(marked(v)))
        assert want[-1] == (marked(k).replace(MARK, "\ufffd"), marked(v).replace(MARK, "\ufffd"))
    if got != want:
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                return "pair %d: key %r value %r\n  got  %r\n  want %r" % (
                    i, pairs_in[i][1], pairs_in[i][2], g, w)
        return "%d pairs, want %d" % (len(got), len(want))
    exact = "{" + ",".join(exact) + "}"
    if text != exact:
        at = next((i for i, (a, b) in enumerate(zip(text, exact)) if a != b), min(len(text), len(exact)))
        return "escaping differs at %d:\n  got  %r\n  want %r" % (at, text[at - 20:at + 20], exact[at - 20:at + 20])
    return None


# ---- the runs --------------------------------------------------------------

def run_encoder(encoder, n_strings, seed, report, batch_bytes=BATCH_BYTES):
    name = os.path.basename(encoder)
    rng = random.Random("encoder-%d" % seed)
    done = runs = failures = 0
    start = time.monotonic()
    while done < n_strings and failures < 5:
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}
        args, pairs, size = [], [], 0
        while size < batch_bytes and done < n_strings:
            k, v = fuzzed(rng), fuzzed(rng)
            if len(pairs) < ENV_PER_BATCH:
                var = "FUZZ_E%d" % len(pairs)
                env[var] = v.decode("latin-1")
                args += [b"e", k, var.encode()]
                pairs.append(("e", k, v))
            else:
                args += [b"s", k, v]
                pairs.append(("s", k, v))
            size += len(k) + len(v) + 3 * 9
            done += 2
        env = {key: val.encode("latin-1") for key, val in env.items()}
        proc = subprocess.run([encoder.encode(), b"json", b"--"] + args,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        runs += 1
        lines = proc.stdout.split(b"\n")
        if proc.returncode != 0 or len(lines) != 2 or lines[1] != b"":
            report("%s: run %d: exit %d, %d lines, stderr %r" % (
                name, runs, proc.returncode, len(lines) - 1, proc.stderr[:300]))
            failures += 1
            continue
        why = check(pairs, lines[0])
        if why:
            report("%s: run %d: %s" % (name, runs, why))
            failures += 1
    return done, runs, time.monotonic() - start, failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--encoder", required=True,
                    help="the built anonymous-statistics-sender (or a program run as it)")
    ap.add_argument("--strings", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--batch-bytes", type=int, default=BATCH_BYTES)
    opts = ap.parse_args()
    done, runs, secs, failures = run_encoder(opts.encoder, opts.strings, opts.seed,
                                           lambda msg: print(msg, file=sys.stderr), opts.batch_bytes)
    print("%s: %d strings in %d runs, %.1f s, seed %d, %s" % (
        os.path.basename(opts.encoder), done, runs, secs, opts.seed,
        "%d failing runs" % failures if failures else "all match"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
