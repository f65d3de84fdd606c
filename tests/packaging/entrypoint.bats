#!/usr/bin/env bats
# The container's entrypoint, run directly: with DO_NOT_TRACK or
# DISABLE_TELEMETRY it creates the opt-out file before it starts the daemon
# (or any command); without them it leaves the config directory alone.
# A copy of it points its two layout lines into the test's directory.

load ../helpers/common
load ../daemon/daemon-helpers

setup() {
	unset DO_NOT_TRACK DISABLE_TELEMETRY
	CONFIG_DIR="$BATS_TEST_TMPDIR/etc/netdata"
	OPT_OUT="$CONFIG_DIR/.opt-out-from-anonymous-statistics"
	SEEN="$BATS_TEST_TMPDIR/seen"
	# A daemon that records what it found when it was started.
	FAKE_DAEMON=$(fake_script fake-daemon "
if [ -e '$OPT_OUT' ]; then echo opt-out-file=present; else echo opt-out-file=absent; fi >'$SEEN'
printf 'arg=%s\n' \"\$@\" >>'$SEEN'
echo DO_NOT_TRACK=\${DO_NOT_TRACK-unset} >>'$SEEN'")
	ENTRYPOINT=$(edited_entrypoint "$FAKE_DAEMON")
}

teardown() {
	daemon_cleanup
	capture_stop
	chmod -R u+w "$BATS_TEST_TMPDIR" 2>/dev/null || true
}

# edited_entrypoint DAEMON: the entrypoint with CONFIG_DIR and DAEMON moved.
edited_entrypoint() {
	local out="$BATS_TEST_TMPDIR/entrypoint.sh"
	sed -e "s|^CONFIG_DIR=/etc/netdata\$|CONFIG_DIR='$CONFIG_DIR'|" \
		-e "s|^DAEMON=/usr/sbin/anonstats-daemon\$|DAEMON='$1'|" \
		"$top_srcdir/packaging/docker/entrypoint.sh" >"$out"
	chmod +x "$out"
	echo "$out"
}

@test "the edited copy moved both layout lines (else every test here is vacuous)" {
	run grep -c -e "^CONFIG_DIR='$CONFIG_DIR'\$" -e "^DAEMON='$FAKE_DAEMON'\$" "$ENTRYPOINT"
	assert_output 2
}

@test "DO_NOT_TRACK=1: the opt-out file exists when the daemon starts" {
	DO_NOT_TRACK=1 run "$ENTRYPOINT"
	assert_success
	assert [ -f "$OPT_OUT" ]
	assert [ ! -s "$OPT_OUT" ]
	run cat "$SEEN"
	assert_line --index 0 opt-out-file=present
	assert_line DO_NOT_TRACK=1
}

@test "DISABLE_TELEMETRY=yes: the opt-out file exists when the daemon starts" {
	DISABLE_TELEMETRY=yes run "$ENTRYPOINT"
	assert_success
	run cat "$SEEN"
	assert_line --index 0 opt-out-file=present
}

@test "DO_NOT_TRACK=0 and DISABLE_TELEMETRY=false opt out too: any non-empty value" {
	for var in DO_NOT_TRACK=0 DISABLE_TELEMETRY=false; do
		rm -f "$OPT_OUT" "$SEEN"
		run env "$var" "$ENTRYPOINT"
		assert_success
		run cat "$SEEN"
		assert_line --index 0 opt-out-file=present
	done
}

@test "neither variable (or both empty): no opt-out file, the daemon runs in the foreground" {
	run "$ENTRYPOINT"
	assert_success
	assert [ ! -e "$OPT_OUT" ]
	run cat "$SEEN"
	assert_output "opt-out-file=absent
arg=--foreground
arg=--config-dir
arg=$CONFIG_DIR
DO_NOT_TRACK=unset"
	DO_NOT_TRACK= DISABLE_TELEMETRY= run "$ENTRYPOINT"
	assert_success
	assert [ ! -e "$OPT_OUT" ]
}

@test "options go to the daemon after its own; a command runs instead, after the opt-out" {
	run "$ENTRYPOINT" --cloud-url http://127.0.0.1:9/ -c "/x y"
	assert_success
	run cat "$SEEN"
	assert_output "opt-out-file=absent
arg=--foreground
arg=--config-dir
arg=$CONFIG_DIR
arg=--cloud-url
arg=http://127.0.0.1:9/
arg=-c
arg=/x y
DO_NOT_TRACK=unset"
	DO_NOT_TRACK=1 run "$ENTRYPOINT" sh -c 'test -f "$1" && echo "command saw the file"' sh "$OPT_OUT"
	assert_success
	assert_output "command saw the file"
}

@test "a link planted at the opt-out path is not followed, and still counts as opted out" {
	mkdir -p "$CONFIG_DIR"
	ln -s "$BATS_TEST_TMPDIR/target" "$OPT_OUT"
	DO_NOT_TRACK=1 run "$ENTRYPOINT"
	assert_success
	assert [ ! -e "$BATS_TEST_TMPDIR/target" ]
	assert [ -L "$OPT_OUT" ]
}

@test "an existing opt-out file is kept as it is" {
	mkdir -p "$CONFIG_DIR"
	printf 'mine\n' >"$OPT_OUT"
	DO_NOT_TRACK=1 run "$ENTRYPOINT"
	assert_success
	assert_equal "$(cat "$OPT_OUT")" mine
}

@test "a config directory it cannot create: a warning, and the daemon starts with DO_NOT_TRACK" {
	# A regular file where a directory should be stops even root, as a
	# read-only volume would.
	: >"$BATS_TEST_TMPDIR/not-a-dir"
	CONFIG_DIR="$BATS_TEST_TMPDIR/not-a-dir/netdata"
	OPT_OUT="$CONFIG_DIR/.opt-out-from-anonymous-statistics"
	ENTRYPOINT=$(edited_entrypoint "$FAKE_DAEMON")
	DO_NOT_TRACK=1 run "$ENTRYPOINT"
	assert_success
	assert_output --partial "cannot create $OPT_OUT"
	run cat "$SEEN"
	assert_line --index 0 opt-out-file=absent
	assert_line DO_NOT_TRACK=1
}

# real_entrypoint_run: the daemon, script and sysinfo of this build through
# the entrypoint, in the background, against a new capture server.
real_entrypoint_run() {
	ENTRYPOINT=$(edited_entrypoint "$top_builddir/daemon/reference/anonstats-daemon")
	capture_start
	DAEMON_LOG="$BATS_TEST_TMPDIR/daemon.log"
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL ANONYMOUS_STATISTICS_KEY=phc_entrypoint_test \
		ANONYMOUS_STATISTICS_SYSINFO="$top_builddir/helpers/sysinfo/sysinfo" \
		ANONYMOUS_STATISTICS_STATE_HELPER="$top_builddir/helpers/sender/anonymous-statistics-sender" \
		ANONYMOUS_STATISTICS_STATE_DIR="$BATS_TEST_TMPDIR/script-state" \
		"$ENTRYPOINT" --script "$top_builddir/daemon/anonymous-statistics.sh" \
		--state-dir "$BATS_TEST_TMPDIR/state" 2>"$DAEMON_LOG" 3>&- &
	DAEMON_PID=$!
	wait_log 'ready (pid'
}

@test "the real daemon through the entrypoint: START arrives without the variables" {
	real_entrypoint_run
	capture_wait 1
	daemon_stop
	capture_wait 2
	run captured_events
	assert_output "START		
STOP	OK	"
}

@test "the real daemon through the entrypoint: DO_NOT_TRACK=1 sends nothing, and the file keeps it so" {
	DO_NOT_TRACK=1 real_entrypoint_run
	assert [ -f "$OPT_OUT" ]
	# START would leave at once; give it the script's whole bound.
	sleep 3
	daemon_stop
	assert_equal "$(capture_count)" 0
	run grep -c 'START not sent: disabled by DO_NOT_TRACK' "$DAEMON_LOG"
	assert_output 1
	# Started again without the variable, the file it left keeps it off.
	capture_stop
	real_entrypoint_run
	sleep 3
	daemon_stop
	assert_equal "$(capture_count)" 0
	run grep -c "START not sent: disabled by .*opt-out-from-anonymous-statistics" "$DAEMON_LOG"
	assert_output 1
}
