"""What the benchmarks of bench/ share: Netdata 1.37's scripts, the peers."""
import os
import shutil
import subprocess
import tempfile

# The scripts of Debian's netdata-plugins-bash the benchmarks time.
NETDATA_SCRIPTS = ("anonymous-statistics.sh", "system-info.sh")
INSTALLED = "/usr/lib/netdata/plugins.d"
# Where a fetched copy is kept, relative to the build directory the
# benchmarks run from (make bench): fetched once, reused offline.
CACHE = os.path.join("bench", "netdata-plugins-bash")


def _complete(plugins):
    return all(os.path.isfile(os.path.join(plugins, f)) for f in NETDATA_SCRIPTS)


def netdata_plugins(cache=CACHE, installed=INSTALLED):
    """Netdata 1.37's plugins.d: the installed netdata-plugins-bash when it
    is there; else the copy kept in CACHE; else `apt-get download` once into
    CACHE (unpacked beside it, then renamed into place, so an interrupted
    fetch leaves nothing half there).  Later runs, offline ones too (a
    loopback-only namespace), use the copy.  Exits saying how to get the
    scripts when none of the three can."""
    if _complete(installed):
        return installed
    plugins = os.path.join(cache, "usr/lib/netdata/plugins.d")
    if _complete(plugins):
        return plugins
    parent = os.path.dirname(os.path.abspath(cache))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".netdata-plugins-bash.", dir=parent)
    try:
        got = subprocess.run(["apt-get", "download", "netdata-plugins-bash"], cwd=tmp,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if got.returncode != 0 or not debs:
            raise SystemExit(
                "bench: Netdata's scripts are needed: install netdata-plugins-bash, or run once "
                "with the network so that `apt-get download` can keep a copy in "
                f"{cache} ({got.stderr.strip() or 'no package downloaded'})")
        root = os.path.join(tmp, "root")
        subprocess.run(["dpkg", "-x", os.path.join(tmp, debs[0]), root], check=True)
        if not _complete(os.path.join(root, "usr/lib/netdata/plugins.d")):
            raise SystemExit(f"bench: {debs[0]} holds none of {', '.join(NETDATA_SCRIPTS)}")
        shutil.rmtree(cache, ignore_errors=True)
        os.rename(root, cache)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return plugins
