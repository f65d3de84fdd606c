#!/usr/bin/env bats
# Opt-out proof: every mechanism x every event, for the script alone and
# through the reference daemon (libanonstats), makes no connection attempt.
# Two witnesses: the loopback server the endpoint points at counts every
# TCP connection it accepts, and strace, following every process, finds no
# connect(), sendto(), sendmsg() or sendmmsg() naming an AF_INET or AF_INET6
# address (Unix sockets, e.g. to nscd or syslog, are not the network and are
# not counted).  Each combination runs once, under strace; a control run of
# the same harness with nothing opted out must see connections, so the
# proof can fail.  tests/script/optout.bats proves the other promises
# (silence, no helper run, --status); Netdata's daemon: optout-netdata.bats.

load hardening-helpers
load ../daemon/daemon-helpers

setup() {
	need_strace
	script_setup
	ulimit -c 0
	CFG="$BATS_TEST_TMPDIR/config"
	USER_CFG="$BATS_TEST_TMPDIR/user-config"
	mkdir -p "$CFG" "$USER_CFG"
	STAGED=$(staged_script "$CFG")
	serve counter ok
	export ANONYMOUS_STATISTICS_URL="http://$counter_HOSTPORT/capture/"
	CLOUD_PORT=$(closed_port)
}

teardown() {
	daemon_cleanup
	servers_stop
}

# opt_out MECHANISM: make MECHANISM hold (files, or the variable exported);
# prints "ordinary" when only the ordinary events are kept from being sent.
opt_out() {
	rm -f "$CFG/.opt-out-from-anonymous-statistics" "$USER_CFG/.opt-out-from-anonymous-statistics" \
		"$CFG/anonymous-statistics.level"
	unset DO_NOT_TRACK DISABLE_TELEMETRY NETDATA_USER_CONFIG_DIR
	case $1 in
	none) ;;
	config-file) : >"$CFG/.opt-out-from-anonymous-statistics" ;;
	user-config-file)
		: >"$USER_CFG/.opt-out-from-anonymous-statistics"
		export NETDATA_USER_CONFIG_DIR=$USER_CFG ;;
	DO_NOT_TRACK) export DO_NOT_TRACK=1 ;;
	DISABLE_TELEMETRY) export DISABLE_TELEMETRY=1 ;;
	level-off) echo off >"$CFG/anonymous-statistics.level" ;;
	level-crashes) echo crashes >"$CFG/anonymous-statistics.level"; echo ordinary ;;
	*) fail "unknown mechanism $1" ;;
	esac
}

# script_events TRACE N: the first N events, each run once by the staged
# script, all under one strace; prints "EVENT: STATUS OUTPUT" per event.
script_events() {
	traced "$1" bash -c "$EACH_EVENT" - "$STAGED" "$2" "" "${EVENTS[@]}"
}

# no_network WHAT TRACE [PORT]: neither witness saw a connection.
no_network() {
	local calls
	calls=$(inet_calls "$2" "${3:-}")
	[ -z "$calls" ] || fail "$1: strace saw: $calls"
	[ "$(connections "$counter_DIR")" -eq 0 ] || fail "$1: the server counted a connection"
}

@test "control: with nothing opted out both witnesses see the script's and the daemon's sends" {
	opt_out none
	run script_events "$BATS_TEST_TMPDIR/script.trace" 1
	assert_output "START: 0 200"
	assert [ -n "$(inet_calls "$BATS_TEST_TMPDIR/script.trace")" ]
	assert_equal "$(connections "$counter_DIR")" 1
	run traced "$BATS_TEST_TMPDIR/daemon.trace" "$BATS_TEST_DIRNAME/daemon-events.sh" \
		"$DAEMON" "$SEND" "$STAGED" "$CFG" "$BATS_TEST_TMPDIR/dstate" \
		"http://127.0.0.1:$CLOUD_PORT/" ordinary
	assert_success
	assert [ -n "$(inet_calls "$BATS_TEST_TMPDIR/daemon.trace" "$CLOUD_PORT")" ]
	# START, CLOUD_CONNECT_FAIL, STOP, then the five sent by anonstats-send.
	assert_equal "$(connections "$counter_DIR")" 9
	# The left-out port is only the daemon's own cloud connection.
	run grep -c "sin_port=htons($CLOUD_PORT)" "$BATS_TEST_TMPDIR/daemon.trace"
	assert_output 1
	# Level crashes still sends what it promises to: the control of its row.
	opt_out level-crashes
	run script_events "$BATS_TEST_TMPDIR/crashes.trace" "${#EVENTS[@]}"
	assert_line "CRASH: 0 200"
	assert_equal "$(connections "$counter_DIR")" 12
}

@test "the script alone: every mechanism x every event: no connection attempt" {
	local mech n
	for mech in config-file user-config-file DO_NOT_TRACK DISABLE_TELEMETRY level-off level-crashes; do
		n=${#EVENTS[@]}
		[ "$(opt_out "$mech")" != ordinary ] || n=$ORDINARY
		opt_out "$mech" >/dev/null
		run script_events "$BATS_TEST_TMPDIR/$mech.trace" "$n"
		assert_success
		# Every event exits 0 and prints nothing.
		[ "${#lines[@]}" -eq "$n" ] || fail "$mech: $output"
		run grep -v -E ': 0 $' <<<"$output"
		[ -z "$output" ] || fail "$mech: $output"
		no_network "$mech" "$BATS_TEST_TMPDIR/$mech.trace"
	done
}

@test "through the reference daemon: every mechanism x every event: no connection attempt" {
	local mech which
	for mech in config-file DO_NOT_TRACK DISABLE_TELEMETRY level-off level-crashes; do
		which=$(opt_out "$mech")
		opt_out "$mech" >/dev/null
		rm -rf "$BATS_TEST_TMPDIR/dstate"
		run traced "$BATS_TEST_TMPDIR/$mech.trace" "$BATS_TEST_DIRNAME/daemon-events.sh" \
			"$DAEMON" "$SEND" "$STAGED" "$CFG" "$BATS_TEST_TMPDIR/dstate" \
			"http://127.0.0.1:$CLOUD_PORT/" "${which:-all}"
		assert_success
		assert_line 'START, CLOUD_CONNECT_FAIL, STOP: 0'
		[ -n "$which" ] || [ "$SEGV_HANDLED" = no ] || assert_line 'FATAL by SIGSEGV: 139'
		no_network "$mech" "$BATS_TEST_TMPDIR/$mech.trace" "$CLOUD_PORT"
	done
}
