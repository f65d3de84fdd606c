#!/usr/bin/env bats
# Bounds: every run ends within 3 s of its start, whatever the helper, the
# endpoint and the inherited signal dispositions do; the reply is never
# stored, so an endless one fills nothing; a killed run leaves no file.
# The state helper bounds both sysinfo and the transport; each helper case
# runs with each transport in turn (curl, GNU wget, BusyBox wget).

bats_require_minimum_version 1.5.0
load script-helpers

BOUND_MS=3000

setup() {
	script_setup
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir -p "$TMPDIR"
	PORTABLE="$BATS_TEST_TMPDIR/portable"
	base_tools "$PORTABLE"
	tool_path "$PORTABLE" curl
	WGET_PATH="$BATS_TEST_TMPDIR/wget"
	base_tools "$WGET_PATH"
	tool_path "$WGET_PATH" wget
	BUSYBOX_PATH="$BATS_TEST_TMPDIR/busybox"
	base_tools "$BUSYBOX_PATH"
	ln -sf "$(command -v busybox)" "$BUSYBOX_PATH/wget"
}

teardown() {
	capture_stop
	pkill -KILL -f "$BATS_TEST_TMPDIR/" 2>/dev/null || true
}

# helper NAME BODY: a fake sysinfo running BODY (sh), made the helper.
helper() {
	{
		echo '#!/bin/sh'
		printf '%s\n' "$2"
	} >"$BATS_TEST_TMPDIR/$1"
	chmod +x "$BATS_TEST_TMPDIR/$1"
	export ANONYMOUS_STATISTICS_SYSINFO="$BATS_TEST_TMPDIR/$1"
}

# styles: each transport in turn, as a PATH in STYLE_PATHS (curl, GNU wget,
# BusyBox wget), for the helper cases.
styles() {
	STYLE_PATHS=("$PATH" "$WGET_PATH" "$BUSYBOX_PATH")
}

# within_bound [PATH=...] CMD...: run CMD (with the given PATH, default
# the full one) and check it ended within the bound.
within_bound() {
	local path=$PATH
	case $1 in PATH=*) path=${1#PATH=}; shift ;; esac
	PATH=$path timed_run --separate-stderr "$@"
	[ "$ELAPSED_MS" -lt "$BOUND_MS" ] || fail "took $ELAPSED_MS ms: $*"
}

@test "a helper whose child keeps its output open: within 3 s, the child killed, every transport" {
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	cp "$(command -v sleep)" "$BATS_TEST_TMPDIR/keeper"
	helper keeps-open "('$BATS_TEST_TMPDIR/keeper' 31) & echo NETDATA_SYSTEM_KERNEL_NAME=Linux"
	styles
	for style_path in "${STYLE_PATHS[@]}"; do
		within_bound PATH="$style_path" "$SCRIPT" START
		assert_success
		assert_output 200
		run pgrep -f "$BATS_TEST_TMPDIR/keeper"
		assert_failure
	done
	assert_equal "$(capture_count)" 3
	for n in 1 2 3; do
		assert_equal "$(prop "$(body "$n")" system_kernel_name)" Linux
	done
}

@test "a helper whose child leaves its process group (setsid) and keeps the pipe: within 3 s" {
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	# A sleep of its own name, so that teardown kills only this test's.
	cp "$(command -v sleep)" "$BATS_TEST_TMPDIR/escaper"
	helper escapes "setsid '$BATS_TEST_TMPDIR/escaper' 8 & sleep 0.1; echo NETDATA_SYSTEM_KERNEL_NAME=Linux"
	styles
	for style_path in "${STYLE_PATHS[@]}"; do
		within_bound PATH="$style_path" "$SCRIPT" START
		assert_success
	done
	# The state helper takes the facts as soon as the helper has ended.
	assert_equal "$(prop "$(body 1)" system_kernel_name)" Linux
}

@test "a FATAL with the lock held, a hanging helper and a mute endpoint: within 3 s" {
	helper slow "exec sleep 30"
	capture_start hang
	flock "$ANONYMOUS_STATISTICS_STATE_DIR/anonymous-statistics.lock" sleep 20 &
	holder=$!
	sleep 0.2
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL within_bound "$SCRIPT" FATAL netdata:MAIN main:main.c:1
	assert_failure 5
	kill "$holder"
	wait "$holder" 2>/dev/null || true
}

