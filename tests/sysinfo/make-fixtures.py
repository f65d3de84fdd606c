#!/usr/bin/env python3
"""Write the sysinfo fixture trees under tests/sysinfo/fixtures/.

Each fixture is a fake root directory NAME/ (etc/, proc/, sys/, ...) holding
what that environment really shows, NAME.expected (sysinfo's full output for
it) and, when needed, NAME.args (extra arguments, one per line, e.g.
--cpuid=KVMKVMKVM: what that machine's CPUID would say) and NAME.links
("PATH TARGET" lines: symlinks the test makes in a copy of the tree, since
"make dist" would dereference committed ones).

The expected values are typed here by hand from the real data (os-release
files of the distributions, DMI strings and proc files of the platforms);
they are never taken from sysinfo's own output.  Run it from anywhere:
    python3 tests/sysinfo/make-fixtures.py
It rewrites the whole fixtures directory and fixtures.bats (one test per
fixture); commit the result.
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")

KEYS = [
    "NETDATA_CONTAINER_OS_NAME", "NETDATA_CONTAINER_OS_ID", "NETDATA_CONTAINER_OS_ID_LIKE",
    "NETDATA_CONTAINER_OS_VERSION", "NETDATA_CONTAINER_OS_VERSION_ID",
    "NETDATA_CONTAINER_OS_DETECTION",
    "NETDATA_HOST_OS_NAME", "NETDATA_HOST_OS_ID", "NETDATA_HOST_OS_ID_LIKE",
    "NETDATA_HOST_OS_VERSION", "NETDATA_HOST_OS_VERSION_ID", "NETDATA_HOST_OS_DETECTION",
    "NETDATA_HOST_IS_K8S_NODE",
    "NETDATA_SYSTEM_KERNEL_NAME", "NETDATA_SYSTEM_KERNEL_VERSION", "NETDATA_SYSTEM_ARCHITECTURE",
    "NETDATA_SYSTEM_VIRTUALIZATION", "NETDATA_SYSTEM_VIRT_DETECTION",
    "NETDATA_SYSTEM_CONTAINER", "NETDATA_SYSTEM_CONTAINER_DETECTION",
]

# ---- os-release files of real distributions, with the values expected ----
# (name, id, id_like, version, version_id); None: the file lacks it -> unknown.

OS = {}


def osr(key, text, name, id_, id_like, version, version_id):
    OS[key] = (text, (name, id_, id_like, version, version_id))


osr("debian-12", """PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
""", "Debian GNU/Linux", "debian", None, "12 (bookworm)", "12")

osr("debian-testing", """PRETTY_NAME="Debian GNU/Linux trixie/sid"
NAME="Debian GNU/Linux"
VERSION_CODENAME=trixie
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
""", "Debian GNU/Linux", "debian", None, None, None)

osr("ubuntu-22.04", """PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
""", "Ubuntu", "ubuntu", "debian", "22.04.4 LTS (Jammy Jellyfish)", "22.04")

osr("fedora-39", """NAME="Fedora Linux"
VERSION="39 (Container Image)"
ID=fedora
VERSION_ID=39
VERSION_CODENAME=""
PLATFORM_ID="platform:f39"
PRETTY_NAME="Fedora Linux 39 (Container Image)"
ANSI_COLOR="0;38;2;60;110;180"
LOGO=fedora-logo-icon
CPE_NAME="cpe:/o:fedoraproject:fedora:39"
DEFAULT_HOSTNAME="fedora"
HOME_URL="https://fedoraproject.org/"
DOCUMENTATION_URL="https://docs.fedoraproject.org/en-US/fedora/f39/system-administrators-guide/"
SUPPORT_URL="https://ask.fedoraproject.org/"
BUG_REPORT_URL="https://bugzilla.redhat.com/"
REDHAT_BUGZILLA_PRODUCT="Fedora"
REDHAT_BUGZILLA_PRODUCT_VERSION=39
REDHAT_SUPPORT_PRODUCT="Fedora"
REDHAT_SUPPORT_PRODUCT_VERSION=39
SUPPORT_END=2024-11-12
VARIANT="Container Image"
VARIANT_ID=container
""", "Fedora Linux", "fedora", None, "39 (Container Image)", "39")

osr("rocky-9", """NAME="Rocky Linux"
VERSION="9.3 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"
ANSI_COLOR="0;32"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:rocky:rocky:9::baseos"
HOME_URL="https://rockylinux.org/"
BUG_REPORT_URL="https://bugs.rockylinux.org/"
SUPPORT_END="2032-05-31"
ROCKY_SUPPORT_PRODUCT="Rocky-Linux-9"
ROCKY_SUPPORT_PRODUCT_VERSION="9.3"
REDHAT_SUPPORT_PRODUCT="Rocky Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.3"
""", "Rocky Linux", "rocky", "rhel centos fedora", "9.3 (Blue Onyx)", "9.3")

osr("rhel-9", """NAME="Red Hat Enterprise Linux"
VERSION="9.3 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"
ANSI_COLOR="0;31"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"
HOME_URL="https://www.redhat.com/"
DOCUMENTATION_URL="https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/9"
BUG_REPORT_URL="https://bugzilla.redhat.com/"

REDHAT_BUGZILLA_PRODUCT="Red Hat Enterprise Linux 9"
REDHAT_BUGZILLA_PRODUCT_VERSION=9.3
REDHAT_SUPPORT_PRODUCT="Red Hat Enterprise Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.3"
""", "Red Hat Enterprise Linux", "rhel", "fedora", "9.3 (Plow)", "9.3")

osr("centos-7", """NAME="CentOS Linux"
VERSION="7 (Core)"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="7"
PRETTY_NAME="CentOS Linux 7 (Core)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:centos:centos:7"
HOME_URL="https://www.centos.org/"
BUG_REPORT_URL="https://bugs.centos.org/"

CENTOS_MANTISBT_PROJECT="CentOS-7"
CENTOS_MANTISBT_PROJECT_VERSION="7"
REDHAT_SUPPORT_PRODUCT="centos"
REDHAT_SUPPORT_PRODUCT_VERSION="7"

