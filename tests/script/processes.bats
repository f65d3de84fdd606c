#!/usr/bin/env bats
# Few processes per event: each fork costs the daemon's machine time.  The
# programs one event runs are counted with strace and bounded here (the
# benchmark, bench/script-bench.py, prints the same count against Netdata's
# script); the old script ran 11 programs and forked 18 times for a START,
# the one bounding sysinfo with timeout(1) and head(1) 8 and 12, the one
# with awk and a separate log step 6 and 6.

bats_require_minimum_version 1.5.0
load script-helpers

setup() {
	command -v strace >/dev/null || skip "needs strace"
	script_setup
	# Under strace LeakSanitizer stops with an error, after a clone of its own.
	no_leak_check_under_ptrace
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	# The real helper, as installed: a C program that starts nothing.
	export ANONYMOUS_STATISTICS_SYSINFO="$top_builddir/helpers/sysinfo/sysinfo"
}

teardown() {
	capture_stop
}

# programs CMD...: the programs CMD and its children executed, one a line.
programs() {
	strace -f -qq -e trace=execve -e signal=none -o "$BATS_TEST_TMPDIR/trace" "$@" >/dev/null 2>&1
	sed -n 's/^[0-9]* *execve("\([^"]*\)".* = 0$/\1/p' "$BATS_TEST_TMPDIR/trace"
}

# forks CMD...: how many processes CMD and its children created.
forks() {
	strace -f -qq -e trace=fork,vfork,clone,clone3 -e signal=none -o "$BATS_TEST_TMPDIR/trace" "$@" >/dev/null 2>&1
	grep -c -E '^[0-9]+ +(fork|vfork|clone|clone3)\(.* = [0-9]+$' "$BATS_TEST_TMPDIR/trace"
}

@test "a START runs at most 4 programs: the script, the state helper, sysinfo, curl" {
	run programs "$SCRIPT" START
	printf '# %s\n' "${lines[@]}" >&3
	assert [ "${#lines[@]}" -le 4 ]
	refute_output --partial /awk
	refute_output --partial /timeout
	refute_output --partial /head
	refute_output --partial /date
	refute_output --partial /mktemp
	refute_output --partial /rm
	refute_output --partial /mv
	refute_output --partial /sleep
	assert_equal "$(capture_count)" 1
}

@test "a START with the facts in the environment runs at most 3 programs" {
	export NETDATA_SYSTEM_KERNEL_NAME=Linux
	run programs "$SCRIPT" START
	assert [ "${#lines[@]}" -le 3 ]
	refute_output --partial sysinfo
}

@test "a START forks twice: sysinfo and curl (the old script: 18)" {
	run forks "$SCRIPT" START
	assert [ "$output" -le 2 ]
	export NETDATA_SYSTEM_KERNEL_NAME=Linux
	run forks "$SCRIPT" START
	assert [ "$output" -le 1 ]
}

@test "a FATAL runs at most 4 programs and forks twice: its claim costs no process (before: 5 and 3)" {
	run programs "$SCRIPT" FATAL netdata:MAIN f:a.c:1
	printf '# %s\n' "${lines[@]}" >&3
	assert [ "${#lines[@]}" -le 4 ]
	assert_equal "$(capture_count)" 1
	run forks "$SCRIPT" FATAL netdata:MAIN f:a.c:2
	assert [ "$output" -le 2 ]
	assert_equal "$(capture_count)" 2
}

@test "a FATAL already sent forks nothing: the script becomes the state helper, which says so (before: 1)" {
	run "$SCRIPT" FATAL netdata:MAIN f:a.c:1
	assert_success
	run forks "$SCRIPT" FATAL netdata:MAIN f:a.c:1
	assert_output 0
	run programs "$SCRIPT" FATAL netdata:MAIN f:a.c:1
	assert [ "${#lines[@]}" -le 2 ]
	assert_equal "$(capture_count)" 1
}

@test "opting out runs no program and forks nothing" {
	DO_NOT_TRACK=1 run programs "$SCRIPT" START
	assert_equal "${#lines[@]}" 1
	DO_NOT_TRACK=1 run forks "$SCRIPT" FATAL netdata:MAIN f:a.c:1
	assert_output 0
}

# The old script ran dd and tr for every event once a level file existed.
@test "a level file costs no program: a START runs the same programs with one" {
	cfg="$BATS_TEST_TMPDIR/etc"
	mkdir "$cfg"
	copy=$(config_dir_copy "$cfg")
	run programs "$copy" START
	without=("${lines[@]}")
	printf 'all\n' >"$cfg/anonymous-statistics.level"
	run programs "$copy" START
	printf '# with a level file: %s\n' "${lines[@]}" >&3
	assert_equal "${#lines[@]}" "${#without[@]}"
	refute_output --partial /dd
	refute_output --partial /tr
	run forks "$copy" START
	assert [ "$output" -le 2 ]
	assert_equal "$(capture_count)" 3
}
