#!/usr/bin/env python3
"""Benchmark a whole event against its peers, timed interleaved in one run.

Peers, each run as it really runs:
  ours      anonymous-statistics.sh START under /bin/sh, facts in the
            environment (as Netdata's daemon passes them), 42 arguments
  netdata   Netdata 1.37's anonymous-statistics.sh (Debian's
            netdata-plugins-bash: installed, or fetched once into the build
            tree, see benchlib.py; or --netdata-script PATH) under /bin/sh, same inputs; its
            hard-wired endpoint is rewritten to the loopback one and its
            opt-out file (which Debian's netdata-core ships) to one that does
            not exist, nothing else
  ours+level  ours with a level file (all) in its CONFIG_DIR: the level is
            read with the shell's read, no program, so it should cost what
            ours costs (issue 21: dd and tr ran for every event)
  ours+sys  ours with no facts in the environment: it runs sysinfo
  floor     one /bin/sh running sysinfo and one curl POST: the least a whole
            START can cost
Ours runs as installed: a copy whose CONFIG_DIR is an existing directory
without an opt-out file, as Netdata's opt-out file is rewritten to a missing
name in an existing directory (the build tree's CONFIG_DIR does not exist,
which costs the opt-out check a walk up to its first existing parent).
Every request goes to a loopback capture server.  Rounds interleave the
peers (A, B, C, D, A, B, ...), so a noisy machine slows each alike.

Reports median and p99 wall time, the median CPU time of the whole process
tree (what the machine pays; less sensitive to other load than wall time),
the programs one event runs (strace), and the ratios.  Targets (issue 8): ours <= netdata, ours+sys <= 1.5 x floor; (issue 21)
ours+level about ours.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import netdata_plugins

FACTS = {
    "NETDATA_SYSTEM_KERNEL_NAME": "Linux", "NETDATA_SYSTEM_KERNEL_VERSION": "6.1.0",
    "NETDATA_SYSTEM_ARCHITECTURE": "x86_64", "NETDATA_SYSTEM_VIRTUALIZATION": "kvm",
    "NETDATA_SYSTEM_VIRT_DETECTION": "dmi", "NETDATA_SYSTEM_CONTAINER": "none",
    "NETDATA_SYSTEM_CONTAINER_DETECTION": "none", "NETDATA_HOST_OS_NAME": "Debian GNU/Linux",
    "NETDATA_HOST_OS_ID": "debian", "NETDATA_HOST_OS_ID_LIKE": "unknown",
    "NETDATA_HOST_OS_VERSION": "12 (bookworm)", "NETDATA_HOST_OS_VERSION_ID": "12",
    "NETDATA_HOST_OS_DETECTION": "/etc/os-release", "NETDATA_HOST_IS_K8S_NODE": "false",
    "NETDATA_CONTAINER_OS_NAME": "none", "NETDATA_CONTAINER_OS_ID": "none",
    "NETDATA_CONTAINER_OS_ID_LIKE": "none", "NETDATA_CONTAINER_OS_VERSION": "none",
    "NETDATA_CONTAINER_OS_VERSION_ID": "none", "NETDATA_CONTAINER_OS_DETECTION": "none",
}
ARGS = ["START", "-", "-"] + ['"dbengine"' if i % 3 == 0 else "null" for i in range(39)]


def run_once(argv, env):
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
            (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, _, usage = os.wait4(pid, 0)
        # CPU time of the whole tree: wait4 counts every descendant that
        # was waited for, and every one of these is.
        return time.perf_counter() - start, usage.ru_utime + usage.ru_stime
    finally:
        os.close(devnull)


def programs(argv, env, workdir):
    if not shutil.which("strace"):
        return None
    out = os.path.join(workdir, "trace")
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o", out]
                   + argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        return sum(1 for line in f if "execve(" in line and line.rstrip().endswith("= 0"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--script", required=True, help="our built anonymous-statistics.sh")
    p.add_argument("--sysinfo", required=True)
    p.add_argument("--state-helper", required=True)
    p.add_argument("--capture-server", required=True)
    p.add_argument("--netdata-script", help="Netdata 1.37's anonymous-statistics.sh")
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--rows", help="also append tab-separated rows to this file (bench/report.py)")
    a = p.parse_args()

    base_path = "/usr/local/bin:/usr/bin:/bin"
    work = tempfile.mkdtemp(prefix="script-bench.")
    cap = os.path.join(work, "capture")
    os.makedirs(cap)
    server = subprocess.Popen([sys.executable, a.capture_server, "--dir", cap, "--lifetime", "3600"])
    try:
        for _ in range(200):
            if os.path.exists(os.path.join(cap, "port")):
                break
            time.sleep(0.05)
        port = open(os.path.join(cap, "port")).read().strip()
        url = f"http://127.0.0.1:{port}/capture/"

        nd_src = a.netdata_script or os.path.join(netdata_plugins(), "anonymous-statistics.sh")
        netdata = os.path.join(work, "netdata-anonymous-statistics.sh")
        with open(nd_src) as f:
            text = f.read()
        with open(netdata, "w") as f:
            f.write(text.replace("https://posthog.netdata.cloud/capture/", url)
                    .replace("/etc/netdata/.opt-out-from-anonymous-statistics",
                             os.path.join(work, "no-such-opt-out-file")))
        os.chmod(netdata, 0o755)

        config = os.path.join(work, "etc-netdata")
        os.makedirs(config)
        ours = os.path.join(work, "anonymous-statistics.sh")
        with open(a.script) as f:
            text = f.read()
        if "\nCONFIG_DIR='" not in text:
            sys.exit("script-bench: no CONFIG_DIR line in " + a.script)
        with open(ours, "w") as f:
            f.write(re.sub(r"(?m)^CONFIG_DIR='[^']*'$", lambda m: f"CONFIG_DIR='{config}'", text))
        os.chmod(ours, 0o755)
        config_level = os.path.join(work, "etc-netdata-level")
        os.makedirs(config_level)
        with open(os.path.join(config_level, "anonymous-statistics.level"), "w") as f:
            f.write("all\n")
        ours_level = os.path.join(work, "anonymous-statistics-level.sh")
        with open(ours_level, "w") as f:
            f.write(re.sub(r"(?m)^CONFIG_DIR='[^']*'$", lambda m: f"CONFIG_DIR='{config_level}'", text))
        os.chmod(ours_level, 0o755)

        state = os.path.join(work, "state")
        os.makedirs(state)
        base = {"PATH": base_path, "LC_ALL": "C", "HOME": work,
                "NETDATA_VERSION": "v1.37.1",
                "NETDATA_REGISTRY_UNIQUE_ID": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                "ANONYMOUS_STATISTICS_KEY": "phc_bench", "ANONYMOUS_STATISTICS_URL": url,
                "ANONYMOUS_STATISTICS_STATE_DIR": state,
                "ANONYMOUS_STATISTICS_SYSINFO": os.path.abspath(a.sysinfo),
                "ANONYMOUS_STATISTICS_STATE_HELPER": os.path.abspath(a.state_helper)}
        with_facts = dict(base, **FACTS)
        body = os.path.join(work, "body.json")
        with open(body, "w") as f:
            f.write('{"api_key":"phc_bench","event":"START","distinct_id":"x","properties":{}}\n')
        floor_sh = (f'"$1" >/dev/null; curl -q -sS -o /dev/null -w "%{{http_code}}" '
                    f'-H "Content-Type: application/json" --data-binary @"$2" "$3"')
        peers = [
            ("ours", ["/bin/sh", ours] + ARGS, with_facts),
            ("ours+level", ["/bin/sh", ours_level] + ARGS, with_facts),
            ("netdata", ["/bin/sh", netdata] + ARGS, with_facts),
            ("ours+sys", ["/bin/sh", ours, "START"], base),
            ("floor", ["/bin/sh", "-c", floor_sh, "sh", os.path.abspath(a.sysinfo), body, url], base),
        ]
        times = {name: [] for name, _, _ in peers}
        cpu = {name: [] for name, _, _ in peers}
        for _ in range(5):
            for _, argv, env in peers:
                run_once(argv, env)
        for _ in range(a.rounds):
            for name, argv, env in peers:
                wall, used = run_once(argv, env)
                times[name].append(wall)
                cpu[name].append(used)
        execs = {name: programs(argv, env, work) for name, argv, env in peers}
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)

    def p99(xs):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(len(xs) * 0.99))]

    med = {n: statistics.median(t) for n, t in times.items()}
    cpu_med = {n: statistics.median(t) for n, t in cpu.items()}
    print(f"whole events, {a.rounds} interleaved rounds, loopback endpoint, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'peer':<10} {'median ms':>10} {'p99 ms':>8} {'cpu ms':>8} {'programs':>9}")
    for name in times:
        e = execs[name]
        print(f"{name:<10} {med[name] * 1000:>10.2f} {p99(times[name]) * 1000:>8.2f} "
              f"{cpu_med[name] * 1000:>8.2f} {'?' if e is None else e:>9}")
    if a.rows:
        with open(a.rows, "a") as f:
            for name in times:
                e = execs[name]
                note = f"cpu {cpu_med[name] * 1000:.2f} ms" + ("" if e is None else f", {e} programs")
                f.write(f"whole event (START)\t{name}\t{len(times[name])}\t{med[name] * 1000:.3f}\t"
                        f"{p99(times[name]) * 1000:.3f}\t{note}\n")
    print("ratios of medians, wall time (cpu time: the whole process tree's, less "
          "sensitive to load):")
    print(f"ours / netdata     = {med['ours'] / med['netdata']:.2f}  "
          f"(cpu {cpu_med['ours'] / cpu_med['netdata']:.2f})  target <= 1")
    print(f"ours+level / ours  = {med['ours+level'] / med['ours']:.2f}  "
          f"(cpu {cpu_med['ours+level'] / cpu_med['ours']:.2f})  target: about 1")
    print(f"ours+sys / floor   = {med['ours+sys'] / med['floor']:.2f}  "
          f"(cpu {cpu_med['ours+sys'] / cpu_med['floor']:.2f})  target <= 1.5")
    return 0


if __name__ == "__main__":
    sys.exit(main())
