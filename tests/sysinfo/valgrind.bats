#!/usr/bin/env bats
# sysinfo itself under valgrind: no invalid access, no uninitialised use, no
# leak (the C unit tests run under valgrind through valgrind-wrapper).

load ../helpers/common

# vg PROGRAM [ARG...]: run under valgrind; any error or leak fails.
vg() {
	skip_if_sanitized "valgrind cannot run programs built with ASan"
	[ "${VALGRIND_TESTS:-no}" = yes ] || skip "valgrind tests are off (no valgrind, or VALGRIND_TESTS=no)"
	run "$top_srcdir/tests/helpers/valgrind-wrapper" --check "$@"
	echo "$output" | tail -n 30
	assert_success
}

@test "sysinfo on this machine, and --json, under valgrind" {
	vg "$top_builddir/helpers/sysinfo/sysinfo"
	vg "$top_builddir/helpers/sysinfo/sysinfo" --json
}

@test "sysinfo --root on container, VM and edge-case fixtures under valgrind" {
	local f=$BATS_TEST_DIRNAME/fixtures
	vg "$top_builddir/helpers/sysinfo/sysinfo" --root "$f/k8s-pod" --cpuid=KVMKVMKVM
	vg "$top_builddir/helpers/sysinfo/sysinfo" --root "$f/aws-nitro" --cpuid=KVMKVMKVM
	vg "$top_builddir/helpers/sysinfo/sysinfo" --root "$f/systemd-nspawn"
	vg "$top_builddir/helpers/sysinfo/sysinfo" --root "$f/os-syntax" --json
	vg "$top_builddir/helpers/sysinfo/sysinfo" --root "$f/dt-fw"
	vg "$top_builddir/helpers/sysinfo/sysinfo" --root "$f/proot"
}
