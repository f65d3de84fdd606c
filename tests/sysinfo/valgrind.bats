#!/usr/bin/env bats
# The C unit tests and sysinfo itself under valgrind: no invalid access, no
# uninitialised use, no leak.

load ../helpers/common

# vg PROGRAM [ARG...]: run under valgrind; any error or leak fails.
vg() {
	skip_if_sanitized "valgrind cannot run programs built with ASan"
	[ -n "${VALGRIND:-}" ] || skip "valgrind is not installed"
	run "$VALGRIND" -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible "$@"
	echo "$output" | tail -n 30
	assert_success
}

@test "unit-text under valgrind" {
	vg "$top_builddir/tests/sysinfo/unit-text"
}

@test "unit-envfile under valgrind" {
	vg "$top_builddir/tests/sysinfo/unit-envfile"
}

@test "unit-procfile under valgrind" {
	vg "$top_builddir/tests/sysinfo/unit-procfile"
}

@test "unit-rootfs under valgrind" {
	TMPDIR=$BATS_TEST_TMPDIR vg "$top_builddir/tests/sysinfo/unit-rootfs"
}

@test "unit-virt under valgrind" {
	vg "$top_builddir/tests/sysinfo/unit-virt"
}

@test "sysinfo on this machine, and --json, under valgrind" {
	vg "$top_builddir/helpers/sysinfo"
	vg "$top_builddir/helpers/sysinfo" --json
}

@test "sysinfo --root on container, VM and edge-case fixtures under valgrind" {
	local f=$BATS_TEST_DIRNAME/fixtures
	vg "$top_builddir/helpers/sysinfo" --root "$f/k8s-pod" --cpuid=KVMKVMKVM
	vg "$top_builddir/helpers/sysinfo" --root "$f/aws-nitro" --cpuid=KVMKVMKVM
	vg "$top_builddir/helpers/sysinfo" --root "$f/systemd-nspawn"
	vg "$top_builddir/helpers/sysinfo" --root "$f/os-syntax" --json
	vg "$top_builddir/helpers/sysinfo" --root "$f/dt-fw"
	vg "$top_builddir/helpers/sysinfo" --root "$f/proot"
}