@test "a FATAL's claim waits for the lock until the run is CLAIM_DEADLINE_MS old, then it is sent unclaimed" {
	local claim start began
	claim=$(sed -n 's/^CLAIM_DEADLINE_MS=//p' "$SCRIPT")
	[ -n "$claim" ] || fail "no CLAIM_DEADLINE_MS in the script"
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\ndate +%%s%%N >"%s"\nprintf 200\n' "$BATS_TEST_TMPDIR/curl-began" >"$BATS_TEST_TMPDIR/bin/curl"
	chmod +x "$BATS_TEST_TMPDIR/bin/curl"
	export NETDATA_SYSTEM_KERNEL_NAME=Linux # no sysinfo: only the claim before curl
	# sleep itself holds the locked descriptor: killing it frees the lock.
	"$BASH" -c 'exec 9>>"$1" && flock 9 && exec sleep 20' - "$ANONYMOUS_STATISTICS_STATE_DIR/anonymous-statistics.lock" &
	holder=$!
	sleep 0.2
	start=$(date +%s%N)
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" ANONYMOUS_STATISTICS_URL=https://ph.invalid/ \
		within_bound "$SCRIPT" FATAL netdata:MAIN main:main.c:1
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	assert_success
	assert_output 200
	began=$(( ($(cat "$BATS_TEST_TMPDIR/curl-began") - start) / 1000000 ))
	printf '# curl began %s ms after the start\n' "$began" >&3
	assert [ "$began" -ge $((claim - 50)) ]
	assert [ "$began" -lt $((claim + 600)) ]
	assert [ ! -e "$ANONYMOUS_STATISTICS_STATE_DIR/anonymous-statistics.fatal" ]
}

@test "a helper that ignores SIGTERM and never ends: within 3 s, every transport" {
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	helper stubborn "trap '' TERM; while :; do sleep 1; done"
	styles
	for style_path in "${STYLE_PATHS[@]}"; do
		within_bound PATH="$style_path" "$SCRIPT" START
		assert_success
	done
}

@test "a helper that prints without end: within 3 s, no facts, every transport" {
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	helper endless "exec yes NETDATA_SYSTEM_KERNEL_NAME=x"
	styles
	for style_path in "${STYLE_PATHS[@]}"; do
		within_bound PATH="$style_path" "$SCRIPT" START
		assert_success
	done
	for n in 1 2 3; do
		assert_equal "$(prop "$(body "$n")" system_kernel_name)" unknown
	done
}

@test "the state helper reads the helper whatever SIGCHLD disposition it inherits" {
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	helper quick "echo NETDATA_SYSTEM_KERNEL_NAME=Linux"
	# An ignored SIGCHLD makes children reap themselves: the exit status
	# would be lost and the facts with it.
	within_bound "$BASH" -c 'trap "" CHLD; exec "$1" START' - "$SCRIPT"
	assert_success
	assert_equal "$(prop "$(body)" system_kernel_name)" Linux
	run "$STATE_HELPER" json -F "$ANONYMOUS_STATISTICS_SYSINFO" -T 5000 -- f facts NETDATA_SYSTEM_KERNEL_NAME
	assert_failure 2
	run "$STATE_HELPER" json -F "$BATS_TEST_TMPDIR/no-such-helper" -T 500 -- f facts NETDATA_SYSTEM_KERNEL_NAME
	assert_success
	assert_output '{"system_kernel_name":"unknown"}'
}

@test "a slow helper and a hanging endpoint together: within 3 s, for every transport" {
	helper slow "sleep 10"
	capture_start hang
	for path in "$PATH" "$PORTABLE" "$WGET_PATH" "$BUSYBOX_PATH"; do
		ANONYMOUS_STATISTICS_URL=$CAPTURE_URL within_bound PATH="$path" "$SCRIPT" START
		assert_failure 5
	done
}

@test "started with SIGTERM ignored: a hanging helper and endpoint still end within 3 s" {
	helper stubborn "trap '' TERM; sleep 10"
	capture_start hang
	for path in "$PATH" "$PORTABLE" "$WGET_PATH" "$BUSYBOX_PATH"; do
		ANONYMOUS_STATISTICS_URL=$CAPTURE_URL within_bound PATH="$path" \
			"$BASH" -c 'trap "" TERM INT HUP; exec "$@"' - "$SCRIPT" START
		assert_failure 5
	done
}

