"""What the benchmarks of bench/ share: Netdata 1.37's scripts, the peers."""
import os
import subprocess


def netdata_plugins(workdir):
    """Netdata 1.37's plugins.d from Debian's netdata-plugins-bash, fetched
    with `apt-get download` and unpacked under WORKDIR; its path."""
    deb_dir = os.path.join(workdir, "deb")
    os.makedirs(deb_dir)
    subprocess.run(["apt-get", "download", "netdata-plugins-bash"], cwd=deb_dir, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deb = [f for f in os.listdir(deb_dir) if f.endswith(".deb")][0]
    root = os.path.join(workdir, "root")
    subprocess.run(["dpkg", "-x", os.path.join(deb_dir, deb), root], check=True)
    return os.path.join(root, "usr/lib/netdata/plugins.d")