""", "CentOS Linux", "centos", "rhel fedora", "7 (Core)", "7")

osr("oracle-8", """NAME="Oracle Linux Server"
VERSION="8.9"
ID="ol"
ID_LIKE="fedora"
VARIANT="Server"
VARIANT_ID="server"
VERSION_ID="8.9"
PLATFORM_ID="platform:el8"
PRETTY_NAME="Oracle Linux Server 8.9"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:oracle:linux:8:9:server"
HOME_URL="https://linux.oracle.com/"
BUG_REPORT_URL="https://github.com/oracle/oracle-linux"
""", "Oracle Linux Server", "ol", "fedora", "8.9", "8.9")

osr("amzn-2023", """NAME="Amazon Linux"
VERSION="2023"
ID="amzn"
ID_LIKE="fedora"
VERSION_ID="2023"
PLATFORM_ID="platform:al2023"
PRETTY_NAME="Amazon Linux 2023.3.20240131"
ANSI_COLOR="0;33"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2023"
HOME_URL="https://aws.amazon.com/linux/amazon-linux-2023/"
DOCUMENTATION_URL="https://docs.aws.amazon.com/linux/"
SUPPORT_URL="https://aws.amazon.com/premiumsupport/"
BUG_REPORT_URL="https://github.com/amazonlinux/amazon-linux-2023"
VENDOR_NAME="AWS"
VENDOR_URL="https://aws.amazon.com/"
SUPPORT_END="2028-03-15"
""", "Amazon Linux", "amzn", "fedora", "2023", "2023")

osr("alpine-3.19", """NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
PRETTY_NAME="Alpine Linux v3.19"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
""", "Alpine Linux", "alpine", None, None, "3.19.1")

osr("arch", """NAME="Arch Linux"
PRETTY_NAME="Arch Linux"
ID=arch
BUILD_ID=rolling
ANSI_COLOR="38;2;23;147;209"
HOME_URL="https://archlinux.org/"
DOCUMENTATION_URL="https://wiki.archlinux.org/"
SUPPORT_URL="https://bbs.archlinux.org/"
BUG_REPORT_URL="https://gitlab.archlinux.org/groups/archlinux/-/issues"
PRIVACY_POLICY_URL="https://terms.archlinux.org/docs/privacy-policy/"
LOGO=archlinux-logo
""", "Arch Linux", "arch", None, None, None)

osr("opensuse-leap-15.5", """NAME="openSUSE Leap"
VERSION="15.5"
ID="opensuse-leap"
ID_LIKE="suse opensuse"
VERSION_ID="15.5"
PRETTY_NAME="openSUSE Leap 15.5"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:opensuse:leap:15.5"
BUG_REPORT_URL="https://bugs.opensuse.org"
HOME_URL="https://www.opensuse.org/"
DOCUMENTATION_URL="https://en.opensuse.org/Portal:Leap"
LOGO="distributor-logo-Leap"
""", "openSUSE Leap", "opensuse-leap", "suse opensuse", "15.5", "15.5")

# Tumbleweed comments VERSION out: a commented key is no key.
osr("opensuse-tumbleweed", """NAME="openSUSE Tumbleweed"
# VERSION="20240131"
ID="opensuse-tumbleweed"
ID_LIKE="opensuse suse"
VERSION_ID="20240131"
PRETTY_NAME="openSUSE Tumbleweed"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:opensuse:tumbleweed:20240131"
BUG_REPORT_URL="https://bugzilla.opensuse.org"
SUPPORT_URL="https://bugs.opensuse.org"
HOME_URL="https://www.opensuse.org"
DOCUMENTATION_URL="https://en.opensuse.org/Portal:Tumbleweed"
LOGO="distributor-logo-Tumbleweed"
""", "openSUSE Tumbleweed", "opensuse-tumbleweed", "opensuse suse", None, "20240131")

osr("sles-15-sp5", """NAME="SLES"
VERSION="15-SP5"
VERSION_ID="15.5"
PRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"
ID="sles"
ID_LIKE="suse"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:suse:sles:15:sp5"
DOCUMENTATION_URL="https://documentation.suse.com/"
""", "SLES", "sles", "suse", "15-SP5", "15.5")

osr("gentoo", """NAME=Gentoo
ID=gentoo
PRETTY_NAME="Gentoo Linux"
ANSI_COLOR="1;32"
HOME_URL="https://www.gentoo.org/"
SUPPORT_URL="https://www.gentoo.org/support/"
BUG_REPORT_URL="https://bugs.gentoo.org/"
""", "Gentoo", "gentoo", None, None, None)

osr("void", """NAME="Void"
ID="void"
PRETTY_NAME="Void Linux"
HOME_URL="https://voidlinux.org/"
DOCUMENTATION_URL="https://docs.voidlinux.org/"
LOGO="void-logo"
ANSI_COLOR="0;38;2;71;128;97"
DISTRIB_ID="void"
""", "Void", "void", None, None, None)

# NixOS: ID_LIKE="" is an empty value, so unknown.
osr("nixos-23.11", """BUG_REPORT_URL="https://github.com/NixOS/nixpkgs/issues"
BUILD_ID="23.11.20240115.b8dd8be"
DOCUMENTATION_URL="https://nixos.org/learn.html"
HOME_URL="https://nixos.org/"
ID=nixos
ID_LIKE=""
LOGO="nix-snowflake"
NAME=NixOS
PRETTY_NAME="NixOS 23.11 (Tapir)"
SUPPORT_END="2024-06-30"
SUPPORT_URL="https://nixos.org/community.html"
VERSION="23.11 (Tapir)"
VERSION_CODENAME=tapir
VERSION_ID="23.11"
""", "NixOS", "nixos", None, "23.11 (Tapir)", "23.11")

# openEuler's ID is not lower case, against the spec: reported as written.
osr("openeuler-22.03", """NAME="openEuler"
VERSION="22.03 (LTS-SP3)"
ID="openEuler"
VERSION_ID="22.03"
PRETTY_NAME="openEuler 22.03 (LTS-SP3)"
ANSI_COLOR="0;31"

