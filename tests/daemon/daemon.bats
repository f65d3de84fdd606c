#!/usr/bin/env bats
# anonstats-daemon with fake statistics scripts: what it runs, when, and that
# it never waits on them longer than its bounds.  The end-to-end tests with
# the real script and a capture server are in e2e.bats.

load ../helpers/common
load daemon-helpers

DAEMON="$top_builddir/daemon/reference/anonstats-daemon"

setup() {
	unset DO_NOT_TRACK DISABLE_TELEMETRY
	CONFIG_DIR="$BATS_TEST_TMPDIR/config"
	STATE_DIR="$BATS_TEST_TMPDIR/state"
	mkdir -p "$CONFIG_DIR"
	BUILTIN_CONFIG_DIR=$(sed -n "s/^CONFIG_DIR='\(.*\)'\$/\1/p" "$top_builddir/daemon/anonymous-statistics.sh")
	ulimit -c 0
}

teardown() {
	daemon_cleanup
}

# A script body that appends its argv as one line "A|B|C|" to $1, in one
# write (events may run at the same time), then prints 200.
recorder() {
	printf '%s\n' "line=\$(printf '%s|' \"\$@\"); printf '%s\\n' \"\$line\" >> '$1'; echo 200"
}

common_args() {
	printf '%s\n' --config-dir "$CONFIG_DIR" --state-dir "$STATE_DIR" --script "$1"
}

@test "--help and --version; a bad option is a usage error" {
	run "$DAEMON" --help
	assert_success
	assert_output --partial "--crash-test=SIG"
	run "$DAEMON" --version
	assert_success
	assert_output --regexp '^anonstats-daemon [0-9]'
	run "$DAEMON" --bogus
	assert_failure 2
	run "$DAEMON" --crash-test=kill
	assert_failure 2
}

@test "START when ready, STOP on SIGTERM, exit 0; the script gets plain argv" {
	log="$BATS_TEST_TMPDIR/argv"
	script=$(fake_script rec.sh "$(recorder "$log")")
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	daemon_stop
	assert_equal "$DAEMON_STATUS" 0
	run cat "$log"
	assert_output "START|
STOP|OK|"
	run grep -c 'HTTP 200' "$DAEMON_LOG"
	assert_output 2
}

@test "without -f it daemonizes; relative paths still work; SIGTERM stops it" {
	canary_script >/dev/null
	cd "$BATS_TEST_TMPDIR"
	run "$DAEMON" --script ./canary.sh --config-dir config --state-dir "$BATS_TEST_TMPDIR/state" 3>&-
	assert_success
	for i in $(seq 100); do [ "$(canary_runs)" -ge 1 ] && break; sleep 0.05; done
	assert_equal "$(canary_runs)" 1
	pid=$(pgrep -f -- "--state-dir $BATS_TEST_TMPDIR/state")
	[ -n "$pid" ]
	assert_equal "$(proc_field "$pid" 2)" 1 # reparented: a real daemon
	kill -TERM "$pid"
	for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	run kill -0 "$pid"
	assert_failure
	assert_equal "$(canary_runs)" 2
}

@test "SIGINT stops it too" {
	script=$(canary_script)
	daemon_start "$DAEMON" $(common_args "$script")
	kill -INT "$DAEMON_PID"
	daemon_wait_exit
	assert_equal "$DAEMON_STATUS" 0
	assert_equal "$(canary_runs)" 2
}

@test "the machine GUID is created in the state dir, mode 0600, and kept" {
	script=$(canary_script)
	daemon_start "$DAEMON" $(common_args "$script")
	daemon_stop
	run stat -c %a "$STATE_DIR/machine-guid"
	assert_output 600
	run grep -E -x '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}' "$STATE_DIR/machine-guid"
	assert_success
	first=$(cat "$STATE_DIR/machine-guid")
	daemon_start "$DAEMON" $(common_args "$script")
	daemon_stop
	assert_equal "$(cat "$STATE_DIR/machine-guid")" "$first"
}

