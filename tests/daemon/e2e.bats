#!/usr/bin/env bats
# End to end: the daemon, library, script and sysinfo as `make install
# DESTDIR=...` lays them out, against the loopback capture server.

load ../helpers/common
load daemon-helpers

setup_file() {
	STAGE="$BATS_FILE_TMPDIR/stage"
	export STAGE
	(
		unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
		${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$STAGE"
	) >"$BATS_FILE_TMPDIR/install.log" 2>&1 || { cat "$BATS_FILE_TMPDIR/install.log" >&3; return 1; }
}

setup() {
	unset DO_NOT_TRACK DISABLE_TELEMETRY
	ulimit -c 0
	INSTALLED_DAEMON=$(find "$STAGE" -type f -name anonstats-daemon | head -1)
	INSTALLED_SCRIPT=$(find "$STAGE" -type f -name anonymous-statistics.sh | head -1)
	INSTALLED_SYSINFO=$(find "$STAGE" -type f -name sysinfo -perm -u+x | head -1)
	# The script builds and sends the event through its state helper.
	ANONYMOUS_STATISTICS_STATE_HELPER=$(find "$STAGE" -type f -name anonymous-statistics-sender | head -1)
	[ -x "$ANONYMOUS_STATISTICS_STATE_HELPER" ]
	export ANONYMOUS_STATISTICS_STATE_HELPER
	INSTALLED_LIB=$(find "$STAGE" -name 'libanonstats.so.0' | head -1)
	[ -x "$INSTALLED_DAEMON" ] && [ -x "$INSTALLED_SCRIPT" ] && [ -n "$INSTALLED_LIB" ]
	INSTALLED_LIBDIR=$(dirname "$INSTALLED_LIB")
	CONFIG_DIR="$BATS_TEST_TMPDIR/config"
	mkdir -p "$CONFIG_DIR"
	# The script's own state (FATAL de-duplication): one per test.
	ANONYMOUS_STATISTICS_STATE_DIR="$BATS_TEST_TMPDIR/script-state"
	ANONYMOUS_STATISTICS_KEY=phc_e2e_test
	export ANONYMOUS_STATISTICS_STATE_DIR ANONYMOUS_STATISTICS_KEY
	if [ -n "$INSTALLED_SYSINFO" ]; then
		ANONYMOUS_STATISTICS_SYSINFO=$INSTALLED_SYSINFO
		export ANONYMOUS_STATISTICS_SYSINFO
	fi
}

teardown() {
	daemon_cleanup
	capture_stop
}

args() {
	printf '%s\n' --config-dir "$CONFIG_DIR" --state-dir "$BATS_TEST_TMPDIR/state" --script "$INSTALLED_SCRIPT"
}

# The daemon with the capture server as endpoint.
start_with_capture() {
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL daemon_start "$INSTALLED_DAEMON" $(args) "$@"
}

@test "START and STOP each arrive once, as valid JSON, with the machine GUID" {
	capture_start
	start_with_capture
	capture_wait 1
	daemon_stop
	assert_equal "$DAEMON_STATUS" 0
	capture_wait 2
	run captured_events
	assert_success
	assert_output "START		
STOP	OK	"
	run "$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["distinct_id"])' "$CAPTURE_DIR/1.body"
	assert_output "$(cat "$BATS_TEST_TMPDIR/state/machine-guid")"
	run grep -c 'HTTP 200' "$DAEMON_LOG"
	assert_output 2
}

@test "FATAL: function, file and line match the source; the message is not sent" {
	line=$(grep -n 'ANONSTATS_FATAL("cannot read the config file' "$top_srcdir/daemon/reference/anonstats-daemon.c" | head -1 | cut -d: -f1)
	capture_start
	start_with_capture --config "$BATS_TEST_TMPDIR/no-such-host.example.conf"
	daemon_wait_exit
	assert_equal "$DAEMON_STATUS" 1
	assert_equal "$(capture_count)" 1
	run captured_events
	assert_output "FATAL	anonstats-daemon:anonstats-daemo	load_config:anonstats-daemon.c:$line:2"
	run grep -c 'no-such-host' "$CAPTURE_DIR/1.body"
	assert_output 0
}

@test "--fatal-test is sent the same way" {
	line=$(grep -n 'ANONSTATS_FATAL("--fatal-test' "$top_srcdir/daemon/reference/anonstats-daemon.c" | cut -d: -f1)
	capture_start
	start_with_capture --fatal-test
	daemon_wait_exit
	assert_equal "$DAEMON_STATUS" 1
	capture_wait 2
	run captured_events
	assert_line "START		"
	assert_line "FATAL	anonstats-daemon:anonstats-daemo	fatal_test:anonstats-daemon.c:$line"
}

@test "a SIGSEGV arrives once as FATAL, and the daemon still dies of it" {
	skip_if_sanitized "UBSan ends --crash-test=segv at its deliberate NULL store, before any crash handler"
	capture_start
	start_with_capture --crash-test=segv
	daemon_wait_exit
	assert_equal "$DAEMON_STATUS" $((128 + 11))
	capture_wait 2
	sleep 0.2
	assert_equal "$(capture_count)" 2
	run captured_events
	assert_line "FATAL	anonstats-daemon:anonstats-daemo	SIGSEGV:unknown:0"
}

@test "a cloud that cannot be reached arrives once as CLOUD_CONNECT_FAIL with the errno" {
	capture_start
	start_with_capture --cloud-url "http://127.0.0.1:$(closed_port)/"
	capture_wait 2
	daemon_stop
	capture_wait 3
	run captured_events
	assert_line "CLOUD_CONNECT_FAIL		111"
	run grep -c CLOUD_CONNECT_FAIL <(captured_events)
	assert_output 1
}

@test "opted out by each mechanism: the script never runs, nothing reaches the server" {
	capture_start
	canary=$(canary_script)
	for how in DO_NOT_TRACK=1 DO_NOT_TRACK=0 DISABLE_TELEMETRY=0 file; do
		(
			if [ "$how" = file ]; then
				: >"$CONFIG_DIR/.opt-out-from-anonymous-statistics"
			else
				export "${how?}"
			fi
			for script in "$INSTALLED_SCRIPT" "$canary"; do
				ANONYMOUS_STATISTICS_URL=$CAPTURE_URL daemon_start "$INSTALLED_DAEMON" \
					--config-dir "$CONFIG_DIR" --state-dir "$BATS_TEST_TMPDIR/state" --script "$script" \
					--cloud-url "http://127.0.0.1:$(closed_port)/"
				daemon_stop
				ANONYMOUS_STATISTICS_URL=$CAPTURE_URL daemon_start "$INSTALLED_DAEMON" \
					--config-dir "$CONFIG_DIR" --state-dir "$BATS_TEST_TMPDIR/state" --script "$script" \
					--crash-test=abrt
				daemon_wait_exit
			done
		)
		rm -f "$CONFIG_DIR/.opt-out-from-anonymous-statistics"
	done
	sleep 0.3
	assert_equal "$(canary_runs)" 0
	assert_equal "$(capture_count)" 0
}

@test "an endpoint that never answers: sends return at once, SIGTERM exits within the bound, no zombies" {
	capture_start hang
	start_with_capture --cloud-url "http://127.0.0.1:$(closed_port)/"
	wait_log 'CLOUD_CONNECT_FAIL check call returned'
	for ms in $(call_ms START) $(call_ms 'CLOUD_CONNECT_FAIL check'); do
		[ "$ms" -lt 100 ] || { cat "$DAEMON_LOG"; false; }
	done
	sleep 0.5
	assert_equal "$(zombies_of "$DAEMON_PID")" 0
	kids=$(children_of "$DAEMON_PID")
	daemon_stop
	assert_equal "$DAEMON_STATUS" 0
	# The STOP bound (2 s) plus a margin.
	[ "$DAEMON_MS" -lt 3000 ] || { echo "stop took $DAEMON_MS ms"; cat "$DAEMON_LOG"; false; }
	sleep 0.2
	for k in $kids; do
		assert_equal "$(in_group "$k")" 0
	done
}

@test "an endpoint that never answers: a run ended at the STOP bound leaves nothing in TMPDIR" {
	capture_start hang
	TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir -p "$TMPDIR"
	TMPDIR=$TMPDIR start_with_capture --stop-timeout 1500
	wait_log 'START call returned'
	sleep 0.5
	daemon_stop
	assert_equal "$DAEMON_STATUS" 0
	grep -q 'no answer after' "$DAEMON_LOG"
	sleep 0.2
	run ls -A "$TMPDIR"
	assert_output ""
}

@test "SIGKILL, start again: CRASH and START arrive once each; a clean stop: no CRASH" {
	capture_start
	start_with_capture
	capture_wait 1
	kill -KILL "$DAEMON_PID"
	daemon_wait_exit
	start_with_capture
	capture_wait 3
	daemon_stop
	capture_wait 4
	start_with_capture
	capture_wait 5
	daemon_stop
	capture_wait 6
	sleep 0.2
	run captured_events
	assert_output "START		
CRASH		
START		
STOP	OK	
START		
STOP	OK	"
}

@test "hostile strings in every string the library takes: nothing executed, valid JSON" {
	send="$top_builddir/tests/daemon/anonstats-send"
	capture_start
	cd "$BATS_TEST_TMPDIR"
	n=0
	for h in "it's \"q\"" '$(touch canary)' '`touch canary`' $'a\nb\r\nc' $'\xff\xfe\xc3(' '; touch canary #' '\\x00\\u0000'; do
		dir="$BATS_TEST_TMPDIR/d $h"
		mkdir -p "$dir"
		# Cleaned FATALs may look alike: no de-duplication across runs.
		ANONYMOUS_STATISTICS_STATE_DIR="$dir/script-state"
		ANONYMOUS_STATISTICS_URL=$CAPTURE_URL run "$send" --script "$INSTALLED_SCRIPT" \
			--config-dir "$dir/config" --state-dir "$dir/state" --version "$h" \
			--program "$h" CLOUD_BUILD_FAIL - "$h"
		# Unknown to the script: refused by the library, nothing run.
		ANONYMOUS_STATISTICS_URL=$CAPTURE_URL run "$send" --script "$INSTALLED_SCRIPT" \
			--config-dir "$dir/config" --state-dir "$dir/state" "$h" "$h" "$h"
		assert_failure 1
		assert_output --partial 'not an ACTION the script takes'
		refute_output --partial 'exit 2'
		ANONYMOUS_STATISTICS_URL=$CAPTURE_URL run "$send" --script "$INSTALLED_SCRIPT" \
			--config-dir "$dir/config" --state-dir "$dir/state" --guid "$h" --version "$h" \
			--program "$h" CLOUD_CONNECT_FAIL - "$h"
		ANONYMOUS_STATISTICS_URL=$CAPTURE_URL run "$send" --script "$INSTALLED_SCRIPT" \
			--config-dir "$dir/config" --state-dir "$dir/state" --version "$h" \
			--program "$h" --thread "$h" --fatal
		assert_equal "$status" 1
		n=$((n + 3))
	done
	capture_wait "$n"
	assert_equal "$(capture_count)" "$n"
	for f in "$CAPTURE_DIR"/*.body; do
		json_valid "$f"
	done
	run find "$BATS_TEST_TMPDIR" "$top_builddir" -maxdepth 3 -name canary
	assert_output ""
}

@test "the installed header and pkg-config file build a program against the installed library" {
	pc=$(find "$STAGE" -name libanonstats.pc | head -1)
	hdr=$(find "$STAGE" -name anonstats.h | head -1)
	[ -f "$pc" ] && [ -f "$hdr" ]
	run pkg-config --libs --cflags "$pc"
	assert_success
	assert_output --partial -lanonstats
	cat >"$BATS_TEST_TMPDIR/p.c" <<'EOF'
#include <anonstats.h>
#include <stdio.h>
int main(void)
{
	struct anonstats_config c = { 0 };
	struct anonstats_status_details d;
	struct anonstats_counters k;
	(void)c;
	puts(anonstats_status_string(anonstats_status()));
	anonstats_counters(&k);
	printf("%d %s %s %lu\n", anonstats_status_details(&d), anonstats_level_string(d.level),
	       d.reason, k.dropped);
	return 0;
}
EOF
	run ${CC:-cc} -std=c11 -Wall -Werror -I"$(dirname "$hdr")" -o "$BATS_TEST_TMPDIR/p" \
		"$BATS_TEST_TMPDIR/p.c" -L"$INSTALLED_LIBDIR" -lanonstats
	assert_success
	LD_LIBRARY_PATH=$INSTALLED_LIBDIR run "$BATS_TEST_TMPDIR/p"
	assert_output "disabled: not initialized
0 off disabled: not initialized 0"
}

@test "the systemd unit is installed with the installed daemon's path" {
	unit=$(find "$STAGE" -name anonstats-daemon.service | head -1)
	[ -f "$unit" ]
	exec_path=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$unit")
	assert_equal "$STAGE$exec_path" "$INSTALLED_DAEMON"
}