""", "openEuler", "openEuler", None, "22.03 (LTS-SP3)", "22.03")

osr("linuxmint-21.3", """NAME="Linux Mint"
VERSION="21.3 (Virginia)"
ID=linuxmint
ID_LIKE="ubuntu debian"
PRETTY_NAME="Linux Mint 21.3"
VERSION_ID="21.3"
HOME_URL="https://www.linuxmint.com/"
SUPPORT_URL="https://forums.linuxmint.com/"
BUG_REPORT_URL="http://linuxmint-troubleshooting-guide.readthedocs.io/en/latest/"
PRIVACY_POLICY_URL="https://www.linuxmint.com/"
VERSION_CODENAME=virginia
UBUNTU_CODENAME=jammy
""", "Linux Mint", "linuxmint", "ubuntu debian", "21.3 (Virginia)", "21.3")

osr("raspbian-11", """PRETTY_NAME="Raspbian GNU/Linux 11 (bullseye)"
NAME="Raspbian GNU/Linux"
VERSION_ID="11"
VERSION="11 (bullseye)"
VERSION_CODENAME=bullseye
ID=raspbian
ID_LIKE=debian
HOME_URL="http://www.raspbian.org/"
SUPPORT_URL="http://www.raspbian.org/RaspbianForums"
BUG_REPORT_URL="http://www.raspbian.org/RaspbianBugs"
""", "Raspbian GNU/Linux", "raspbian", "debian", "11 (bullseye)", "11")

# Wind River Linux (Yocto based) writes unquoted values with spaces, against
# the spec; a shell would run "River" as a command, we keep the text.
osr("wrlinux", """ID=wrlinux
NAME=Wind River Linux LTS
VERSION=22.10 (Kirkstone)
VERSION_ID=22.10
PRETTY_NAME="Wind River Linux LTS 22.10 (Kirkstone)"
""", "Wind River Linux LTS", "wrlinux", None, "22.10 (Kirkstone)", "22.10")

osr("photon-5", """NAME="VMware Photon OS"
VERSION="5.0"
ID=photon
VERSION_ID=5.0
PRETTY_NAME="VMware Photon OS/Linux"
ANSI_COLOR="1;34"
HOME_URL="https://vmware.github.io/photon/"
BUG_REPORT_URL="https://github.com/vmware/photon/issues"
""", "VMware Photon OS", "photon", None, "5.0", "5.0")

# ---- writing trees --------------------------------------------------------

fixtures = []


class Fixture:
    def __init__(self, name):
        self.name = name
        self.root = os.path.join(OUT, name)
        os.makedirs(self.root)
        self.args = []
        self.links = []
        self.exp = {k: "unknown" for k in KEYS}
        for k in KEYS[:6]:
            self.exp[k] = "none"
        self.exp["NETDATA_HOST_IS_K8S_NODE"] = "false"
        self.exp["NETDATA_SYSTEM_VIRTUALIZATION"] = "none"
        self.exp["NETDATA_SYSTEM_VIRT_DETECTION"] = "none"
        self.exp["NETDATA_SYSTEM_CONTAINER"] = "none"
        self.exp["NETDATA_SYSTEM_CONTAINER_DETECTION"] = "none"
        fixtures.append(self)

    def file(self, path, data=""):
        full = os.path.join(self.root, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        return self

    def link(self, path, target):
        # Recorded in NAME.links, made by the test in a copy of the tree:
        # "make dist" dereferences symlinks (tar -h), so none are committed.
        self.links.append((path.lstrip("/"), target))
        return self

    def kernel(self, release, arch="x86_64", ostype="Linux"):
        self.file("proc/sys/kernel/ostype", ostype + "\n")
        self.file("proc/sys/kernel/osrelease", release + "\n")
        self.file("proc/sys/kernel/arch", arch + "\n")
        self.exp["NETDATA_SYSTEM_KERNEL_NAME"] = ostype
        self.exp["NETDATA_SYSTEM_KERNEL_VERSION"] = release
        self.exp["NETDATA_SYSTEM_ARCHITECTURE"] = arch
        return self

    def dmi(self, product_name=None, sys_vendor=None, board_vendor=None, bios_vendor=None,
            product_version=None):
        for key, val in (("product_name", product_name), ("sys_vendor", sys_vendor),
                         ("board_vendor", board_vendor), ("bios_vendor", bios_vendor),
                         ("product_version", product_version)):
            if val is not None:
                self.file("sys/class/dmi/id/" + key, val + "\n")
        return self

    def smbios(self, vm_bit):
        # SMBIOS type 0 (BIOS Information), 24 bytes long: byte 1 is the
        # length, bytes 18-19 the characteristics extension bytes; bit 4 of
        # byte 19 says "this is a virtual machine".
        raw = bytearray(24)
        raw[0] = 0
        raw[1] = 24
        raw[4] = 1
        raw[5] = 0x00
        raw[8] = 2
        raw[18] = 0x03
        raw[19] = 0x0C | (0x10 if vm_bit else 0)
        self.file("sys/firmware/dmi/entries/0-0/raw", bytes(raw) + b"Amazon EC2\x001.0\x00\x00")
        return self

    def cpuinfo(self, vendor="GenuineIntel", model="Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz"):
        self.file("proc/cpuinfo",
                  "processor\t: 0\nvendor_id\t: %s\ncpu family\t: 6\nmodel\t\t: 85\n"
                  "model name\t: %s\nstepping\t: 7\n\n" % (vendor, model))
        return self

    def cpuid(self, sig):
        self.args.append("--cpuid=" + sig)
        return self

    def os(self, key, where="host", path="/etc/os-release", usr_lib_link=False):
        text, vals = OS[key]
        if usr_lib_link:
            self.file("usr/lib/os-release", text)
            self.link(path, "../usr/lib/os-release")
        else:
            self.file(path, text)
        self.expect_os(where, vals, path)
        return self

    def expect_os(self, where, vals, detection):
        prefix = "NETDATA_CONTAINER_OS_" if where == "container" else "NETDATA_HOST_OS_"
        for k, v in zip(("NAME", "ID", "ID_LIKE", "VERSION", "VERSION_ID"), vals):
            self.exp[prefix + k] = "unknown" if v is None else v
        self.exp[prefix + "DETECTION"] = detection
        return self

    def in_container(self, ct, method):
        """Inside a container: the OS moves to CONTAINER_OS_*; HOST_OS_* is
        unknown unless the host's file is mounted (see host_os)."""
        for k in ("NAME", "ID", "ID_LIKE", "VERSION", "VERSION_ID", "DETECTION"):
            self.exp["NETDATA_CONTAINER_OS_" + k] = self.exp["NETDATA_HOST_OS_" + k]
            self.exp["NETDATA_HOST_OS_" + k] = "unknown"
        self.exp["NETDATA_SYSTEM_CONTAINER"] = ct
        self.exp["NETDATA_SYSTEM_CONTAINER_DETECTION"] = method
        return self

    def vm(self, id_, method):
        self.exp["NETDATA_SYSTEM_VIRTUALIZATION"] = id_
        self.exp["NETDATA_SYSTEM_VIRT_DETECTION"] = method
        return self

    def set(self, key, value):
        self.exp[key] = value
        return self

    def write(self):
        with open(os.path.join(OUT, self.name + ".expected"), "w") as f:
            for k in KEYS:
                f.write("%s=%s\n" % (k, self.exp[k]))
        if self.links:
            with open(os.path.join(OUT, self.name + ".links"), "w") as f:
                for path, target in self.links:
                    f.write("%s %s\n" % (path, target))
        if self.args:
            with open(os.path.join(OUT, self.name + ".args"), "w") as f:
                for a in self.args:
                    f.write(a + "\n")