@test "a hanging script: START returns at once, SIGTERM exits within the STOP bound, nothing left" {
	script=$(fake_script hang.sh 'sleep 1000; echo 200')
	daemon_start "$DAEMON" $(common_args "$script") --cloud-url "http://127.0.0.1:$(closed_port)/"
	wait_log 'CLOUD_CONNECT_FAIL check call returned'
	for ms in $(call_ms START) $(call_ms 'CLOUD_CONNECT_FAIL check'); do
		[ "$ms" -lt 100 ] || { cat "$DAEMON_LOG"; false; }
	done
	kids=$(children_of "$DAEMON_PID")
	[ -n "$kids" ]
	daemon_stop
	assert_equal "$DAEMON_STATUS" 0
	# 2 s bound plus a margin for a loaded machine.
	[ "$DAEMON_MS" -lt 3500 ] || { echo "stop took $DAEMON_MS ms"; false; }
	# START, CLOUD_CONNECT_FAIL and STOP itself were given up.
	run grep -c 'no answer after' "$DAEMON_LOG"
	assert_output 3
	# The scripts' process groups (and their sleeps) are gone.
	for k in $kids; do
		assert_equal "$(in_group "$k")" 0
	done
}

@test "--stop-timeout changes the bound" {
	script=$(fake_script hang.sh 'sleep 1000')
	daemon_start "$DAEMON" $(common_args "$script") --stop-timeout 300
	daemon_stop
	assert_equal "$DAEMON_STATUS" 0
	[ "$DAEMON_MS" -lt 1500 ] || { echo "stop took $DAEMON_MS ms"; false; }
}

@test "finished scripts are collected: no zombie children while it runs" {
	script=$(fake_script fast.sh 'echo 200')
	daemon_start "$DAEMON" $(common_args "$script") --cloud-url "http://127.0.0.1:$(closed_port)/"
	wait_log 'CLOUD_CONNECT_FAIL: exit 0'
	wait_log 'START: exit 0'
	assert_equal "$(zombies_of "$DAEMON_PID")" 0
	assert_equal "$(children_of "$DAEMON_PID")" ""
	daemon_stop
}

@test "a failing script is logged with its exit status and HTTP code" {
	script=$(fake_script fail.sh 'echo 429; exit 6')
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 6 (HTTP error), HTTP 429'
	daemon_stop
	assert_equal "$DAEMON_STATUS" 0
}

@test "a config file can name the cloud URL; SIGHUP does not stop the daemon" {
	log="$BATS_TEST_TMPDIR/argv"
	script=$(fake_script rec.sh "$(recorder "$log")")
	printf '# demo\ncloud_url = http://127.0.0.1:%s/\n' "$(closed_port)" >"$BATS_TEST_TMPDIR/d.conf"
	daemon_start "$DAEMON" $(common_args "$script") --config "$BATS_TEST_TMPDIR/d.conf"
	wait_log 'CLOUD_CONNECT_FAIL: exit 0'
	kill -HUP "$DAEMON_PID"
	wait_log 'SIGHUP'
	kill -0 "$DAEMON_PID"
	daemon_stop
	assert_equal "$DAEMON_STATUS" 0
	run grep -c '^CLOUD_CONNECT_FAIL|-|111|$' "$log"
	assert_output 1
}

@test "an unreadable config file is FATAL: sent synchronously, exit non-zero" {
	log="$BATS_TEST_TMPDIR/argv"
	script=$(fake_script rec.sh "$(recorder "$log")")
	line=$(grep -n 'ANONSTATS_FATAL("cannot read the config file' "$top_srcdir/daemon/reference/anonstats-daemon.c" | head -1 | cut -d: -f1)
	daemon_start "$DAEMON" $(common_args "$script") --config "$BATS_TEST_TMPDIR/missing.conf"
	daemon_wait_exit
	assert_equal "$DAEMON_STATUS" 1
	run cat "$log"
	assert_output "FATAL|anonstats-daemon:anonstats-daemo|load_config:anonstats-daemon.c:$line:2|"
	# The message (with its path) stays in the local log only.
	run grep -c 'missing.conf' "$log"
	assert_output 0
	run grep -c 'cannot read the config file' "$DAEMON_LOG"
	assert_output 1
}