@test "an endpoint that drips its answer: within 3 s, for every transport" {
	capture_start drip
	for path in "$PATH" "$WGET_PATH" "$BUSYBOX_PATH"; do
		ANONYMOUS_STATISTICS_URL=$CAPTURE_URL within_bound PATH="$path" "$SCRIPT" START
		assert_failure 5
	done
}

@test "an endless reply body is never stored: TMPDIR stays empty, within 3 s, for every transport" {
	capture_start endless-body
	for path in "$PATH" "$WGET_PATH" "$BUSYBOX_PATH"; do
		ANONYMOUS_STATISTICS_URL=$CAPTURE_URL within_bound PATH="$path" "$SCRIPT" START
		run find "$TMPDIR" "$ANONYMOUS_STATISTICS_STATE_DIR" -type f -size +64k
		assert_output ""
	done
	run ls -A "$TMPDIR"
	assert_output ""
}

@test "endless reply headers are never stored: within 3 s, for every transport" {
	capture_start endless-headers
	for path in "$PATH" "$WGET_PATH" "$BUSYBOX_PATH"; do
		ANONYMOUS_STATISTICS_URL=$CAPTURE_URL within_bound PATH="$path" "$SCRIPT" START
		assert [ "$status" -ne 0 ]
	done
	run ls -A "$TMPDIR"
	assert_output ""
}

@test "the status line decides, not a header that looks like one: GNU and BusyBox wget" {
	for path in "$WGET_PATH" "$BUSYBOX_PATH"; do
		capture_start lie-200
		ANONYMOUS_STATISTICS_URL=$CAPTURE_URL PATH=$path run --separate-stderr "$SCRIPT" START
		assert_failure 6
		assert_output 500
		capture_stop
		capture_start lie-500
		ANONYMOUS_STATISTICS_URL=$CAPTURE_URL PATH=$path run --separate-stderr "$SCRIPT" START
		assert_success
		assert_output 200
		capture_stop
	done
}

@test "no run leaves a file in TMPDIR, not even one killed with SIGKILL mid-send" {
	capture_start hang
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	for path in "$PATH" "$WGET_PATH" "$BUSYBOX_PATH"; do
		PATH=$path "$SCRIPT" START >/dev/null 2>&1 &
		pid=$!
		sleep 0.5
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null || true
	done
	capture_stop
	capture_start ok
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL run "$SCRIPT" START
	assert_success
	run ls -A "$TMPDIR"
	assert_output ""
}

@test "the budget of the one deadline adds up to less than 3 s" {
	local helper claim net kill log
	helper=$(sed -n 's/^HELPER_LIMIT_MS=//p' "$SCRIPT")
	claim=$(sed -n 's/^CLAIM_DEADLINE_MS=//p' "$SCRIPT")
	net=$(sed -n 's/^NETWORK_LIMIT=//p' "$SCRIPT")
	kill=$(sed -n 's/^NETWORK_KILL_MS=//p' "$SCRIPT")
	log=$(sed -n 's/^LOG_DEADLINE_MS=//p' "$SCRIPT")
	[ -n "$helper" ] && [ -n "$claim" ] && [ -n "$net" ] && [ -n "$kill" ] && [ -n "$log" ] ||
		fail "a bound is missing from the script"
	run awk -v h="$helper" -v c="$claim" -v n="$net" -v k="$kill" -v l="$log" \
		'BEGIN { exit !(n * 1000 < k && c + h + k <= l && l <= 2800) }'
	assert_success
}

@test "the state helper waits for the lock until the caller's deadline, not longer" {
	mkdir -p "$BATS_TEST_TMPDIR/st"
	flock "$BATS_TEST_TMPDIR/st/anonymous-statistics.lock" sleep 5 &
	holder=$!
	sleep 0.2
	# A fresh caller with a deadline of 600 ms waits about that long.
	timed_run "$BASH" -c '"$1" -w 600 "$2" log 200 </dev/null' - "$STATE_HELPER" "$BATS_TEST_TMPDIR/st"
	assert_failure 3
	assert [ "$ELAPSED_MS" -ge 500 ]
	assert [ "$ELAPSED_MS" -lt 1500 ]
	# A caller already past its deadline waits only a little (100 ms).
	timed_run "$BASH" -c 'sleep 0.5; "$1" -w 300 "$2" log 200 </dev/null' - "$STATE_HELPER" "$BATS_TEST_TMPDIR/st"
	assert_failure 3
	assert [ "$ELAPSED_MS" -lt 900 ]
	kill "$holder"
	wait "$holder" 2>/dev/null || true
}