def machine(name, release="6.1.0-18-amd64", arch="x86_64", os_key="debian-12"):
    """A Debian 12 machine: /etc/os-release a relative link, as Debian ships it."""
    fx = Fixture(name).kernel(release, arch).os(os_key, usr_lib_link=True)
    return fx


if os.path.isdir(OUT):
    shutil.rmtree(OUT)
os.makedirs(OUT)

# ---- virtual machines ------------------------------------------------------

machine("baremetal").dmi("PowerEdge R740", "Dell Inc.", "Dell Inc.", "Dell Inc.", "") \
    .cpuinfo(model="Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz").smbios(False)

# "Microsoft Corporation" alone is no VM: Surface laptops say so too.
machine("surface").dmi("Surface Laptop 4", "Microsoft Corporation",
                                 "Microsoft Corporation", "Microsoft Corporation", "124I:00036T:000M:0300000D:11B:04F:1C:05P:48S:01E:0Y:0K:0U:02") \
    .cpuinfo(model="11th Gen Intel(R) Core(TM) i7-1185G7 @ 3.00GHz")

# QEMU/KVM (libvirt q35): DMI says QEMU, CPUID says KVM; CPUID comes first.
machine("kvm").dmi("Standard PC (Q35 + ICH9, 2009)", "QEMU", None, "SeaBIOS", "pc-q35-7.2") \
    .cpuinfo().cpuid("KVMKVMKVM").vm("kvm", "cpuid")

# KVM seen through DMI only (e.g. arm64, no CPUID): OpenStack Nova.
machine("kvm-openstack", arch="aarch64", release="5.15.0-91-generic") \
    .dmi("OpenStack Nova", "OpenStack Foundation", None, "EFI Development Kit II / OVMF", "25.2.1") \
    .vm("kvm", "dmi")

# QEMU without KVM (TCG): DMI names QEMU, CPUID says TCG.
machine("qemu").dmi("Standard PC (i440FX + PIIX, 1996)", "QEMU", None, "SeaBIOS", "pc-i440fx-7.2") \
    .vm("qemu", "dmi")
machine("qemu-tcg-cpuid").dmi("Standard PC (i440FX + PIIX, 1996)", "QEMU", None, "SeaBIOS",
                             "pc-i440fx-7.2").cpuid("TCGTCGTCGTCG").vm("qemu", "cpuid")

# QEMU with Hyper-V enlightenments: CPUID says "Microsoft Hv"; DMI knows better.
machine("qemu-hyperv").dmi("Standard PC (Q35 + ICH9, 2009)", "QEMU", None, "SeaBIOS", "pc-q35-7.2") \
    .cpuid("Microsoft Hv").vm("qemu", "dmi")

machine("vmware").dmi("VMware Virtual Platform", "VMware, Inc.", "Intel Corporation",
                      "Phoenix Technologies LTD", "None").cpuid("VMwareVMware").vm("vmware", "cpuid")
machine("vmware-dmi").dmi("VMware7,1", "VMware, Inc.", "Intel Corporation",
                          "VMware, Inc.", "None").vm("vmware", "dmi")

# Hyper-V / Azure: DMI says "Microsoft Corporation" (not matched), "Virtual
# Machine"; CPUID "Microsoft Hv" is deferred and wins at the end.
machine("microsoft", release="6.5.0-1015-azure", os_key="ubuntu-22.04") \
    .dmi("Virtual Machine", "Microsoft Corporation", "Microsoft Corporation",
         "Microsoft Corporation", "7.0").cpuid("Microsoft Hv").vm("microsoft", "cpuid")

# Xen HVM guest (older EC2): DMI says Xen, final at once.
machine("xen-hvm-domu", release="4.14.336-256.559.amzn2.x86_64", os_key="amzn-2023") \
    .dmi("HVM domU", "Xen", None, "Xen", "4.11.amazon").file("proc/xen/capabilities", "") \
    .file("sys/hypervisor/type", "xen\n").cpuid("XenVMMXenVMM").vm("xen", "dmi")

# Xen PV guest: no DMI; /proc/xen without control_d.
machine("xen-pv-domu", release="6.1.0-18-amd64").file("proc/xen/capabilities", "") \
    .file("sys/hypervisor/type", "xen\n").file("sys/hypervisor/properties/features", "00000705\n") \
    .vm("xen", "/proc/xen")

