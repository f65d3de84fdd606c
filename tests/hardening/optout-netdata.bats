#!/usr/bin/env bats
# Opt-out proof through the real Netdata 1.37 daemon (see optout-proof.bats
# for the witnesses): each mechanism that reaches our script there (the
# opt-out file in Netdata's config directory, which Netdata checks itself;
# DO_NOT_TRACK and DISABLE_TELEMETRY in the daemon's environment, which it
# passes on; level off or crashes in that directory, which the script reads)
# x every event Netdata sends: START, CRASH and INCOMPLETE_SHUTDOWN (their
# marker files planted in its lib directory, as a killed run leaves them),
# CLOUD_DISABLED, EXIT, and FATAL (its cache directory not writable).  The
# daemon, under strace, runs in a network namespace holding only loopback.
# Skips where Netdata, root, namespaces or strace are missing.

load ../netdata/netdata-helpers
load hardening-helpers

setup() {
	need_real_daemon
	need_strace
	unset DO_NOT_TRACK DISABLE_TELEMETRY
	ND_PID= ND_CHILDREN= VALVE_PID= CAPTURE_PID= NS_PID= TRACER_PID=
	nd_layout
	ns_start
	ns_capture_start ok
}

teardown() {
	nd_cleanup
	if [ -n "${TRACER_PID:-}" ]; then
		kill -KILL "$TRACER_PID" 2>/dev/null || true
		wait "$TRACER_PID" 2>/dev/null || true
	fi
}

# nd_traced_start TRACE [VAR=VALUE...]: nd_start, the daemon under strace
# (into TRACE); ND_PID is the daemon's (a shell writes its pid, then execs
# it: a FATAL can end it before anyone looks), TRACER_PID strace's.
nd_traced_start() {
	local trace=$1 i=0
	shift
	rm -f "$ND/pid"
	ns_exec strace -f -qq --seccomp-bpf -e trace="$TRACED_CALLS" -o "$trace" -- \
		/bin/sh -c 'echo "$$" >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$ND/pid" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
		ANONYMOUS_STATISTICS_URL="$CAPTURE_URL" ANONYMOUS_STATISTICS_KEY="$NETDATA_KEY" \
		"$@" "$NETDATA" -c "$ND/config/netdata.conf" -D >>"$ND/daemon.out" 2>&1 3>&- &
	TRACER_PID=$!
	while [ ! -s "$ND/pid" ]; do
		i=$((i + 1))
		[ "$i" -lt 500 ] || { echo "the daemon did not start under strace" >&2; return 1; }
		sleep 0.01
	done
	ND_PID=$(cat "$ND/pid")
	# (A FATAL may have ended it all already: then there is nothing to check.)
	local net
	net=$(readlink "/proc/$TRACER_PID/ns/net" 2>/dev/null) || return 0
	[ "$net" = "$(readlink "/proc/$NS_PID/ns/net")" ] ||
		{ kill -KILL "$TRACER_PID"; echo "strace is not in the test's namespace" >&2; return 1; }
}

# tracees: the processes our strace still traces.
tracees() {
	grep -l -x "TracerPid:[[:space:]]*$TRACER_PID" /proc/[0-9]*/status 2>/dev/null |
		sed 's|^/proc/\([0-9]*\)/status$|\1|' || true
}

