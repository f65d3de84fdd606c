#!/usr/bin/env python3
"""A FIFO standing in for a daemon's log file, that can stop taking lines.

It copies everything written to --fifo into --out.  With --stall-on TEXT,
once a whole line holding TEXT arrived it stops reading and fills the pipe, so the
next write to the log blocks the writer: a shutdown stuck on its log, as on
a full disk or a hung log pipe.  It then writes --out + ".stalled" and waits.
It exits on SIGTERM or after --lifetime seconds; a writer still blocked then
gets EPIPE.
"""
import argparse
import fcntl
import os
import signal
import sys
import time

F_SETPIPE_SZ = 1031  # linux/fcntl.h


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--fifo", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--stall-on")
    p.add_argument("--lifetime", type=float, default=60)
    a = p.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.alarm(max(1, int(a.lifetime)))
    # O_RDWR: opening never waits for a writer, and the pipe never reports
    # end of file between two writers.
    fd = os.open(a.fifo, os.O_RDWR)
    try:
        fcntl.fcntl(fd, F_SETPIPE_SZ, 4096)  # less to fill
    except OSError:
        pass
    stall = a.stall_on.encode() if a.stall_on else None
    pending = b""
    with open(a.out, "ab", buffering=0) as out:
        while True:
            data = os.read(fd, 65536)
            out.write(data)
            if stall is None:
                continue
            # Only a whole line counts: the daemon writes a line in pieces,
            # and stalling it mid-line would stop it one step too early.
            pending += data
            lines = pending.split(b"\n")
            pending = lines.pop()[-65536:]
            if any(stall in line for line in lines):
                break
    os.set_blocking(fd, False)
    try:
        while True:
            os.write(fd, b"\n" * 4096)
    except BlockingIOError:
        pass
    try:
        while True:
            os.write(fd, b"\n")
    except BlockingIOError:
        pass
    with open(a.out + ".stalled", "w"):
        pass
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
