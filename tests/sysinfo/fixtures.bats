#!/usr/bin/env bats
# Written by make-fixtures.py: edit that, run it, commit both.  One test per
# fixture tree under fixtures/; the checks are in fixture-helpers.bash.

load fixture-helpers

@test "every fixture directory has an expected output and a test here, and back" {
	check_fixture_files
}

@test "every fixture path fits the 99 bytes a v7 tar (make dist) can store" {
	check_fixture_paths
}

@test "acrn: virtualization acrn, container none" {
	check_fixture acrn
}

@test "apple: virtualization apple, container none" {
	check_fixture apple
}

@test "aws-metal-24xl: virtualization none, container none" {
	check_fixture aws-metal-24xl
}

@test "aws-metal-name: virtualization none, container none" {
	check_fixture aws-metal-name
}

@test "aws-metal: virtualization none, container none" {
	check_fixture aws-metal
}

@test "aws-nitro-noraw: virtualization amazon, container none" {
	check_fixture aws-nitro-noraw
}

@test "aws-nitro: virtualization amazon, container none" {
	check_fixture aws-nitro
}

@test "baremetal: virtualization none, container none" {
	check_fixture baremetal
}

@test "bhyve-dmi: virtualization bhyve, container none" {
	check_fixture bhyve-dmi
}

@test "bhyve: virtualization bhyve, container none" {
	check_fixture bhyve
}

@test "bochs: virtualization bochs, container none" {
	check_fixture bochs
}

@test "cgroup-v2-host: virtualization none, container none" {
	check_fixture cgroup-v2-host
}

@test "cgroupns-v1: virtualization none, container container-other" {
	check_fixture cgroupns-v1
}

@test "cpuid-unknown: virtualization vm-other, container none" {
	check_fixture cpuid-unknown
}

@test "crio: virtualization none, container container-other" {
	check_fixture crio
}

@test "docker-both-host-files: virtualization none, container docker" {
	check_fixture docker-both-host-files
}

@test "docker-host-mount: virtualization none, container docker" {
	check_fixture docker-host-mount
}

@test "docker-in-kvm: virtualization kvm, container docker" {
	check_fixture docker-in-kvm
}

@test "docker: virtualization none, container docker" {
	check_fixture docker
}

@test "dt-fw: virtualization qemu, container none" {
	check_fixture dt-fw
}

@test "dt-kvm: virtualization kvm, container none" {
	check_fixture dt-kvm
}

@test "dt-pseries: virtualization qemu, container none" {
	check_fixture dt-pseries
}

@test "dt-xen: virtualization xen, container none" {
	check_fixture dt-xen
}

@test "google: virtualization google, container none" {
	check_fixture google
}

@test "hypervisor-type-other: virtualization vm-other, container none" {
	check_fixture hypervisor-type-other
}

@test "k8s-half: virtualization none, container none" {
	check_fixture k8s-half
}

@test "k8s-pod-docker: virtualization kvm, container docker" {
	check_fixture k8s-pod-docker
}

@test "k8s-pod: virtualization google, container container-other" {
	check_fixture k8s-pod
}

@test "kvm-hyperv-cpuid: virtualization kvm, container none" {
	check_fixture kvm-hyperv-cpuid
}

@test "kvm-openstack: virtualization kvm, container none" {
	check_fixture kvm-openstack
}

@test "kvm-s390: virtualization kvm, container none" {
	check_fixture kvm-s390
}

@test "kvm: virtualization kvm, container none" {
	check_fixture kvm
}

@test "lxc-environ: virtualization none, container lxc" {
	check_fixture lxc-environ
}

@test "lxc-libvirt: virtualization none, container lxc-libvirt" {
	check_fixture lxc-libvirt
}

@test "lxc: virtualization none, container lxc" {
	check_fixture lxc
}

@test "microsoft: virtualization microsoft, container none" {
	check_fixture microsoft
}

@test "nothing: os-release rules give the expected OS fields" {
	check_fixture nothing
}

@test "nspawn-with-dockerenv: virtualization none, container systemd-nspawn" {
	check_fixture nspawn-with-dockerenv
}

@test "oci-bare: virtualization none, container container-other" {
	check_fixture oci-bare
}

@test "oci-docker: virtualization none, container docker" {
	check_fixture oci-docker
}

@test "openvz-host: virtualization none, container none" {
	check_fixture openvz-host
}

@test "openvz: virtualization none, container openvz" {
	check_fixture openvz
}

@test "oracle: virtualization oracle, container none" {
	check_fixture oracle
}

@test "os-alpine-3.19: os-release rules give the expected OS fields" {
	check_fixture os-alpine-3.19
}

@test "os-amzn-2023: os-release rules give the expected OS fields" {
	check_fixture os-amzn-2023
}

@test "os-arch: os-release rules give the expected OS fields" {
	check_fixture os-arch
}

@test "os-blanks: os-release rules give the expected OS fields" {
	check_fixture os-blanks
}

@test "os-centos-7: os-release rules give the expected OS fields" {
	check_fixture os-centos-7
}

@test "os-cr: os-release rules give the expected OS fields" {
	check_fixture os-cr
}

@test "os-crlf: os-release rules give the expected OS fields" {
	check_fixture os-crlf
}

@test "os-debian-12: os-release rules give the expected OS fields" {
	check_fixture os-debian-12
}

@test "os-debian-testing: os-release rules give the expected OS fields" {
	check_fixture os-debian-testing
}

@test "os-empty-values: os-release rules give the expected OS fields" {
	check_fixture os-empty-values
}

@test "os-etc-empty: os-release rules give the expected OS fields" {
	check_fixture os-etc-empty
}

