#!/usr/bin/env python3
"""Write the libFuzzer seed corpora under tests/fuzz/corpus/TARGET/.

Most seeds are the sysinfo fixture files (tests/sysinfo/fixtures), in the
input format of each target (see the comment at the top of each target's
source); the rest are the hostile shapes typed below.  Identical seeds are
written once.  Run it from anywhere, after tests/sysinfo/make-fixtures.py:
    python3 tests/fuzz/make-corpus.py
It rewrites the corpus directory; commit the result.
"""
import glob
import hashlib
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
FIXTURES = os.path.join(HERE, "..", "sysinfo", "fixtures")

CORPUS = {}


def add(target, name, data):
    seeds = CORPUS.setdefault(target, {})
    if data not in seeds.values():
        seeds[name] = data


def fixture_files(*paths):
    """(fixture name, content) of each fixture file at one of the paths."""
    for path in paths:
        for f in sorted(glob.glob(os.path.join(FIXTURES, "*", path))):
            name = os.path.relpath(f, FIXTURES).split(os.sep)[0]
            with open(f, "rb") as fh:
                yield name, fh.read()


def read(fixture, path):
    f = os.path.join(FIXTURES, fixture, path)
    if not os.path.isfile(f):
        return b""
    with open(f, "rb") as fh:
        return fh.read()


# Ill-formed UTF-8 of every kind, controls, the line and paragraph
# separators, noncharacters, quotes and backslashes.
HOSTILE = [
    b"\x80", b"\xbf\x80", b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xe0\x9f\xbf",
    b"\xf0\x80\x80\xaf", b"\xf0\x8f\xbf\xbf", b"\xed\xa0\x80", b"\xed\xbf\xbf",
    b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xfe", b"\xff", b"\xe2\x82", b"\xf0\x9f\x98",
    b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xef\xbf\xbe", b"\xef\xbf\xbf", b"\xef\xb7\x90",
    b"\xc2\x85", b"\x7f", b"\x00", b"\x1b[31m", b"\"\\\\'`$", b"\t \r\n",
]


def text_seeds():
    add("text", "ascii", b"Debian GNU/Linux 12 (bookworm)")
    add("text", "accents", "Ubuntu Noble Numbat ÄÖÜ 你好 😀".encode())
    add("text", "hostile", b" x ".join(HOSTILE))
    add("text", "long", ("é" * 200).encode() + b" tail")
    for i, h in enumerate(HOSTILE):
        add("text", "shape-%02d" % i, b"a" + h + b"b")


def json_seeds():
    """The JSON string writer: every shape of the string rule, each with the
    event's options (none, a cut at 129) and the dashboard's (both, no cut);
    the first byte is the options and the cut (fuzz-parser.c)."""
    shapes = {
        "plain": b"Debian GNU/Linux 12 (bookworm)",
        "escapes": b'q" b\\ n\n r\r t\t b\b f\f c\x01 d\x7f z\x00',
        "utf8": "\u00e9 \u20ac \U0001f600 \u2028 \u2029 \u0085 \ufffd \uffff <a&b>".encode(),
        "cut": b"x" * 127 + "\u00e9".encode() + b"yz",
        "long": ("\u20ac" * 140).encode(),
    }
    for i, h in enumerate(HOSTILE):
        shapes["shape-%02d" % i] = b"a" + h + b"b"
    for name, data in shapes.items():
        add("json", name + "-event", bytes([43 << 2]) + data)
        add("json", name + "-dashboard", bytes([3]) + data)


def logline_seeds():
    """The log's reader: a log as the sender writes it, and lines it must
    refuse (the shapes of tests/common/unit-logline.c)."""
    good = b"".join(b"17000000%02d 200 {\"event\":\"START\",\"properties\":{\"n\":%d}}\n" % (i, i)
                    for i in range(5))
    add("logline", "log", good)
    add("logline", "mixed", good + b"\n1 200 {}\nx 200 {\"event\":\"A\"}\n1 600 {\"event\":\"A\"}\n"
        b"1 200 {\"event\":\"A\",\"s\":\"\xff\"}\n1 200 {\"event\":\"A\",\"s\":\"\xc2\x85\"} \r\n"
        b"1 200 {\"a\":[1,-2.5e3,true,null,{}],\"event\":\"FATAL\"}\n1 200 {\"event\":\"T\"")
    add("logline", "deep", b"1 200 {\"event\":\"D\",\"x\":" + b"[" * 70 + b"]" * 70 + b"}\n")


def os_seeds():
    for name, data in fixture_files("etc/os-release", "usr/lib/os-release",
                                    "run/host/os-release", "host/etc/os-release"):
        add("osrelease", name, data)
    add("osrelease", "syntax",
        b"NAME='single'\nID=\"dq \\\" \\$ \\` \\\\ \\x\"\n ID_LIKE = a\\ b # c\n"
        b"VERSION=\"open\nVERSION_ID=1\r\nBAD-KEY=x\rNAME=\"" + b"".join(HOSTILE[:12]) + b"\"\n")
    for name, data in fixture_files("etc/lsb-release"):
        add("lsbrelease", name, data)
    add("lsbrelease", "syntax", b"DISTRIB_ID=\"MiXeD \xc3\x84\"\nDISTRIB_RELEASE='22.04'\n"
        b"DISTRIB_ID=\nDISTRIB_RELEASE=\xff\xfe\n")


def proc_seeds():
    for name, data in fixture_files("proc/1/environ"):
        add("environ", name, data)
    add("environ", "edges", b"container=\0KUBERNETES_SERVICE_HOST\0=x\0"
        b"KUBERNETES_SERVICE_PORT=443=1\0container=docker")
    for name, data in fixture_files("proc/cpuinfo", "proc/sysinfo", "proc/self/status"):
        add("cpuinfo", name, data)
    add("cpuinfo", "edges", b"vendor_id\t: \t\n: x\nTracerPid:\nVM00 Control Program:  z/VM  7.2\n"
        b"vendor_idx : no\nvendor_id")