# Xen dom0: the hardware domain is no VM (XENFEAT_dom0, bit 11, is set).
machine("xen-dom0").dmi("ProLiant DL360 Gen10", "HPE", "HPE", "HPE", "") \
    .file("proc/xen/capabilities", "control_d\n").file("sys/hypervisor/type", "xen\n") \
    .file("sys/hypervisor/properties/features", "00002f05\n")
# dom0 told by /proc/xen/capabilities alone (no features file).
machine("xen-dom0-capabilities").file("proc/xen/capabilities", "control_d\n") \
    .file("sys/hypervisor/type", "xen\n")
# dom0 nested inside a KVM guest: CPUID tells.
machine("xen-dom0-in-kvm").dmi("Standard PC (Q35 + ICH9, 2009)", "QEMU", None, "SeaBIOS", "pc-q35-7.2") \
    .file("proc/xen/capabilities", "control_d\n").file("sys/hypervisor/type", "xen\n") \
    .cpuid("KVMKVMKVM").vm("kvm", "cpuid")

# VirtualBox, with KVM paravirtualization: CPUID says KVM, DMI wins.
machine("oracle").dmi("VirtualBox", "innotek GmbH", "Oracle Corporation", "innotek GmbH", "1.2") \
    .cpuid("KVMKVMKVM").vm("oracle", "dmi")

# Amazon EC2 Nitro: KVM underneath, DMI says Amazon, SMBIOS "VM" bit set.
machine("aws-nitro", release="6.1.0-17-cloud-amd64").dmi("c5.large", "Amazon EC2", "Amazon EC2",
                                                      "Amazon EC2", "") \
    .smbios(True).cpuid("KVMKVMKVM").vm("amazon", "dmi")
# Without the SMBIOS table (unprivileged): the name has no ".metal": a VM.
machine("aws-nitro-noraw", release="6.1.0-17-cloud-amd64").dmi("t3.micro", "Amazon EC2",
                                                            "Amazon EC2", "Amazon EC2", "") \
    .cpuid("KVMKVMKVM").vm("amazon", "dmi")
# Bare metal: SMBIOS "VM" bit unset; no hypervisor in CPUID.
machine("aws-metal", release="6.1.0-17-cloud-amd64").dmi("m5.metal", "Amazon EC2",
                                                            "Amazon EC2", "Amazon EC2", "") \
    .smbios(False)
# Bare metal without the SMBIOS table: "*.metal" and "*.metal-*" names.
machine("aws-metal-name", release="6.1.0-17-cloud-amd64").dmi("c6i.metal", "Amazon EC2",
                                                                  "Amazon EC2", "Amazon EC2", "")
machine("aws-metal-24xl", release="6.1.0-17-cloud-amd64") \
    .dmi("m7i.metal-24xl", "Amazon EC2", "Amazon EC2", "Amazon EC2", "")

machine("google", release="6.1.0-18-cloud-amd64").dmi("Google Compute Engine", "Google", "Google",
                                                       "Google", "") \
    .cpuid("KVMKVMKVM").vm("google", "dmi")

machine("parallels").dmi("Parallels Virtual Platform", "Parallels Software International Inc.",
                         "Parallels Software International Inc.",
                         "Parallels Software International Inc.", "None").vm("parallels", "dmi")

machine("bhyve").dmi("BHYVE", "FreeBSD", "FreeBSD", "BHYVE", "1.0").cpuid("bhyve bhyve ") \
    .vm("bhyve", "cpuid")
machine("bhyve-dmi").dmi("BHYVE", "FreeBSD", "FreeBSD", "BHYVE", "1.0").vm("bhyve", "dmi")

machine("bochs").dmi("Bochs", "Bochs", None, "Bochs", "").vm("bochs", "dmi")
machine("apple", arch="aarch64", release="6.1.0-18-arm64") \
    .dmi("Apple Virtualization Generic Platform", "Apple Inc.", None, "Apple Inc.", "1") \
    .vm("apple", "dmi")

# A vendor nobody knows, but the firmware's "VM" bit is set.
machine("smbios-vm-other").dmi("Hypothetical Cloud VM", "Example Cloud", None, "EDK II", "") \
    .smbios(True).vm("vm-other", "dmi")

# CPUID-only cases.
machine("acrn").cpuid("ACRNACRNACRN").vm("acrn", "cpuid")
machine("qnx").cpuid("QNXQVMBSQG").vm("qnx", "cpuid")
machine("kvm-hyperv-cpuid").cpuid("Linux KVM Hv").vm("kvm", "cpuid")
machine("cpuid-unknown").cpuid("NoSuchHyperV").vm("vm-other", "cpuid")

# User Mode Linux: the vendor in /proc/cpuinfo.
Fixture("uml").kernel("6.1.0", "x86_64").os("debian-12") \
    .file("proc/cpuinfo", "processor\t: 0\nvendor_id\t: User Mode Linux\nmodel name\t: UML\n"
          "mode\t\t: skas\nhost\t\t: Linux 6.1.0-18-amd64 x86_64\n") \
    .vm("uml", "/proc/cpuinfo")

# s390x: /proc/sysinfo names the hypervisor.
SYSINFO = """Manufacturer:         IBM
Type:                 3906
Model:                703              M03
CPUs Total:           12
CPUs Configured:      8
LPAR Name:            LP01
LPAR CPUs Total:      8
VM00 Name:            GUEST01
VM00 Control Program: %s
VM00 Adjustment:      62
VM00 CPUs Total:      2
"""
Fixture("zvm").kernel("5.14.0-362.8.1.el9_3.s390x", "s390x").os("rhel-9") \
    .file("proc/sysinfo", SYSINFO % "z/VM    7.3.0").vm("zvm", "/proc/sysinfo")
Fixture("kvm-s390").kernel("5.15.0-91-generic", "s390x").os("ubuntu-22.04") \
    .file("proc/sysinfo", SYSINFO % "KVM/Linux").vm("kvm", "/proc/sysinfo")