@test "a FATAL against a hanging script gives up after 3 s, and leaves nothing running" {
	script=$(fake_script hang.sh 'sleep 1000')
	daemon_start "$DAEMON" $(common_args "$script") --fatal-test
	daemon_wait_exit 10
	assert_equal "$DAEMON_STATUS" 1
	[ "$DAEMON_MS" -lt 4500 ] || { echo "FATAL took $DAEMON_MS ms"; false; }
	# START, still in flight, was killed too: nothing is left running.
	run pgrep -f "$BATS_TEST_TMPDIR/hang.sh"
	assert_failure 1
}

@test "a crash is sent as FATAL with the signal name, then the daemon dies of it" {
	log="$BATS_TEST_TMPDIR/argv"
	script=$(fake_script rec.sh "$(recorder "$log")")
	for sig in segv bus fpe abrt; do
		# A sanitizer build: UBSan ends --crash-test=segv at its deliberate
		# NULL store, before any crash handler (the others still run).
		[ "$sig:${TEST_SANITIZERS:-no}" != segv:yes ] || continue
		: >"$log"
		daemon_start "$DAEMON" $(common_args "$script") --crash-test=$sig
		daemon_wait_exit
		up=$(echo "$sig" | tr a-z A-Z)
		case $sig in segv) n=11 ;; bus) n=7 ;; fpe) n=8 ;; abrt) n=6 ;; esac
		assert_equal "$DAEMON_STATUS" $((128 + n))
		run grep -c "^FATAL|anonstats-daemon:anonstats-daemo|SIG$up:unknown:0|\$" "$log"
		assert_output 1
	done
}

@test "opted out by DO_NOT_TRACK=1, DO_NOT_TRACK=0, DISABLE_TELEMETRY=0: the script is never run" {
	script=$(canary_script)
	for v in DO_NOT_TRACK=1 DO_NOT_TRACK=0 DISABLE_TELEMETRY=0 DISABLE_TELEMETRY=false; do
		(
			export "${v?}"
			daemon_start "$DAEMON" $(common_args "$script") --cloud-url "http://127.0.0.1:$(closed_port)/"
			daemon_stop
			daemon_start "$DAEMON" $(common_args "$script") --fatal-test
			daemon_wait_exit
			daemon_start "$DAEMON" $(common_args "$script") --crash-test=segv
			daemon_wait_exit
		)
		assert_equal "$(canary_runs)" 0
	done
}

@test "opted out by the file in the config dir: the script is never run; checked at every event" {
	script=$(canary_script)
	: >"$CONFIG_DIR/.opt-out-from-anonymous-statistics"
	daemon_start "$DAEMON" $(common_args "$script") --cloud-url "http://127.0.0.1:$(closed_port)/"
	run "$DAEMON" --status $(common_args "$script")
	assert_failure 1
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 "decided by: file $CONFIG_DIR/.opt-out-from-anonymous-statistics (from NETDATA_USER_CONFIG_DIR)"
	assert_line --index 2 --partial "level: all (the default: no file "
	daemon_stop
	assert_equal "$(canary_runs)" 0
	# Created while running: STOP is not sent.
	rm "$CONFIG_DIR/.opt-out-from-anonymous-statistics"
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	: >"$CONFIG_DIR/.opt-out-from-anonymous-statistics"
	daemon_stop
	assert_equal "$(canary_runs)" 1
}

# --status needs no init: it changes nothing and says before the first
# start what the script says (issue 21: it created the machine GUID, and
# said "disabled: not initialized" where the state directory was missing).
@test "--status creates nothing, and tells the truth before the first start" {
	script=$(canary_script)
	fresh="$BATS_TEST_TMPDIR/fresh-state"
	unset ANONYMOUS_STATISTICS_KEY
	want=$(NETDATA_USER_CONFIG_DIR=$CONFIG_DIR "$top_builddir/daemon/anonymous-statistics.sh" --status | head -n 1)
	run "$DAEMON" --status --config-dir "$CONFIG_DIR" --state-dir "$fresh" --script "$script"
	assert_line --index 0 "$want"
	refute_output --partial "not initialized"
	# On but not configured: the control command's status 3, not 0.
	assert_equal "$want" "anonymous statistics: enabled, but not configured: nothing is sent"
	assert_failure 3
	assert [ ! -e "$fresh" ]
	mkdir "$STATE_DIR"
	run "$DAEMON" --status $(common_args "$script")
	assert [ ! -e "$STATE_DIR/machine-guid" ]
	run find "$STATE_DIR" -mindepth 1
	assert_output ""
	assert_equal "$(canary_runs)" 0
}