def state_seeds():
    log = b"".join(b"17000000%02d 200 {\"event\":\"START\"}\n" % i for i in range(12))
    for keep in (0, 1, 5, 99, 255):
        add("lastlines", "log-keep-%d" % keep, bytes([keep]) + log)
    add("lastlines", "torn", b"\x02a\nb\nc")
    add("lastlines", "newlines", b"\x03\n\n\n\n\n")
    # fuzz-state: MODE ARG \n PAYLOAD \n OLD, at the target's clock NOW.
    now = 1700000000
    records = b"".join(b"%d sig.%d: x-y\n" % (now - 3000 * i, i) for i in range(60))
    records += b"%d old\n%d future\n-5 neg\n+%d plus\nbad\n%d torn" % (
        now - 86400, now + 1, now - 5, now)
    for mode, name in enumerate(("claim", "release", "check")):
        add("state", name + "-new", bytes([mode]) + b"sig.new\n\n" + records)
        add("state", name + "-known", bytes([mode]) + b"sig.7: x-y\n\n" + records)
    add("state", "claim-bad-sig", b"\x00sig\tnew\n\n" + records)
    log = b"".join(b"%d 200 {\"n\":%d}\n" % (now - i, i) for i in range(120))
    add("state", "log", b"\x03200\n{\"event\":\"START\"}\n" + log)
    add("state", "log-torn", b"\x03500\n{}\n" + log + b"torn")
    full = b"".join(b"%d 200 {}\n" % i for i in range(200))
    add("state", "log-full", b"\x03200\n{\"event\":\"START\"}\n" + full)
    add("state", "log-almost-full", b"\x03200\n{\"event\":\"START\"}\n" + full[full.index(b"\n") + 1:])
    add("state", "log-bad-payload", b"\x03200\n{\"a\":\x00}\n" + log[:200])
    add("state", "log-bad-status", b"\x03600\n{}\n")


DMI_FILES = ["product_name", "sys_vendor", "board_vendor", "bios_vendor", "product_version"]


def dmi_seeds():
    for fixture in sorted(os.listdir(FIXTURES)):
        if not os.path.isdir(os.path.join(FIXTURES, fixture)):
            continue
        pieces = [read(fixture, "sys/class/dmi/id/" + f) for f in DMI_FILES]
        pieces.append(read(fixture, "sys/firmware/dmi/entries/0-0/raw"))
        if any(pieces):
            add("dmi", fixture, b"\x1e".join(pieces))
    vm_bit = bytes([0, 24] + [0] * 17 + [0x10] + [0] * 4)
    add("dmi", "metal-names", b"m5.metal\r\x1eAmazon EC2\x1e\x1e\x1e\x1e")
    add("dmi", "vm-bit", b"\x1e\x1e\x1e\x1e\x1e" + vm_bit)
    add("dmi", "short-raw", b"\x1eAmazon EC2\x1e\x1e\x1e\x1e" + vm_bit[:19])


# Trees (see fuzz-rootfs.c): every way out of a root a link could try.
ROOTFS = {
    "escapes": b"""d etc
d usr
d usr/lib
f usr/lib/os-release
l etc/os-release ../usr/lib/os-release
l etc/up ../../../../etc
l etc/abs /usr/lib
l etc/dotdot ..
r /etc/os-release
n /etc/os-release
r /etc/up/os-release
r /etc/abs/os-release
r etc/dotdot/etc/dotdot/usr
r /../../usr/lib/./os-release
n /etc/up
""",
    "loops": b"""d a
l a/self self
l a/ping pong
l a/pong ping
l a/deep /a/deep2
l a/deep2 /a/self
r /a/self
n /a/self
r /a/ping/x
r /a/deep
""",
    "slashes": b"""d d
f d/file
l d/tofile file
l d/todir /d/
l d/dangling nowhere
r d/file/
n d/tofile/
n d/todir
r d/todir/file
r d//file
r d/dangling
n d/dangling
r d/file/..
r /
r
""",
}


def rootfs_seeds():
    for name, data in ROOTFS.items():
        add("rootfs", name, data)
    for f in sorted(glob.glob(os.path.join(FIXTURES, "*.links"))):
        lines = [b"d etc", b"d usr", b"d usr/lib", b"f usr/lib/os-release"]
        with open(f, "rb") as fh:
            for link in fh.read().splitlines():
                path, _, target = link.partition(b" ")
                lines += [b"l " + path + b" " + target, b"r /" + path, b"n /" + path]
        add("rootfs", os.path.basename(f)[:-len(".links")], b"\n".join(lines) + b"\n")


def main():
    text_seeds()
    json_seeds()
    logline_seeds()
    os_seeds()
    proc_seeds()
    state_seeds()
    dmi_seeds()
    rootfs_seeds()
    shutil.rmtree(OUT, ignore_errors=True)
    for target, seeds in sorted(CORPUS.items()):
        os.makedirs(os.path.join(OUT, target))
        for name, data in sorted(seeds.items()):
            with open(os.path.join(OUT, target, name), "wb") as fh:
                fh.write(data)
    for target, seeds in sorted(CORPUS.items()):
        size = sum(len(d) for d in seeds.values())
        digest = hashlib.sha256(b"".join(sorted(seeds.values()))).hexdigest()[:12]
        print("%-10s %3d seeds, %6d bytes (%s)" % (target, len(seeds), size, digest))


if __name__ == "__main__":
    main()