# Device tree (arm64, ppc64le).
Fixture("dt-fw").kernel("6.1.0-18-arm64", "aarch64").os("debian-12") \
    .file("proc/device-tree/fw-cfg@9020000/compatible", "qemu,fw-cfg-mmio\0") \
    .file("proc/device-tree/compatible", "linux,dummy-virt\0").vm("qemu", "device-tree")
Fixture("dt-xen").kernel("6.1.0-18-arm64", "aarch64").os("debian-12") \
    .file("proc/device-tree/hypervisor/compatible", "xen,xen-4.17\0xen,xen\0") \
    .vm("xen", "device-tree")
Fixture("dt-kvm").kernel("6.1.0-18-arm64", "aarch64").os("debian-12") \
    .file("proc/device-tree/hypervisor/compatible", "linux,kvm\0").vm("kvm", "device-tree")
Fixture("powervm").kernel("5.14.0-362.8.1.el9_3.ppc64le", "ppc64le").os("rhel-9") \
    .file("proc/device-tree/ibm,partition-name", "lpar01\0") \
    .file("proc/device-tree/hmc-managed?", "") \
    .vm("powervm", "device-tree")
# QEMU's pseries machine under TCG (no KVM, so no hypervisor node): systemd
# knows it by the first "compatible" string; it has a partition name but no HMC.
Fixture("dt-pseries").kernel("5.14.0-362.8.1.el9_3.ppc64le", "ppc64le").os("rhel-9") \
    .file("proc/device-tree/compatible", "qemu,pseries\0") \
    .file("proc/device-tree/ibm,partition-name", "\0") \
    .file("proc/device-tree/model", "IBM pSeries (emulated by qemu)\0") \
    .vm("qemu", "device-tree")
Fixture("hypervisor-type-other").kernel("6.1.0-18-amd64").os("debian-12") \
    .file("sys/hypervisor/type", "kvm\n").vm("vm-other", "/sys/hypervisor/type")

# ---- containers ------------------------------------------------------------

# Docker on bare metal: only /.dockerenv tells.
machine("docker", os_key="alpine-3.19").dmi("PowerEdge R740", "Dell Inc.", "Dell Inc.", "Dell Inc.", "") \
    .file(".dockerenv", "").in_container("docker", "/.dockerenv")
# Docker inside a KVM guest: each layer separately.
machine("docker-in-kvm").dmi("Standard PC (Q35 + ICH9, 2009)", "QEMU", None, "SeaBIOS", "pc-q35-7.2") \
    .file(".dockerenv", "").cpuid("KVMKVMKVM").vm("kvm", "cpuid").in_container("docker", "/.dockerenv")
# Docker with the host's root mounted at /host (Netdata's documented setup).
machine("docker-host-mount", os_key="debian-12").file(".dockerenv", "").in_container("docker", "/.dockerenv") \
    .os("ubuntu-22.04", where="host", path="/host/etc/os-release") \
    .set("NETDATA_HOST_OS_DETECTION", "/host/etc/os-release")

# Podman: /run/.containerenv (rootless: PID 1's environment unreadable).
machine("podman", os_key="fedora-39").file("run/.containerenv", 'engine="podman-4.9.3"\n') \
    .in_container("podman", "/run/.containerenv")
# Podman also sets container=podman for PID 1.
machine("podman-environ", os_key="fedora-39").file("run/.containerenv", "") \
    .file("proc/1/environ", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0"
          "container=podman\0TERM=xterm\0HOME=/root\0") \
    .in_container("podman", "/proc/1/environ")

# LXC with systemd inside: /run/systemd/container.
machine("lxc", os_key="ubuntu-22.04").file("run/systemd/container", "lxc\n") \
    .in_container("lxc", "/run/systemd/container")
# LXC without systemd: container=lxc in PID 1's environment.
machine("lxc-environ", os_key="alpine-3.19").file("proc/1/environ", "container=lxc\0TERM=linux\0") \
    .in_container("lxc", "/proc/1/environ")
machine("lxc-libvirt", os_key="centos-7").file("proc/1/environ",
                                               "PATH=/bin:/sbin\0container=lxc-libvirt\0"
                                               "LIBVIRT_LXC_UUID=00000000-0000-0000-0000-000000000000\0"
                                               "LIBVIRT_LXC_NAME=example\0") \
    .in_container("lxc-libvirt", "/proc/1/environ")

# systemd-nspawn publishes its name and the host's os-release in /run/host.
machine("systemd-nspawn", os_key="arch").file("run/host/container-manager", "systemd-nspawn\n") \
    .file("run/systemd/container", "systemd-nspawn\n") \
    .file("run/host/os-release", OS["fedora-39"][0]) \
    .in_container("systemd-nspawn", "/run/host/container-manager") \
    .expect_os("host", OS["fedora-39"][1], "/run/host/os-release")

# OpenVZ: /proc/vz inside and outside, /proc/bc only on the host.
machine("openvz", os_key="centos-7", release="2.6.32-042stab145.3") \
    .file("proc/vz/veinfo", "").in_container("openvz", "/proc/vz")
machine("openvz-host", os_key="centos-7", release="2.6.32-042stab145.3") \
    .file("proc/vz/veinfo", "").file("proc/bc/0/resources", "")

# WSL1: "Microsoft" in the kernel release; no hypervisor.
Fixture("wsl1").kernel("4.4.0-19041-Microsoft").os("ubuntu-22.04", usr_lib_link=False) \
    .in_container("wsl", "/proc/sys/kernel/osrelease")
# WSL2: a Hyper-V VM whose kernel release says WSL2.
Fixture("wsl2").kernel("5.15.133.1-microsoft-standard-WSL2").os("ubuntu-22.04") \
    .cpuid("Microsoft Hv").vm("microsoft", "cpuid").in_container("wsl", "/proc/sys/kernel/osrelease")