@test "--status names what decided, and the level" {
	script=$(canary_script)
	ANONYMOUS_STATISTICS_KEY=phc_test run "$DAEMON" --status $(common_args "$script")
	assert_success
	assert_output "anonymous statistics: enabled
level: all (the default: no file $BUILTIN_CONFIG_DIR/anonymous-statistics.level nor $CONFIG_DIR/anonymous-statistics.level)"
	DO_NOT_TRACK=0 run "$DAEMON" --status $(common_args "$script")
	assert_failure 1
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 --partial "decided by: environment variable DO_NOT_TRACK"
	assert_line --index 2 --partial "level: all"
	DISABLE_TELEMETRY=yes run "$DAEMON" --status $(common_args "$script")
	assert_line --index 1 --partial "decided by: environment variable DISABLE_TELEMETRY"
	printf 'crashes\n' >"$CONFIG_DIR/anonymous-statistics.level"
	ANONYMOUS_STATISTICS_KEY=phc_test run "$DAEMON" --status $(common_args "$script")
	assert_success
	assert_line --index 1 "level: crashes (file $CONFIG_DIR/anonymous-statistics.level): only FATAL, CRASH and INCOMPLETE_SHUTDOWN are sent"
	printf 'everything\n' >"$CONFIG_DIR/anonymous-statistics.level"
	run "$DAEMON" --status $(common_args "$script")
	assert_failure 1
	assert_line --index 1 --partial "holds something other than off, crashes or all"
	assert_line --index 2 --partial "level: off"
	assert_equal "$(canary_runs)" 0
}

# The account that owns the config directory is root; the daemon runs as
# nobody: a directory it cannot search, a level file it cannot read.
@test "--status as a user who cannot check: opted out, and says why" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run the daemon as nobody"
	command -v setpriv >/dev/null || skip "needs setpriv"
	script=$(canary_script)
	base=$(mktemp -d /tmp/anonstats-nobody.XXXXXX)
	chmod 755 "$base"
	mkdir -m 755 "$base/config" "$base/state"
	chown nobody "$base/state"
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	run as_nobody env ANONYMOUS_STATISTICS_KEY=phc_test "$DAEMON" --status --config-dir "$base/config" \
		--state-dir "$base/state" --script "$script"
	assert_success
	printf 'all\n' >"$base/config/anonymous-statistics.level"
	chmod 600 "$base/config/anonymous-statistics.level"
	run as_nobody "$DAEMON" --status --config-dir "$base/config" --state-dir "$base/state" --script "$script"
	assert_failure 1
	assert_line --index 1 --partial "anonymous-statistics.level cannot be read: counts as off"
	rm "$base/config/anonymous-statistics.level"
	chmod 700 "$base/config"
	run as_nobody "$DAEMON" --status --config-dir "$base/config" --state-dir "$base/state" --script "$script"
	assert_failure 1
	assert_line --index 1 --partial "cannot be checked (a directory on its path cannot be searched"
	rm -rf "$base"
	assert_equal "$(canary_runs)" 0
}

@test "level crashes: START, CLOUD_* and STOP never run the script; a crash still does" {
	log="$BATS_TEST_TMPDIR/argv"
	script=$(fake_script rec.sh "$(recorder "$log")")
	printf 'crashes\n' >"$CONFIG_DIR/anonymous-statistics.level"
	daemon_start "$DAEMON" $(common_args "$script") --cloud-url "http://127.0.0.1:$(closed_port)/"
	daemon_stop
	assert_equal "$DAEMON_STATUS" 0
	[ ! -e "$log" ]
	skip_if_sanitized "UBSan ends --crash-test=segv at its deliberate NULL store, before any crash handler"
	daemon_start "$DAEMON" $(common_args "$script") --crash-test=segv
	daemon_wait_exit
	run cat "$log"
	assert_output "FATAL|anonstats-daemon:anonstats-daemo|SIGSEGV:unknown:0|"
}