@test "os-etc-wins-no-mix: os-release rules give the expected OS fields" {
	check_fixture os-etc-wins-no-mix
}

@test "os-fedora-39: os-release rules give the expected OS fields" {
	check_fixture os-fedora-39
}

@test "os-gentoo: os-release rules give the expected OS fields" {
	check_fixture os-gentoo
}

@test "os-hostile: os-release rules give the expected OS fields" {
	check_fixture os-hostile
}

@test "os-linuxmint-21.3: os-release rules give the expected OS fields" {
	check_fixture os-linuxmint-21.3
}

@test "os-lsb-ignored: os-release rules give the expected OS fields" {
	check_fixture os-lsb-ignored
}

@test "os-lsb-only: os-release rules give the expected OS fields" {
	check_fixture os-lsb-only
}

@test "os-nixos-23.11: os-release rules give the expected OS fields" {
	check_fixture os-nixos-23.11
}

@test "os-openeuler-22.03: os-release rules give the expected OS fields" {
	check_fixture os-openeuler-22.03
}

@test "os-opensuse-leap-15.5: os-release rules give the expected OS fields" {
	check_fixture os-opensuse-leap-15.5
}

@test "os-opensuse-tumbleweed: os-release rules give the expected OS fields" {
	check_fixture os-opensuse-tumbleweed
}

@test "os-oracle-8: os-release rules give the expected OS fields" {
	check_fixture os-oracle-8
}

@test "os-photon-5: os-release rules give the expected OS fields" {
	check_fixture os-photon-5
}

@test "os-raspbian-11: os-release rules give the expected OS fields" {
	check_fixture os-raspbian-11
}

@test "os-rhel-9: os-release rules give the expected OS fields" {
	check_fixture os-rhel-9
}

@test "os-rocky-9: os-release rules give the expected OS fields" {
	check_fixture os-rocky-9
}

@test "os-sles-15-sp5: os-release rules give the expected OS fields" {
	check_fixture os-sles-15-sp5
}

@test "os-symlink-absolute: os-release rules give the expected OS fields" {
	check_fixture os-symlink-absolute
}

@test "os-symlink-dangling: os-release rules give the expected OS fields" {
	check_fixture os-symlink-dangling
}

@test "os-symlink-dirs: os-release rules give the expected OS fields" {
	check_fixture os-symlink-dirs
}

@test "os-symlink-dotdot: os-release rules give the expected OS fields" {
	check_fixture os-symlink-dotdot
}

@test "os-symlink-loop: os-release rules give the expected OS fields" {
	check_fixture os-symlink-loop
}

@test "os-symlink-outside: os-release rules give the expected OS fields" {
	check_fixture os-symlink-outside
}

@test "os-symlink-relative: os-release rules give the expected OS fields" {
	check_fixture os-symlink-relative
}

@test "os-syntax: os-release rules give the expected OS fields" {
	check_fixture os-syntax
}

@test "os-ubuntu-22.04: os-release rules give the expected OS fields" {
	check_fixture os-ubuntu-22.04
}

@test "os-usrlib-fallback: os-release rules give the expected OS fields" {
	check_fixture os-usrlib-fallback
}

@test "os-void: os-release rules give the expected OS fields" {
	check_fixture os-void
}

@test "os-wrlinux: os-release rules give the expected OS fields" {
	check_fixture os-wrlinux
}

@test "parallels: virtualization parallels, container none" {
	check_fixture parallels
}

@test "podman-environ: virtualization none, container podman" {
	check_fixture podman-environ
}

@test "podman: virtualization none, container podman" {
	check_fixture podman
}

@test "powervm: virtualization powervm, container none" {
	check_fixture powervm
}

@test "proot: virtualization none, container proot" {
	check_fixture proot
}

@test "qemu-hyperv: virtualization qemu, container none" {
	check_fixture qemu-hyperv
}

@test "qemu-tcg-cpuid: virtualization qemu, container none" {
	check_fixture qemu-tcg-cpuid
}

@test "qemu: virtualization qemu, container none" {
	check_fixture qemu
}

@test "qnx: virtualization qnx, container none" {
	check_fixture qnx
}

@test "smbios-vm-other: virtualization vm-other, container none" {
	check_fixture smbios-vm-other
}

@test "surface: virtualization none, container none" {
	check_fixture surface
}

@test "systemd-nspawn: virtualization none, container systemd-nspawn" {
	check_fixture systemd-nspawn
}

@test "traced-not-proot: virtualization none, container none" {
	check_fixture traced-not-proot
}

@test "uml: virtualization uml, container none" {
	check_fixture uml
}

@test "vmware-dmi: virtualization vmware, container none" {
	check_fixture vmware-dmi
}

@test "vmware: virtualization vmware, container none" {
	check_fixture vmware
}

@test "wsl1: virtualization none, container wsl" {
	check_fixture wsl1
}

@test "wsl2: virtualization microsoft, container wsl" {
	check_fixture wsl2
}

@test "xen-dom0-capabilities: virtualization none, container none" {
	check_fixture xen-dom0-capabilities
}

@test "xen-dom0-in-kvm: virtualization kvm, container none" {
	check_fixture xen-dom0-in-kvm
}

@test "xen-dom0: virtualization none, container none" {
	check_fixture xen-dom0
}

@test "xen-hvm-domu: virtualization xen, container none" {
	check_fixture xen-hvm-domu
}

@test "xen-pv-domu: virtualization xen, container none" {
	check_fixture xen-pv-domu
}

@test "zvm: virtualization zvm, container none" {
	check_fixture zvm
}