# nd_traced_end [SIGNAL]: signal the daemon (none: it ends by itself) and
# wait for it to end; its spawn server gets 5 s to follow, then is killed
# (strace follows it too); strace ends with the daemon's status (ND_STATUS).
nd_traced_end() {
	local i=0 p
	if [ -n "${1:-}" ]; then
		[ "$1" != TERM ] || nd_settled
		kill "-$1" "$ND_PID"
	fi
	while [ -e "/proc/$ND_PID" ] && [ "$(proc_state "$ND_PID")" != Z ]; do
		i=$((i + 1))
		[ "$i" -lt 400 ] || { echo "the daemon did not end" >&2; return 1; }
		sleep 0.05
	done
	i=0
	while [ -n "$(tracees)" ] && [ "$i" -lt 100 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	for p in $(tracees); do
		[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" != "$NETDATA --special-spawn-server " ] ||
			kill -KILL "$p" 2>/dev/null || true
	done
	ND_STATUS=0
	wait "$TRACER_PID" || ND_STATUS=$?
	ND_PID= TRACER_PID=
}

proc_state() {
	sed -n 's/^.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null
}

# plant_crash_markers: what a killed run leaves in Netdata's lib directory;
# the next start sends CRASH and INCOMPLETE_SHUTDOWN for them.
plant_crash_markers() {
	: >"$ND/lib/.agent_crash"
	: >"$ND/lib/.agent_incomplete_shutdown"
	chown netdata:netdata "$ND/lib/.agent_crash" "$ND/lib/.agent_incomplete_shutdown"
}

# run_and_stop TRACE [VAR=VALUE...]: a start (until it logged its cloud
# state, after START, CRASH and INCOMPLETE_SHUTDOWN) and a clean stop.
run_and_stop() {
	: >"$ND/log/error.log"
	nd_traced_start "$@"
	wait_log "This agent doesn't have ACLK."
	nd_traced_end TERM
	assert_equal "$ND_STATUS" 0
}

# run_fatal TRACE [VAR=VALUE...]: a start that dies of a FATAL: a fresh
# cache directory it cannot write (one it filled before needs no write).
run_fatal() {
	rm -rf "$ND/cache"
	mkdir -m 755 "$ND/cache"
	nd_traced_start "$@"
	nd_traced_end
	assert_equal "$ND_STATUS" 1
	chown netdata:netdata "$ND/cache"
}

# quiet WHAT TRACE: neither witness saw a connection.
quiet() {
	local calls
	calls=$(inet_calls "$2")
	[ -z "$calls" ] || fail "$1: strace saw: $calls"
	[ "$(connections "$CAPTURE_DIR")" -eq 0 ] || fail "$1: the server counted a connection"
}

@test "Netdata control: START, INCOMPLETE_SHUTDOWN, CRASH, CLOUD_DISABLED, EXIT, FATAL are seen by both witnesses" {
	plant_crash_markers
	run_and_stop "$BATS_TEST_TMPDIR/run.trace"
	run_fatal "$BATS_TEST_TMPDIR/fatal.trace"
	run events
	assert_line --index 0 "START||"
	assert_line "INCOMPLETE_SHUTDOWN||"
	assert_line "CRASH||"
	assert_line "CLOUD_DISABLED||"
	assert_line "STOP|OK|"
	assert_line --regexp '^FATAL\|netdata:'
	assert [ "$(inet_calls "$BATS_TEST_TMPDIR/run.trace" | wc -l)" -ge 5 ]
	assert [ -n "$(inet_calls "$BATS_TEST_TMPDIR/fatal.trace")" ]
	assert [ "$(connections "$CAPTURE_DIR")" -ge 6 ]
}

@test "Netdata: each mechanism x every event: no connection attempt" {
	local mech env
	for mech in config-file DO_NOT_TRACK DISABLE_TELEMETRY level-off level-crashes; do
		env=
		case $mech in
		config-file) : >"$ND/config/.opt-out-from-anonymous-statistics" ;;
		DO_NOT_TRACK | DISABLE_TELEMETRY) env=$mech=1 ;;
		level-off) echo off >"$ND/config/anonymous-statistics.level" ;;
		level-crashes) echo crashes >"$ND/config/anonymous-statistics.level" ;;
		esac
		# Level crashes still sends CRASH, INCOMPLETE_SHUTDOWN and FATAL.
		[ "$mech" = level-crashes ] || plant_crash_markers
		run_and_stop "$BATS_TEST_TMPDIR/$mech.trace" ${env:+"$env"}
		quiet "$mech: START, CLOUD_DISABLED, EXIT" "$BATS_TEST_TMPDIR/$mech.trace"
		if [ "$mech" != level-crashes ]; then
			run_fatal "$BATS_TEST_TMPDIR/$mech-fatal.trace" ${env:+"$env"}
			quiet "$mech: FATAL" "$BATS_TEST_TMPDIR/$mech-fatal.trace"
		fi
		rm -f "$ND/config/.opt-out-from-anonymous-statistics" "$ND/config/anonymous-statistics.level"
	done
}