@test "SIGKILL while running: the next start sends CRASH, then START, once" {
	log="$BATS_TEST_TMPDIR/argv"
	script=$(fake_script rec.sh "$(recorder "$log")")
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	assert_equal "$(run_state)" running
	kill -KILL "$DAEMON_PID"
	daemon_wait_exit
	: >"$log"
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	daemon_stop
	run cat "$log"
	assert_output "CRASH|
START|
STOP|OK|"
	assert_equal "$(run_state)" clean
	# Reported once.
	: >"$log"
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	daemon_stop
	run cat "$log"
	assert_output "START|
STOP|OK|"
}

@test "SIGKILL during a slow STOP: the next start sends INCOMPLETE_SHUTDOWN" {
	log="$BATS_TEST_TMPDIR/argv"
	body=$(recorder "$log")
	script=$(fake_script slow.sh "[ \"\$1\" = STOP ] && sleep 30; $body")
	daemon_start "$DAEMON" $(common_args "$script") --stop-timeout 5000
	wait_log 'START: exit 0'
	kill -TERM "$DAEMON_PID"
	wait_log 'SIGTERM received'
	for i in $(seq 100); do [ "$(run_state)" = stopping ] && break; sleep 0.02; done
	assert_equal "$(run_state)" stopping
	kill -KILL "$DAEMON_PID"
	daemon_wait_exit
	pkill -f "$BATS_TEST_TMPDIR/slow.sh" || true
	: >"$log"
	script=$(fake_script rec.sh "$body")
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	daemon_stop
	run cat "$log"
	assert_output "INCOMPLETE_SHUTDOWN|
START|
STOP|OK|"
}

@test "first start ever, a clean stop, a FATAL, a reported crash: never a CRASH after them" {
	log="$BATS_TEST_TMPDIR/argv"
	script=$(fake_script rec.sh "$(recorder "$log")")
	daemon_start "$DAEMON" $(common_args "$script")
	daemon_stop
	daemon_start "$DAEMON" $(common_args "$script") --fatal-test
	daemon_wait_exit
	assert_equal "$DAEMON_STATUS" 1
	assert_equal "$(run_state)" clean
	daemon_start "$DAEMON" $(common_args "$script") --crash-test=abrt
	daemon_wait_exit
	assert_equal "$(run_state)" clean
	daemon_start "$DAEMON" $(common_args "$script")
	daemon_stop
	run grep -c -e '^CRASH' -e '^INCOMPLETE' "$log"
	assert_output 0
	run grep -c '^FATAL' "$log"
	assert_output 2
}

@test "corrupt and foreign run-state files never stop the daemon nor report" {
	log="$BATS_TEST_TMPDIR/argv"
	script=$(fake_script rec.sh "$(recorder "$log")")
	mkdir -p "$STATE_DIR"
	for how in corrupt symlink foreign dir; do
		rm -rf "$STATE_DIR/anonstats.run-state" "$BATS_TEST_TMPDIR/target"
		case $how in
		corrupt) printf 'running\0junk' >"$STATE_DIR/anonstats.run-state" ;;
		symlink) printf 'running\n' >"$BATS_TEST_TMPDIR/target"
			ln -s "$BATS_TEST_TMPDIR/target" "$STATE_DIR/anonstats.run-state" ;;
		foreign) printf 'running\n' >"$STATE_DIR/anonstats.run-state"
			chown nobody "$STATE_DIR/anonstats.run-state" 2>/dev/null || skip "needs chown" ;;
		dir) mkdir "$STATE_DIR/anonstats.run-state" ;;
		esac
		: >"$log"
		daemon_start "$DAEMON" $(common_args "$script")
		wait_log 'START: exit 0'
		daemon_stop
		assert_equal "$DAEMON_STATUS" 0
		run cat "$log"
		assert_output "START|
