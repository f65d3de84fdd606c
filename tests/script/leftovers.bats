#!/usr/bin/env bats
# Leftovers: whatever ends a run (timeout(1), SIGKILL of the script, the
# library's STOP bound, the sender's own deadline), no process the run
# started outlives it, for every transport (curl, GNU wget, BusyBox wget)
# and for the facts helper.  Each run gets a fresh TMPDIR, which every
# process it starts inherits: /proc/*/environ finds them all.

bats_require_minimum_version 1.5.0
load script-helpers

DAEMON="$top_builddir/daemon/reference/anonstats-daemon"

setup() {
	script_setup
	CURL_PATH="$BATS_TEST_TMPDIR/curl"
	base_tools "$CURL_PATH"
	tool_path "$CURL_PATH" curl
	WGET_PATH="$BATS_TEST_TMPDIR/wget"
	base_tools "$WGET_PATH"
	tool_path "$WGET_PATH" wget
	BUSYBOX_PATH="$BATS_TEST_TMPDIR/busybox"
	base_tools "$BUSYBOX_PATH"
	ln -sf "$(command -v busybox)" "$BUSYBOX_PATH/wget"
	TRANSPORT_PATHS=("$CURL_PATH" "$WGET_PATH" "$BUSYBOX_PATH")
	TIMEOUT=$(command -v timeout)
	MARKS=()
}

teardown() {
	local m
	for m in "${MARKS[@]}"; do
		MARK=$m
		# shellcheck disable=SC2046
		kill -KILL $(leftover_pids) 2>/dev/null || true
	done
	capture_stop
}

# mark: a fresh MARK, the TMPDIR of the next run.
mark() {
	MARK=$(mktemp -d "$BATS_TEST_TMPDIR/run.XXXXXX")
	MARKS+=("$MARK")
}

# leftover_pids: the processes alive with TMPDIR=$MARK, one PID a line.
leftover_pids() {
	grep -lzxF "TMPDIR=$MARK" /proc/[0-9]*/environ 2>/dev/null | sed 's|^/proc/\([0-9]*\)/environ$|\1|'
}

# leftovers: the processes alive with TMPDIR=$MARK, "PID ARGV" a line (a
# zombie has no environment left: it is gone but for its parent's wait).
leftovers() {
	local pid
	for pid in $(leftover_pids); do
		printf '%s %s\n' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
	done
}

# no_leftovers WHAT: within 0.5 s, no process of the marked run is alive.
# The transports' own bounds (curl's 1.7 s) come later than that.
no_leftovers() {
	local i left
	for i in 1 2 3 4 5 6 7 8 9 10; do
		left=$(leftovers)
		[ -n "$left" ] || return 0
		sleep 0.05
	done
	fail "left running after $1:
$left"
}

# connections: how many connections the capture server has accepted.
connections() {
	if [ -f "$CAPTURE_DIR/connections" ]; then wc -l <"$CAPTURE_DIR/connections"; else echo 0; fi
}

# wait_connections N: until the capture server has accepted N connections.
wait_connections() {
	local i
	for i in $(seq 250); do
		[ "$(connections)" -lt "$1" ] || return 0
		sleep 0.02
	done
	fail "the transport never connected"
}

# wait_file PATH: until PATH exists.
wait_file() {
	local i
	for i in $(seq 250); do
		[ ! -e "$1" ] || return 0
		sleep 0.02
	done
	fail "never appeared: $1"
}

# stubborn_helper: a facts helper that ignores SIGTERM and never ends.
stubborn_helper() {
	printf '#!/bin/sh\ntrap "" TERM\n: >"$TMPDIR/helper-started"\nexec %s 1000\n' "$(command -v sleep)" >"$BATS_TEST_TMPDIR/stubborn"
	chmod +x "$BATS_TEST_TMPDIR/stubborn"
}

@test "timeout(1) ends a run mid-send: nothing of it is left, every transport and the helper" {
	capture_start hang
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	# At 1 s each transport is connected, and would go on: curl until
	# 1.7 s, GNU wget 1.5 s after its request, BusyBox wget for ever.
	for path in "${TRANSPORT_PATHS[@]}"; do
		mark
		n=$(connections)
		# Not `run`: it would wait for curl, which holds the script's stderr.
		status=0
		TMPDIR=$MARK PATH=$path "$TIMEOUT" 1 "$SCRIPT" START >"$MARK.out" 2>&1 || status=$?
		assert_equal "$status" 124
		assert [ "$(connections)" -gt "$n" ]
		no_leftovers "timeout(1), $path"
	done
	stubborn_helper
	mark
	status=0
	TMPDIR=$MARK ANONYMOUS_STATISTICS_SYSINFO="$BATS_TEST_TMPDIR/stubborn" "$TIMEOUT" 0.3 "$SCRIPT" START >"$MARK.out" 2>&1 || status=$?
	assert_equal "$status" 124
	assert [ -e "$MARK/helper-started" ]
	no_leftovers "timeout(1), during the helper"
}