# A Kubernetes pod (containerd): no marker file; kubelet's service variables
# in PID 1's environment; a cgroup namespace gives container-other.
machine("k8s-pod", os_key="debian-12", release="6.1.0-17-cloud-amd64") \
    .dmi("Google Compute Engine", "Google", "Google", "Google", "") \
    .file("proc/1/environ", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0"
          "KUBERNETES_SERVICE_HOST=10.96.0.1\0KUBERNETES_SERVICE_PORT=443\0"
          "KUBERNETES_SERVICE_PORT_HTTPS=443\0KUBERNETES_PORT=tcp://10.96.0.1:443\0HOME=/root\0") \
    .link("proc/self/ns/cgroup", "cgroup:[4026532514]") \
    .file("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n") \
    .file("sys/fs/cgroup/cgroup.events", "populated 1\nfrozen 0\n") \
    .file("sys/fs/cgroup/cgroup.type", "domain\n") \
    .cpuid("KVMKVMKVM").vm("google", "dmi") \
    .in_container("container-other", "cgroup-namespace").set("NETDATA_HOST_IS_K8S_NODE", "true")
# A pod whose runtime is Docker: /.dockerenv decides.
machine("k8s-pod-docker", os_key="ubuntu-22.04").file(".dockerenv", "") \
    .file("proc/1/environ", "KUBERNETES_SERVICE_HOST=10.96.0.1\0KUBERNETES_SERVICE_PORT=443\0") \
    .cpuid("KVMKVMKVM").vm("kvm", "cpuid") \
    .in_container("docker", "/.dockerenv").set("NETDATA_HOST_IS_K8S_NODE", "true")
# Only one of the two variables: not Kubernetes.
machine("k8s-half").file("proc/1/environ", "KUBERNETES_SERVICE_HOST=10.96.0.1\0")

# container=oci names no manager: the marker files decide.
machine("oci-docker", os_key="alpine-3.19").file(".dockerenv", "") \
    .file("proc/1/environ", "container=oci\0").in_container("docker", "/proc/1/environ")
machine("oci-bare", os_key="alpine-3.19").file("proc/1/environ", "container=oci\0") \
    .in_container("container-other", "/proc/1/environ")
# CRI-O's "crio" is no systemd name: container-other.
machine("crio", os_key="rhel-9").file("run/systemd/container", "crio\n") \
    .in_container("container-other", "/run/systemd/container")
# /run/host/container-manager beats a leaked /.dockerenv.
machine("nspawn-with-dockerenv", os_key="debian-12").file("run/host/container-manager", "systemd-nspawn\n") \
    .file(".dockerenv", "").in_container("systemd-nspawn", "/run/host/container-manager")
# cgroup v1: a systemd hierarchy without release_agent is a nested one.
machine("cgroupns-v1").link("proc/self/ns/cgroup", "cgroup:[4026532300]") \
    .file("sys/fs/cgroup/systemd/cgroup.procs", "1\n") \
    .in_container("container-other", "cgroup-namespace")
# cgroup v2 root cgroup (a host): no cgroup.events: no container.
machine("cgroup-v2-host").link("proc/self/ns/cgroup", "cgroup:[4026531835]") \
    .file("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n") \
    .file("sys/kernel/cgroup/features", "nsdelegate\nmemory_localevents\n")
# proot: our tracer is proot.
machine("proot", os_key="alpine-3.19") \
    .file("proc/self/status", "Name:\tsysinfo\nState:\tR (running)\nTgid:\t4300\nPid:\t4300\n"
          "PPid:\t4242\nTracerPid:\t4242\nUid:\t0\t0\t0\t0\n") \
    .file("proc/4242/comm", "proot\n").in_container("proot", "/proc/self/status")
# Traced by something else (strace, gdb): not a container.
machine("traced-not-proot") \
    .file("proc/self/status", "Name:\tsysinfo\nTracerPid:\t777\n").file("proc/777/comm", "strace\n")

# ---- os-release: real distributions ---------------------------------------

for key in sorted(OS):
    Fixture("os-" + key).os(key)

# ---- os-release: the rules and the edge cases -----------------------------

# /usr/lib/os-release when /etc has none.
Fixture("os-usrlib-fallback").os("arch", path="/usr/lib/os-release")
# Both exist: /etc wins, whole; never mixed with /usr/lib.
Fixture("os-etc-wins-no-mix").file("etc/os-release", 'NAME="Only Name"\n') \
    .file("usr/lib/os-release", OS["debian-12"][0]) \
    .expect_os("host", ("Only Name", None, None, None, None), "/etc/os-release")
# An empty /etc/os-release exists: it is the one read (all unknown); neither
# /usr/lib/os-release nor lsb-release fills it in.
Fixture("os-etc-empty").file("etc/os-release", "") \
    .file("usr/lib/os-release", OS["debian-12"][0]) \
    .file("etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=12.04\n") \
    .expect_os("host", (None, None, None, None, None), "/etc/os-release")
# Relative link, as Debian, Fedora, Arch ship it.
Fixture("os-symlink-relative").os("fedora-39", usr_lib_link=True)
# Absolute link: followed inside the root, not on this machine.
Fixture("os-symlink-absolute").file("usr/lib/os-release", OS["gentoo"][0]) \
    .link("etc/os-release", "/usr/lib/os-release") \
    .expect_os("host", OS["gentoo"][1], "/etc/os-release")
# ".." never climbs out of the root.
Fixture("os-symlink-dotdot").file("usr/lib/os-release", OS["void"][0]) \
    .link("etc/os-release", "../../../../../../../../usr/lib/os-release") \
    .expect_os("host", OS["void"][1], "/etc/os-release")
# A link to a directory link: etc -> /private/etc, and a chain of links.
Fixture("os-symlink-dirs").file("private/etc/real-os-release", OS["alpine-3.19"][0]) \
    .link("etc", "/private/etc").link("private/etc/os-release", "chain1") \
    .link("private/etc/chain1", "./../etc/chain2").link("private/etc/chain2", "real-os-release") \
    .expect_os("host", OS["alpine-3.19"][1], "/etc/os-release")