STOP|OK|"
		if [ "$how" = symlink ]; then
			# Never written through: the link was replaced.
			assert_equal "$(cat "$BATS_TEST_TMPDIR/target")" running
			[ ! -L "$STATE_DIR/anonstats.run-state" ]
		fi
	done
	# A directory in its place: the daemon ran, the state could not be kept.
	grep -q 'cannot write the run state' "$DAEMON_LOG"
}

# The state directory's owner cannot write our files, but can move them:
# a run state put back from another run must not be believed.
@test "a run state moved aside during a clean run and put back: no CRASH" {
	hostile_state_dir
	log="$BATS_TEST_TMPDIR/argv"
	script=$(fake_script rec.sh "$(recorder "$log")")
	rs="$STATE_DIR/anonstats.run-state"
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	as_nobody mv "$rs" "$STATE_DIR/aside"
	daemon_stop
	assert_equal "$DAEMON_STATUS" 0
	as_nobody mv -f "$STATE_DIR/aside" "$rs"
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	daemon_stop
	run cat "$log"
	assert_output "START|
STOP|OK|
START|
STOP|OK|"
}

@test "a crash reported by the handler, its run state replayed: no CRASH" {
	hostile_state_dir
	skip_if_sanitized "the sanitizers' SIGSEGV handler comes before ours"
	log="$BATS_TEST_TMPDIR/argv"
	script=$(fake_script rec.sh "$(recorder "$log")")
	rs="$STATE_DIR/anonstats.run-state"
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	as_nobody mv "$rs" "$STATE_DIR/aside"
	kill -SEGV "$DAEMON_PID"
	daemon_wait_exit
	assert_equal "$DAEMON_STATUS" $((128 + 11))
	as_nobody mv -f "$STATE_DIR/aside" "$rs"
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	daemon_stop
	run cut -d'|' -f1 "$log"
	assert_output "START
FATAL
START
STOP"
}

@test "SIGKILL in a directory another account owns: CRASH once, wherever the file went" {
	hostile_state_dir
	log="$BATS_TEST_TMPDIR/argv"
	script=$(fake_script rec.sh "$(recorder "$log")")
	rs="$STATE_DIR/anonstats.run-state"
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	kill -KILL "$DAEMON_PID"
	daemon_wait_exit
	# A real crash, in a directory the other account owns: CRASH.
	: >"$log"
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	# Its run state moved aside during this run, put back after it.
	as_nobody mv "$rs" "$STATE_DIR/aside"
	kill -KILL "$DAEMON_PID"
	daemon_wait_exit
	as_nobody mv -f "$STATE_DIR/aside" "$rs"
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	# The second crash was reported; this run's file, moved aside and
	# put back after a clean stop, does not report it again.
	as_nobody mv "$rs" "$STATE_DIR/aside"
	daemon_stop
	as_nobody mv -f "$STATE_DIR/aside" "$rs"
	daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	daemon_stop
	run cat "$log"
	assert_output "CRASH|
START|
CRASH|
START|
STOP|OK|
START|
STOP|OK|"
}

@test "the daemon's environment does not reach the script" {
	log="$BATS_TEST_TMPDIR/env"
	script=$(fake_script env.sh "env > '$log'; echo 200")
	SECRET_TOKEN=hunter2 daemon_start "$DAEMON" $(common_args "$script")
	wait_log 'START: exit 0'
	daemon_stop
	run grep -c hunter2 "$log"
	assert_output 0
	run cut -d= -f1 "$log"
	assert_output --partial NETDATA_REGISTRY_UNIQUE_ID
}

@test "the systemd unit runs the installed daemon in the foreground" {
	unit="$top_builddir/packaging/systemd/anonstats-daemon.service"
	[ -f "$unit" ]
	run grep -E '^ExecStart=/.*/anonstats-daemon --foreground$' "$unit"
	assert_success
	run grep -c '@[a-z_]*@' "$unit"
	assert_output 0
	[ ! -x "$unit" ]
}
