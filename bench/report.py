#!/usr/bin/env python3
"""make bench: every benchmark of bench/, one table.

Runs, from the build directory:
  sysinfo-bench.py   sysinfo vs Netdata 1.37's system-info.sh (under /bin/sh,
                     curl and wget absent from PATH) vs systemd-detect-virt
  script-bench.py    a whole START vs Netdata 1.37's anonymous-statistics.sh
                     on the same inputs vs the floor (one shell, one sysinfo,
                     one curl); CPU time and programs per event
  spawn-latency      libanonstats: anonstats_stop() against an answering and
                     a hanging endpoint; the send call idle and at one event
                     every 5 ms; the send call against a hanging endpoint vs
                     popen+pclose of Netdata's own script (curl --max-time 2)
Each benchmark times its peers interleaved (A, B, A, B, ...) in one run.
Netdata's scripts come from Debian's netdata-plugins-bash (installed, or
fetched once into the build tree and reused offline: benchlib.py), their endpoint rewritten to a loopback one and their opt-out
file to one that does not exist; every request stays on the machine.

Prints one Markdown table (median and p99 per peer) and the ratios the
issues set as targets, headed by the machine it ran on.
"""
import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile

from benchlib import netdata_plugins


def popen_peer(netdata_script, work):
    """Netdata's script as its daemon popen()s it, posting to the URL the
    benchmark puts in ANONYMOUS_STATISTICS_URL."""
    with open(netdata_script) as f:
        text = f.read()
    out = os.path.join(work, "netdata-popen-anonymous-statistics.sh")
    with open(out, "w") as f:
        f.write(text.replace("https://posthog.netdata.cloud/capture/", "${ANONYMOUS_STATISTICS_URL}")
                .replace("/etc/netdata/.opt-out-from-anonymous-statistics",
                         os.path.join(work, "no-such-opt-out-file")))
    os.chmod(out, 0o755)
    return out


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    osname = "Linux"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return (f"{osname}, kernel {platform.release()}, {os.cpu_count()} CPUs ({cpu}), "
            f"load average {os.getloadavg()[0]:.2f} at the start")


def ratio(rows, section, a, b):
    try:
        return rows[(section, a)][1] / rows[(section, b)][1]
    except (KeyError, ZeroDivisionError):
        return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--srcdir", default=".", help="the source tree (bench/, tests/helpers/)")
    p.add_argument("--quick", action="store_true", help="fewer rounds: a rough table in a minute")
    a = p.parse_args()
    bench = os.path.join(a.srcdir, "bench")
    for need in ("helpers/sysinfo/sysinfo", "helpers/sender/anonymous-statistics-sender",
                 "daemon/anonymous-statistics.sh", "bench/spawn-latency"):
        if not os.access(need, os.X_OK):
            sys.exit(f"report.py: {need} is not built: run make bench from the build directory")

    work = tempfile.mkdtemp(prefix="bench-report.")
    rows_file = os.path.join(work, "rows")
    try:
        head = machine()
        plugins = netdata_plugins()
        nd_script = os.path.join(plugins, "anonymous-statistics.sh")
        nd_sysinfo = os.path.join(plugins, "system-info.sh")
        quick = a.quick
        runs = [
            [sys.executable, os.path.join(bench, "sysinfo-bench.py"), "--sysinfo", "helpers/sysinfo/sysinfo",
             "--system-info", nd_sysinfo, "--rows", rows_file]
            + (["--runs", "60", "--peer-runs", "10"] if quick else []),
            [sys.executable, os.path.join(bench, "script-bench.py"),
             "--script", "daemon/anonymous-statistics.sh", "--sysinfo", "helpers/sysinfo/sysinfo",
             "--state-helper", "helpers/sender/anonymous-statistics-sender",
             "--capture-server", os.path.join(a.srcdir, "tests/helpers/capture-server.py"),
             "--netdata-script", nd_script, "--rows", rows_file]
            + (["--rounds", "40"] if quick else []),
            ["bench/spawn-latency", "--script", "daemon/anonymous-statistics.sh",
             "--state-helper", "helpers/sender/anonymous-statistics-sender",
             "--sysinfo", "helpers/sysinfo/sysinfo", "--popen-script", popen_peer(nd_script, work),
             "--rows", rows_file]
            + (["--iterations", "20", "--baseline-iterations", "2"] if quick else []),
        ]
        for argv in runs:
            print(f"==> {os.path.basename(argv[1] if argv[0] == sys.executable else argv[0])}",
                  file=sys.stderr)
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        with open(rows_file) as f:
            lines = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = {}
    print(f"Machine: {head}.\n")
    print("| measurement | peer | runs | median ms | p99 ms | also |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for fields in lines:
        section, peer, n, median, p99 = fields[:5]
        note = fields[5] if len(fields) > 5 else ""
        rows[(section, peer)] = (int(n), float(median), float(p99))
        print(f"| {section} | {peer} | {n} | {float(median):.3f} | {float(p99):.3f} | {note} |")

    targets = [
        ("sysinfo vs system-info.sh (median, times faster; target >= 40)",
         ratio(rows, "system facts", "system-info.sh (Netdata 1.37)", "sysinfo"), ">=", 40),
        ("sysinfo vs systemd-detect-virt (median, times faster)",
         ratio(rows, "system facts", "systemd-detect-virt", "sysinfo"), None, None),
        ("whole event: ours / Netdata's script (target <= 1)",
         ratio(rows, "whole event (START)", "ours", "netdata"), "<=", 1.0),
        ("whole event: with a level file / without (target: about 1, no program more)",
         ratio(rows, "whole event (START)", "ours+level", "ours"), None, None),
        ("whole event with sysinfo / floor (target <= 1.5)",
         ratio(rows, "whole event (START)", "ours+sys", "floor"), "<=", 1.5),
        ("send call against a hanging endpoint: popen+pclose / libanonstats",
         ratio(rows, "send call, endpoint hanging", "popen+pclose of Netdata's script",
               "libanonstats send"), None, None),
        ("anonstats_stop() / popen+pclose, endpoint answering (target: at most +2 ms)",
         ratio(rows, "anonstats_stop(), endpoint answering", "libanonstats anonstats_stop()",
               "popen+pclose of the script"), None, None),
    ]
    print()
    print("| ratio of medians | value | target |")
    print("| --- | ---: | --- |")
    for what, value, op, bound in targets:
        if value is None:
            continue
        verdict = ""
        if op == ">=":
            verdict = "met" if value >= bound else "not met"
        elif op == "<=":
            verdict = "met" if value <= bound else "not met"
        print(f"| {what} | {value:.2f} | {verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
