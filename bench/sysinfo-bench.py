#!/usr/bin/env python3
"""Benchmark sysinfo against its peers, measured in the same run.

Peers, timed interleaved in one run: Netdata 1.37's system-info.sh (Debian
package netdata-plugins-bash: installed, or fetched once into the build
tree, see benchlib.py; or --system-info PATH), run under /bin/sh as its #! line asks, and
systemd-detect-virt.  system-info.sh runs with curl and wget absent from
PATH: with curl it probes cloud metadata addresses, which we never contact.

Reports per program: median, p90 and p99 wall time, peak RSS of the program's own
process (through the static launcher bench/peak-rss.c), and how many processes it started (strace, if present),
then the ratios against sysinfo.  Targets (issue 3): sysinfo median <= 2 ms,
>= 40x faster than system-info.sh, peak RSS <= 2 MiB, zero child processes.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import netdata_plugins


def path_without(names, workdir):
    """A PATH directory with links to every program on PATH except `names`."""
    farm = os.path.join(workdir, "bin")
    os.makedirs(farm, exist_ok=True)
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(":"):
        if not os.path.isdir(d):
            continue
        for entry in os.listdir(d):
            if entry in names:
                continue
            link = os.path.join(farm, entry)
            if not os.path.lexists(link):
                os.symlink(os.path.join(d, entry), link)
    return farm


def run_once(argv, env):
    """Wall time of one run; posix_spawn keeps python's own fork cost out."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
            (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter() - start
    finally:
        os.close(devnull)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[0]} exited {os.waitstatus_to_exitcode(status)}")
    return elapsed


def build_peak_rss(workdir):
    """Compile bench/peak-rss.c, static if the toolchain can."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peak-rss.c")
    out = os.path.join(workdir, "peak-rss")
    cc = os.environ.get("CC", "cc")
    for flags in (["-static"], []):
        if subprocess.run([cc, "-O2", *flags, "-o", out, src],
                          stderr=subprocess.DEVNULL).returncode == 0:
            return out
    return None


def peak_rss_kib(launcher, argv, env):
    if not launcher:
        return None
    r = subprocess.run([launcher] + argv, env=env, capture_output=True, text=True)
    return int(r.stdout) if r.returncode == 0 else None


def count_processes(argv, env, workdir):
    if not shutil.which("strace"):
        return None
    out = os.path.join(workdir, "strace.out")
    r = subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve,fork,vfork,clone,clone3",
                        "-o", out] + argv, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    if r.returncode != 0 or not os.path.exists(out):
        return None
    with open(out) as f:
        lines = f.read().splitlines()
    # Count successful process creations, not the first execve of the program.
    created = sum(1 for line in lines
                  if any(f"{c}(" in line for c in ("fork", "vfork", "clone", "clone3"))
                  and "= -1" not in line and "resumed" not in line)
    return created


def p99(times):
    times = sorted(times)
    return times[min(len(times) - 1, int(len(times) * 0.99))]


def measure(peers, env, runs, peer_runs, workdir, launcher):
    """Time the peers interleaved (A, B, C, A, B, ...): the slow peer runs
    once every runs/peer_runs rounds, so a noisy moment slows each alike."""
    for _, argv, _ in peers:
        for _ in range(3):
            run_once(argv, env)  # warm the page cache
    times = {name: [] for name, _, _ in peers}
    every = max(1, runs // peer_runs)
    for i in range(runs):
        for name, argv, slow in peers:
            if not slow or i % every == 0:
                times[name].append(run_once(argv, env))
    results = []
    for name, argv, _ in peers:
        t = times[name]
        rss = max((peak_rss_kib(launcher, argv, env) or 0) for _ in range(3)) or None
        results.append({
            "name": name,
            "median": statistics.median(t),
            "p90": sorted(t)[int(len(t) * 0.9) - 1],
            "p99": p99(t),
            "rss_kib": rss,
            "children": count_processes(argv, env, workdir),
            "runs": len(t),
        })
    return results


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sysinfo", default="build/helpers/sysinfo/sysinfo")
    p.add_argument("--system-info", help="Netdata's system-info.sh (default: see benchlib.py)")
    p.add_argument("--runs", type=int, default=300)
    p.add_argument("--peer-runs", type=int, default=40)
    p.add_argument("--rows", help="also append tab-separated rows to this file (bench/report.py)")
    a = p.parse_args()

    work = tempfile.mkdtemp(prefix="sysinfo-bench.")
    try:
        sysinfo = os.path.abspath(a.sysinfo)
        if not os.access(sysinfo, os.X_OK):
            sys.exit(f"sysinfo not found at {sysinfo}: build first or pass --sysinfo")
        system_info = a.system_info or os.path.join(netdata_plugins(), "system-info.sh")
        env = {"PATH": path_without({"curl", "wget"}, work), "LC_ALL": "C"}

        launcher = build_peak_rss(work)
        peers = [("sysinfo", [sysinfo], False)]
        sdv = shutil.which("systemd-detect-virt")
        if sdv:
            peers.append(("systemd-detect-virt", [sdv], False))
        # As it really runs: its #!/usr/bin/env sh is /bin/sh, dash here.
        peers.append(("system-info.sh (Netdata 1.37)", ["/bin/sh", system_info], True))
        results = measure(peers, env, a.runs, a.peer_runs, work, launcher)

        base = results[0]["median"]
        if a.rows:
            with open(a.rows, "a") as f:
                for r in results:
                    rss = "" if r["rss_kib"] is None else f"peak RSS {r['rss_kib'] / 1024:.2f} MiB"
                    kids = "" if r["children"] is None else f"{r['children']} child processes"
                    note = ", ".join(x for x in (rss, kids) if x)
                    f.write(f"system facts\t{r['name']}\t{r['runs']}\t{r['median'] * 1e3:.3f}\t"
                            f"{r['p99'] * 1e3:.3f}\t{note}\n")
        print(f"{'program':32} {'runs':>5} {'median':>10} {'p90':>10} {'peak RSS':>10} "
              f"{'children':>9} {'vs sysinfo':>11}")
        for r in results:
            children = "n/a" if r["children"] is None else str(r["children"])
            rss = "n/a" if r["rss_kib"] is None else f"{r['rss_kib'] / 1024:.2f}MiB"
            print(f"{r['name']:32} {r['runs']:5d} {r['median'] * 1e3:8.3f}ms "
                  f"{r['p90'] * 1e3:8.3f}ms {rss:>10} {children:>9} "
                  f"{r['median'] / base:10.1f}x")
        s = results[0]
        peer = results[-1]
        print()
        print(f"target: sysinfo median <= 2 ms: {'met' if s['median'] <= 0.002 else 'MISSED'}"
              f" ({s['median'] * 1e3:.3f} ms)")
        print(f"target: >= 40x faster than system-info.sh: "
              f"{'met' if peer['median'] / s['median'] >= 40 else 'MISSED'}"
              f" ({peer['median'] / s['median']:.0f}x)")
        if s["rss_kib"] is not None:
            print(f"target: peak RSS <= 2 MiB: {'met' if s['rss_kib'] <= 2048 else 'MISSED'}"
                  f" ({s['rss_kib'] / 1024:.2f} MiB)")
        print(f"target: zero child processes: "
              f"{'met' if s['children'] == 0 else 'MISSED' if s['children'] else 'not measured'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