@test "SIGKILL ends a run mid-send: nothing of it is left, every transport and the helper" {
	capture_start hang
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	stubborn_helper
	for path in "${TRANSPORT_PATHS[@]}" helper; do
		mark
		if [ "$path" = helper ]; then
			TMPDIR=$MARK ANONYMOUS_STATISTICS_SYSINFO="$BATS_TEST_TMPDIR/stubborn" "$SCRIPT" START 3>&- &
			wait_file "$MARK/helper-started"
		else
			n=$(connections)
			TMPDIR=$MARK PATH=$path "$SCRIPT" START 3>&- &
			wait_connections $((n + 1))
		fi
		kill -KILL "$!"
		wait "$!" 2>/dev/null || true
		no_leftovers "SIGKILL, $path"
	done
}

@test "the library's STOP bound ends a run mid-send: nothing of it is left, every transport" {
	capture_start hang
	mkdir -p "$BATS_TEST_TMPDIR/config" "$BATS_TEST_TMPDIR/daemon-state"
	for path in "${TRANSPORT_PATHS[@]}"; do
		mark
		n=$(connections)
		TMPDIR=$MARK PATH=$path ANONYMOUS_STATISTICS_URL=$CAPTURE_URL \
			"$DAEMON" -f --no-dashboard --stop-timeout 300 --script "$SCRIPT" \
			--config-dir "$BATS_TEST_TMPDIR/config" --state-dir "$BATS_TEST_TMPDIR/daemon-state" \
			2>"$MARK.log" 3>&- &
		pid=$!
		wait_connections $((n + 1)) # START is being sent
		kill -TERM "$pid"
		wait "$pid" || fail "the daemon failed: $(cat "$MARK.log")"
		no_leftovers "the library's STOP bound, $path"
	done
}

@test "at its own deadline the sender kills the whole group: a transport or helper that ignores SIGTERM and forks" {
	local never
	never="trap '' TERM; $(command -v sleep) 1000 & wait"
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	# Output to files, not `run`: it would wait for whoever holds it.
	# The helper, with curl.
	printf '#!/bin/sh\n%s\n' "$never" >"$BATS_TEST_TMPDIR/forking-helper"
	chmod +x "$BATS_TEST_TMPDIR/forking-helper"
	mark
	status=0
	TMPDIR=$MARK ANONYMOUS_STATISTICS_SYSINFO="$BATS_TEST_TMPDIR/forking-helper" "$SCRIPT" START >"$MARK.out" 2>&1 || status=$?
	assert_equal "$status" 0
	no_leftovers "the helper's deadline"
	# The transports, fakes of each kind.
	for kind in curl 'GNU Wget 1.21.3' 'BusyBox v1.35.0'; do
		bin="$BATS_TEST_TMPDIR/fake-$kind"
		base_tools "$bin"
		tool=wget
		[ "$kind" != curl ] || tool=curl
		printf '#!/bin/sh\n[ "$1" != --version ] || { echo "%s"; exit 0; }\n%s\n' "$kind" "$never" >"$bin/$tool"
		chmod +x "$bin/$tool"
		mark
		status=0
		TMPDIR=$MARK PATH=$bin "$SCRIPT" START >"$MARK.out" 2>&1 || status=$?
		assert_equal "$status" 5
		no_leftovers "the transport's deadline, $kind"
	done
}

@test "a sender stopped mid-send (SIGSTOP) still lets no transport run on: each has a bound of its own" {
	local pids=() marks=()
	capture_start hang
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	for path in "${TRANSPORT_PATHS[@]}"; do
		mark
		marks+=("$MARK")
		TMPDIR=$MARK PATH=$path "$SCRIPT" START 3>&- &
		pids+=("$!")
	done
	wait_connections 3
	kill -STOP "${pids[@]}"
	# The sender would have killed them at 1.8 s; each ends by itself.
	sleep 2.2
	for i in 0 1 2; do
		MARK=${marks[$i]}
		run leftover_pids
		kill -KILL "${pids[$i]}"
		wait "${pids[$i]}" 2>/dev/null || true
		assert_output "${pids[$i]}"
	done
}