# A dangling /etc link counts as missing: /usr/lib is read.
Fixture("os-symlink-dangling").link("etc/os-release", "/nonexistent/os-release") \
    .os("nixos-23.11", path="/usr/lib/os-release")
# A link loop is an error, not a missing file: nothing is guessed.
Fixture("os-symlink-loop").link("etc/os-release", "os-release-b") \
    .link("etc/os-release-b", "/etc/os-release") \
    .file("usr/lib/os-release", OS["debian-12"][0])
# A link pointing outside, to an absolute path that exists on most hosts,
# lands inside the root, where it does not exist.
Fixture("os-symlink-outside").link("etc/os-release", "/proc/self/root/etc/os-release") \
    .expect_os("host", (None,) * 5, "unknown")
# lsb-release only (old Ubuntu).
Fixture("os-lsb-only").file("etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=12.04\n"
                            "DISTRIB_CODENAME=precise\nDISTRIB_DESCRIPTION=\"Ubuntu 12.04.5 LTS\"\n") \
    .expect_os("host", ("Ubuntu", "ubuntu", None, "12.04", "12.04"), "/etc/lsb-release")
# lsb-release is ignored when an os-release exists.
Fixture("os-lsb-ignored").os("ubuntu-22.04") \
    .file("etc/lsb-release", "DISTRIB_ID=Other\nDISTRIB_RELEASE=1\n")
# Nothing at all.
Fixture("nothing")
# Quotes and escapes, comments, repeated and unknown keys.
Fixture("os-syntax").file("etc/os-release", """# a comment
   # an indented comment

NAME='Single $(quoted) `text` \\n'
ID="dq\\"esc\\\\aped\\$x\\`y\\z"
ID_LIKE=un\\ quoted\\ escapes
VERSION="first"
VERSION="last wins"
VERSION_ID=1.0 # a trailing comment
UNKNOWN_KEY=ignored
name=lower-case-key-ignored
""").expect_os("host", ("Single $(quoted) `text` \\n", 'dq"esc\\aped$x`y\\z', "un quoted escapes",
                        "last wins", "1.0"), "/etc/os-release")
# CRLF line ends and no final newline.
Fixture("os-crlf").file("etc/os-release", 'NAME="CR LF"\r\nID=crlf\r\nVERSION_ID="1"\r\nVERSION="1 (x)"') \
    .expect_os("host", ("CR LF", "crlf", None, "1 (x)", "1"), "/etc/os-release")
# Old Mac-style CR line ends.
Fixture("os-cr").file("etc/os-release", 'NAME="Carriage"\rID=cr\rID_LIKE="a b"\r') \
    .expect_os("host", ("Carriage", "cr", "a b", None, None), "/etc/os-release")
# Empty values are no values.
Fixture("os-empty-values").file("etc/os-release", 'NAME=""\nID=\nID_LIKE=\'\'\nVERSION="  "\nVERSION_ID=7\n') \
    .expect_os("host", (None, None, None, None, "7"), "/etc/os-release")
# Blanks around '=' and tabs: tolerated.
Fixture("os-blanks").file("etc/os-release", '\tNAME = "Blank Around"\nID\t=\tblanks  \n') \
    .expect_os("host", ("Blank Around", "blanks", None, None, None), "/etc/os-release")
# Hostile text: printed literally, never run or expanded.
Fixture("os-hostile").file("etc/os-release", """NAME="$(touch /tmp/pwned)"
ID=`id`
ID_LIKE=${HOME}; rm -rf /
VERSION="unclosed
VERSION_ID=2
VERSION='still "unclosed
""").expect_os("host", ("$(touch /tmp/pwned)", "`id`", "${HOME}; rm -rf /", None, "2"),
               "/etc/os-release")
# Container with the host's os-release in /run/host, and an unreadable
# combination: /host/etc/os-release is preferred.
machine("docker-both-host-files", os_key="alpine-3.19").file(".dockerenv", "") \
    .in_container("docker", "/.dockerenv") \
    .os("debian-12", where="host", path="/host/etc/os-release") \
    .file("run/host/os-release", OS["arch"][0])

# "make dist" writes a v7 tar, which silently drops paths over 99 bytes:
# keep every fixture path short enough (fixtures.bats checks it too).
for fx in fixtures:
    for dirpath, _, files in os.walk(fx.root):
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), os.path.dirname(os.path.dirname(HERE)))
            assert len("anonymous-statistics-0.1.0/" + rel) <= 99, "path too long for tar: " + rel

for fx in fixtures:
    if not os.listdir(fx.root):
        # git keeps no empty directory: a file sysinfo never reads keeps it.
        fx.file(".keep", "This root is empty on purpose.\n")
    fx.write()
print("wrote %d fixtures into %s" % (len(fixtures), OUT))

# ---- the test file --------------------------------------------------------
# fixtures.bats: one test per fixture, so that a failure names it; the
# checks themselves are in fixture-helpers.bash.

BATS_HEAD = """#!/usr/bin/env bats
# Written by make-fixtures.py: edit that, run it, commit both.  One test per
# fixture tree under fixtures/; the checks are in fixture-helpers.bash.

load fixture-helpers

@test "every fixture directory has an expected output and a test here, and back" {
\tcheck_fixture_files
}

@test "every fixture path fits the 99 bytes a v7 tar (make dist) can store" {
\tcheck_fixture_paths
}
"""


def description(fx):
    """What the test of fixture fx says it checks."""
    if fx.name.startswith("os-") or fx.name == "nothing":
        return "os-release rules give the expected OS fields"
    return "virtualization %s, container %s" % (fx.exp["NETDATA_SYSTEM_VIRTUALIZATION"],
                                               fx.exp["NETDATA_SYSTEM_CONTAINER"])


with open(os.path.join(HERE, "fixtures.bats"), "w") as f:
    f.write(BATS_HEAD)
    for fx in sorted(fixtures, key=lambda fx: fx.name + ":"):
        f.write('\n@test "%s: %s" {\n\tcheck_fixture %s\n}\n' % (fx.name, description(fx), fx.name))
print("wrote %s" % os.path.join(HERE, "fixtures.bats"))
