#!/usr/bin/env bats
# Portability: shellcheck -s sh is clean; a core subset runs under dash,
# bash --posix and BusyBox ash, and with BusyBox's awk, sed, date, wget...
# (as on Alpine); the escaping table comes out the same everywhere.

bats_require_minimum_version 1.5.0
load script-helpers
load hostile

setup() {
	hostile_setup
}

teardown() {
	hostile_teardown
}

@test "shellcheck -s sh finds nothing in the built script" {
	command -v shellcheck >/dev/null || skip "shellcheck is not installed"
	run shellcheck -s sh "$SCRIPT"
	assert_success
	assert_output ""
}

@test "the script never evaluates anything: no eval, no sh -c, no source" {
	run grep -n -E '^[^#]*(\beval\b|\bsh -c\b|^[[:space:]]*\. |\bsource\b)' "$SCRIPT"
	assert_failure
	assert_output ""
}

# core SHELL...: the core subset under the shell command SHELL...
core() {
	local hidx n=0
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL

	# Every ACTION, sent.
	for args in START "STOP ERROR" "EXIT OK" "FATAL netdata:WEB[10.0.0.1:1] f:/x/a.c:9:EIO" \
		CLOUD_DISABLED "CLOUD_BUILD_FAIL - dep" "CLOUD_CONNECT_FAIL - 5,7"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$@" "$SCRIPT" $args
		assert_success
		assert_output 200
		n=$((n + 1))
		check_strings "$(body "$n")" SYSTEM_KERNEL_NAME system_kernel_name
	done
	assert_equal "$(jq -r .properties.action_result "$(body 4)")" netdata:WEB
	[[ $(jq -r .timestamp "$(body 1)") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] ||
		fail "timestamp: $(jq -r .timestamp "$(body 1)")"
	assert_equal "$(jq -r .properties.action_data "$(body 4)")" f:a.c:9:EIO

	# Opt-out, no key, usage error, a refused connection, an HTTP error.
	DO_NOT_TRACK=0 run "$@" "$SCRIPT" START
	assert_success
	assert_output ""
	ANONYMOUS_STATISTICS_KEY= run --separate-stderr "$@" "$(keyless_copy)" START
	assert_failure 3
	run --separate-stderr "$@" "$SCRIPT" BOGUS
	assert_failure 2
	ANONYMOUS_STATISTICS_URL=http://127.0.0.1:1/ run --separate-stderr "$@" "$SCRIPT" START
	assert_failure 5
	ANONYMOUS_STATISTICS_URL=http://192.0.2.1/ run --separate-stderr "$@" "$SCRIPT" START
	assert_failure 3
	assert_equal "$(capture_count)" "$n"

	# --status and --dry-run.
	NETDATA_USER_CONFIG_DIR=$BATS_TEST_TMPDIR run "$@" "$SCRIPT" --status
	assert_line --index 0 "anonymous statistics: enabled"
	: >"$BATS_TEST_TMPDIR/.opt-out-from-anonymous-statistics"
	NETDATA_USER_CONFIG_DIR=$BATS_TEST_TMPDIR run "$@" "$SCRIPT" --status
	assert_line --index 1 --partial "$BATS_TEST_TMPDIR/.opt-out-from-anonymous-statistics"
	rm "$BATS_TEST_TMPDIR/.opt-out-from-anonymous-statistics"

	# The escaping table, exact, in NETDATA_VERSION and a fact from the helper.
	for hidx in "${!HOSTILE[@]}"; do
		RC=0
		NETDATA_VERSION=${HOSTILE[$hidx]} "$@" "$SCRIPT" --dry-run START >"$BATS_TEST_TMPDIR/out" 2>/dev/null || RC=$?
		assert_equal "$RC" 0
		check_strings "$BATS_TEST_TMPDIR/out" "${HOSTILE[$hidx]}" netdata_version
		RC=0
		"$@" "$SCRIPT" --dry-run FATAL "${HOSTILE[$hidx]}" "${HOSTILE[$hidx]}" >"$BATS_TEST_TMPDIR/out" 2>/dev/null || RC=$?
		assert_equal "$RC" 0
		check_valid "$BATS_TEST_TMPDIR/out"
	done

	# The watchdog: a hanging helper is killed after a second.
	printf '#!/bin/sh\nexec sleep 30\n' >"$BATS_TEST_TMPDIR/hang"
	chmod +x "$BATS_TEST_TMPDIR/hang"
	ANONYMOUS_STATISTICS_SYSINFO="$BATS_TEST_TMPDIR/hang" timed_run "$@" "$SCRIPT" --dry-run START
	assert_success
	assert [ "$ELAPSED_MS" -lt 4000 ]
	checks_done
}

@test "dash: the core subset" {
	command -v dash >/dev/null || skip "dash is not installed"
	core dash
}

@test "bash --posix: the core subset" {
	core bash --posix
}

@test "BusyBox ash: the core subset" {
	command -v busybox >/dev/null || skip "busybox is not installed"
	core busybox ash
}

@test "BusyBox ash with only BusyBox tools (awk, sed, date, wget...): the core subset" {
	command -v busybox >/dev/null || skip "busybox is not installed"
	busybox_path "$BATS_TEST_TMPDIR/bb"
	# The test itself keeps the system tools; only the script sees BusyBox's.
	core env PATH="$BATS_TEST_TMPDIR/bb" "$(command -v busybox)" ash
}

@test "a UTF-8 locale in the environment changes nothing (the script works on bytes)" {
	local hidx
	for hidx in "${!HOSTILE[@]}"; do
		RC=0
		LANG=C.UTF-8 LC_ALL=C.UTF-8 LC_CTYPE=C.UTF-8 NETDATA_VERSION=${HOSTILE[$hidx]} \
			"$SCRIPT" --dry-run START >"$BATS_TEST_TMPDIR/out" 2>/dev/null || RC=$?
		assert_equal "$RC" 0
		check_strings "$BATS_TEST_TMPDIR/out" "${HOSTILE[$hidx]}" netdata_version
	done
	checks_done
}

@test "a hostile IFS or PATH entries in the environment change nothing" {
	RC=0
	IFS=':/' NETDATA_VERSION='a b:c/d' "$SCRIPT" --dry-run FATAL 'p:t' 'f:a.c:1' >"$BATS_TEST_TMPDIR/out" || RC=$?
	assert_equal "$RC" 0
	assert_equal "$(jq -r .properties.netdata_version "$BATS_TEST_TMPDIR/out")" 'a b:c/d'
	assert_equal "$(jq -r .properties.action_data "$BATS_TEST_TMPDIR/out")" 'f:a.c:1'
}
