#!/usr/bin/env bats
# End to end with the real, unmodified Netdata 1.37 daemon (Debian's
# netdata-core): our script, sysinfo and state helper in its plugins
# directory, a capture server on loopback, everything in a network namespace
# that holds only loopback.  Skips when the daemon is not installed, without
# root, or where namespaces are not allowed.

bats_require_minimum_version 1.5.0
load netdata-helpers

setup() {
	need_real_daemon
	unset DO_NOT_TRACK DISABLE_TELEMETRY
	ND_PID= ND_CHILDREN= VALVE_PID= CAPTURE_PID= NS_PID=
	nd_layout
	ns_start
	ns_capture_start ok
}

teardown() {
	nd_cleanup
}

@test "the real daemon: START, CLOUD_DISABLED and a clean STOP arrive, documented fields only" {
	nd_start
	wait_events 2
	nd_signal TERM
	assert_equal "$ND_STATUS" 0
	assert_equal "$(events)" "START||
CLOUD_DISABLED||
STOP|OK|"
	every_request_clean
	# The daemon knew the planted host name (NETDATA_HOSTNAME): none was sent.
	grep -a -q "Host '$PLANTED_HOST'" "$ND/log/error.log"
}

@test "the real daemon: a real FATAL (its cache directory is not writable) arrives cleaned, then STOP ERROR" {
	chown root:root "$ND/cache"
	nd_start
	nd_wait_exit 20
	assert_equal "$ND_STATUS" 1
	# What the daemon passed, in its own layout: netdata:THREAD and
	# "%04lu@%-10.10s:%-15.15s/%d" (0888@../databas:rrd_init       /0).
	local raw result data line func errno
	raw=$(sed -n "s/.*anonymous-statistics\.sh 'FATAL' '\([^']*\)' '\([^']*\)'.*/\1|\2/p" "$ND/log/error.log")
	assert_regex "$raw" '^netdata:[A-Za-z_]+\|[0-9]{4}@.{10}:.{15}/[0-9]+$'
	result=${raw%%|*}
	data=${raw#*|}
	line=$((10#${data%%@*}))
	func=${data#*@*:}
	errno=${func##*/}
	func=${func%/*}
	func=${func%% *}
	assert_equal "$func" rrd_init
	# The file fragment (../databas) is no source file's name: unknown.
	assert_equal "$(events)" "FATAL|$result|$func:unknown:$line:$errno
STOP|ERROR|"
	# It died before it made its machine GUID: the nil UUID is sent.
	assert [ ! -e "$ND/lib/registry/netdata.public.unique.id" ]
	every_request_clean 00000000-0000-0000-0000-000000000000
}

@test "the real daemon: CRASH arrives on the start after a SIGKILL" {
	nd_start
	wait_events 2
	# ACLK_DISABLED is sent once per lib directory: let it be recorded.
	wait_file "$ND/lib/.aclk_report_sent"
	nd_signal KILL
	assert_equal "$ND_STATUS" 137
	assert [ -e "$ND/lib/.agent_crash" ]
	nd_start
	wait_events 4
	nd_signal TERM
	assert_equal "$ND_STATUS" 0
	assert_equal "$(events)" "START||
CLOUD_DISABLED||
START||
CRASH||
STOP|OK|"
	every_request_clean
}

@test "the real daemon: INCOMPLETE_SHUTDOWN arrives after a shutdown stuck on its log was killed" {
	# The daemon sends EXIT, renames .agent_crash to .agent_incomplete_shutdown
	# and logs its next step: that write blocks, as on a hung log pipe, and
	# the daemon is killed as a service manager's stop timeout would.
	valve_start "anonymous-statistics.sh 'EXIT'"
	nd_start
	wait_events 2
	wait_file "$ND/lib/.aclk_report_sent"
	nd_settled
	nd_children
	kill -TERM "$ND_PID"
	wait_events 3
	wait_file "$ND/log/error.log.stalled"
	wait_file "$ND/lib/.agent_incomplete_shutdown"
	assert [ -e "/proc/$ND_PID" ]
	nd_signal KILL
	assert_equal "$ND_STATUS" 137
	nd_config
	nd_start
	wait_events 5
	nd_signal TERM
	assert_equal "$ND_STATUS" 0
	assert_equal "$(events)" "START||
CLOUD_DISABLED||
STOP|OK|
START||
INCOMPLETE_SHUTDOWN||
STOP|OK|"
	every_request_clean
}

@test "the real daemon: with the opt-out file in its config directory nothing is run or sent" {
	touch "$ND/config/.opt-out-from-anonymous-statistics"
	nd_start
	# Logged between its START and ACLK_DISABLED calls.
	wait_log "This agent doesn't have ACLK."
	nd_signal TERM
	assert_equal "$ND_STATUS" 0
	assert_equal "$(capture_count)" 0
	run grep -a -c 'anonymous-statistics.sh' "$ND/log/error.log"
	assert_output 0
}

@test "the real daemon: DO_NOT_TRACK=1 or DISABLE_TELEMETRY=1 in its environment: run, nothing sent" {
	local var
	for var in DO_NOT_TRACK=1 DISABLE_TELEMETRY=1; do
		: >"$ND/log/error.log"
		nd_start "$var"
		wait_log "This agent doesn't have ACLK."
		nd_signal TERM
		assert_equal "$ND_STATUS" 0
		# Netdata ignores both and runs the script; the script opts out.
		run grep -a -c "anonymous-statistics.sh 'START'" "$ND/log/error.log"
		assert_output 1
		run grep -a -c "anonymous-statistics.sh 'EXIT' 'OK'" "$ND/log/error.log"
		assert_output 1
		assert_equal "$(capture_count)" 0
	done
}

@test "the real daemon: an endpoint that never answers holds each of its calls up 3 s at most" {
	local t0 ms
	capture_stop
	ns_capture_start hang
	nd_start
	wait_log "anonymous-statistics.sh 'START'" 10
	t0=$(date +%s%N)
	# The daemon waits for the script without a limit: each call ends with
	# the script's own bound (network failure, status 5).
	wait_log_count 'Execution of anonymous statistics script returned 5.' 2 15
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	assert [ "$ms" -lt 8000 ]
	nd_signal TERM 20
	assert_equal "$ND_STATUS" 0
	assert [ "$ND_MS" -lt 5000 ]
	run grep -a -c -F 'Execution of anonymous statistics script returned 5.' "$ND/log/error.log"
	assert_output 3
}
