#!/usr/bin/env bats
# The statistics level, as anonymous-statistics.sh reads it from
# CONFIG_DIR/anonymous-statistics.level: all (the default, no file),
# crashes (only FATAL, CRASH and INCOMPLETE_SHUTDOWN), off (opted out), and
# anything else counts as off.  A dropped event exits 0 at once: no request,
# no helper (the canary sysinfo would create a file).

bats_require_minimum_version 1.5.0
load ctl-helpers

setup() {
	ctl_setup
	make_canary_sysinfo
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
}

teardown() {
	capture_stop
}

# nothing_sent ARGS...: the script copy with ARGS exits 0, prints nothing on
# stdout, sends nothing and runs no helper.
nothing_sent() {
	run --separate-stderr "$SCRIPT_COPY" "$@"
	assert_success
	assert_output ""
	assert_equal "$(capture_count)" 0
	assert [ ! -e "$CANARY" ]
}

@test "no level file: level all, the event is sent, --status says it is the default" {
	run --separate-stderr "$SCRIPT_COPY" START
	assert_success
	assert_output 200
	run "$SCRIPT_COPY" --status
	assert_line --index 0 "anonymous statistics: enabled"
	assert_line --index 1 "endpoint: $CAPTURE_URL"
	assert_line "level: all (the default: no file $LEVEL)"
	assert_line "log of sent events: $ANONYMOUS_STATISTICS_STATE_DIR/anonymous-statistics.log"
}

@test "level all, with or without its newline, sends every event" {
	printf 'all' >"$LEVEL"
	run --separate-stderr "$SCRIPT_COPY" START
	assert_output 200
	printf 'all\n' >"$LEVEL"
	run --separate-stderr "$SCRIPT_COPY" STOP
	assert_output 200
	assert_equal "$(capture_count)" 2
	run "$SCRIPT_COPY" --status
	assert_line "level: all (file $LEVEL)"
}

@test "level crashes drops every other event at once: exit 0, nothing run, nothing sent" {
	printf 'crashes\n' >"$LEVEL"
	for args in START STOP "STOP ERROR" "EXIT OK" CLOUD_DISABLED "CLOUD_BUILD_FAIL - dep" \
		"CLOUD_CONNECT_FAIL - 5" META_START META "--dry-run START" "--dry-run STOP"; do
		# shellcheck disable=SC2086
		nothing_sent $args
	done
	run --separate-stderr "$SCRIPT_COPY" --dry-run START
	assert_output ""
	[[ $stderr == *"level crashes (file $LEVEL): START would not be sent"* ]] || fail "stderr: $stderr"
}

@test "level crashes still sends FATAL, and --status says what is sent" {
	printf 'crashes' >"$LEVEL"
	run --separate-stderr "$SCRIPT_COPY" FATAL netdata:MAIN f:a.c:1
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 1
	assert_equal "$(field "$(body 1)" .event)" FATAL
	run "$SCRIPT_COPY" --status
	assert_line --index 0 "anonymous statistics: enabled"
	assert_line "level: crashes (file $LEVEL): only FATAL, CRASH and INCOMPLETE_SHUTDOWN are sent"
}

@test "level crashes changes nothing for FATAL, CRASH and INCOMPLETE_SHUTDOWN" {
	for action in FATAL CRASH INCOMPLETE_SHUTDOWN; do
		rm -f "$LEVEL"
		RC=0
		"$SCRIPT_COPY" --dry-run "$action" >"$BATS_TEST_TMPDIR/all.out" 2>"$BATS_TEST_TMPDIR/all.err" || RC=$?
		want=$RC
		printf 'crashes\n' >"$LEVEL"
		RC=0
		"$SCRIPT_COPY" --dry-run "$action" >"$BATS_TEST_TMPDIR/crashes.out" 2>"$BATS_TEST_TMPDIR/crashes.err" || RC=$?
		assert_equal "$RC" "$want"
		run diff <(sed 's/"timestamp":"[^"]*"//' "$BATS_TEST_TMPDIR/all.out") \
			<(sed 's/"timestamp":"[^"]*"//' "$BATS_TEST_TMPDIR/crashes.out")
		assert_success
		run diff "$BATS_TEST_TMPDIR/all.err" "$BATS_TEST_TMPDIR/crashes.err"
		assert_success
	done
}

@test "level off opts out of every event; --status names the level file" {
	printf 'off\n' >"$LEVEL"
	for args in START "FATAL netdata:MAIN f:a.c:1" CRASH INCOMPLETE_SHUTDOWN "--dry-run FATAL x:y f:a.c:1"; do
		# shellcheck disable=SC2086
		nothing_sent $args
	done
	run "$SCRIPT_COPY" --status
	assert_success
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 "decided by: level off: file $LEVEL"
	assert_line "level: off (file $LEVEL)"
}

@test "a hostile level file counts as off, sends nothing, and --status says why" {
	for kind in $HOSTILE_LEVELS; do
		rm -rf "$LEVEL" "$LEVEL".*
		why=$(make_level "$kind" "$LEVEL")
		timed_run --separate-stderr "$SCRIPT_COPY" FATAL netdata:MAIN f:a.c:1
		assert_success
		assert_output ""
		assert [ "$ELAPSED_MS" -lt 3000 ]
		run "$SCRIPT_COPY" --status
		assert_success
		assert_line --index 0 "anonymous statistics: disabled"
		assert_line --index 1 "decided by: level off: file $LEVEL $why"
		assert_line --index 2 "level: off (file $LEVEL $why)"
	done
	assert_equal "$(capture_count)" 0
	assert [ ! -e "$CANARY" ]
}

@test "a level file the caller cannot read counts as off" {
	need_nobody
	open_to_nobody
	printf 'all\n' >"$LEVEL"
	chmod 0600 "$LEVEL"
	run --separate-stderr as_nobody "$SCRIPT_COPY" START
	assert_success
	assert_output ""
	run as_nobody "$SCRIPT_COPY" --status
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 "decided by: level off: file $LEVEL cannot be read: counts as off"
	assert_equal "$(capture_count)" 0
}

@test "a config directory the caller cannot search: the level cannot be checked, counts as off" {
	need_nobody
	open_to_nobody
	printf 'all\n' >"$LEVEL"
	chmod 0700 "$CFG"
	run as_nobody "$SCRIPT_COPY" --status
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 --partial "file $OPT_OUT cannot be checked"
	assert_line --index 2 --partial "decided by: level off: file $LEVEL cannot be checked"
}

@test "--status lists every mechanism that keeps statistics off, the first one first" {
	local user="$BATS_TEST_TMPDIR/user"
	mkdir "$user"
	: >"$OPT_OUT"
	: >"$user/$OPT_OUT_NAME"
	printf 'off\n' >"$LEVEL"
	DO_NOT_TRACK=1 DISABLE_TELEMETRY=0 NETDATA_USER_CONFIG_DIR=$user run "$SCRIPT_COPY" --status
	assert_success
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 --partial "decided by: environment variable DO_NOT_TRACK"
	assert_line --index 2 --partial "decided by: environment variable DISABLE_TELEMETRY"
	assert_line --index 3 "decided by: file $OPT_OUT"
	assert_line --index 4 "decided by: file $user/$OPT_OUT_NAME (from NETDATA_USER_CONFIG_DIR)"
	assert_line --index 5 "decided by: level off: file $LEVEL"
	assert_line --index 6 "level: off (file $LEVEL)"
	assert_equal "${#lines[@]}" 8
	# One mechanism fewer each time: the next one comes first.
	DISABLE_TELEMETRY=0 NETDATA_USER_CONFIG_DIR=$user run "$SCRIPT_COPY" --status
	assert_line --index 1 --partial "decided by: environment variable DISABLE_TELEMETRY"
	NETDATA_USER_CONFIG_DIR=$user run "$SCRIPT_COPY" --status
	assert_line --index 1 "decided by: file $OPT_OUT"
	rm "$OPT_OUT"
	NETDATA_USER_CONFIG_DIR=$user run "$SCRIPT_COPY" --status
	assert_line --index 1 "decided by: file $user/$OPT_OUT_NAME (from NETDATA_USER_CONFIG_DIR)"
	run "$SCRIPT_COPY" --status
	assert_line --index 1 "decided by: level off: file $LEVEL"
}

@test "--status of a build configured --disable-telemetry names the build choice beside the other mechanisms" {
	: >"$OPT_OUT"
	copy=$(config_dir_copy "$CFG" no)
	DO_NOT_TRACK=1 run "$copy" --status
	assert_line --index 1 --partial DO_NOT_TRACK
	assert_line --index 2 "decided by: file $OPT_OUT (installed by the build's --disable-telemetry)"
}

# levels_under SHELL...: the level rules under the shell command SHELL...
levels_under() {
	printf 'crashes\n' >"$LEVEL"
	run --separate-stderr "$@" "$SCRIPT_COPY" START
	assert_success
	assert_output ""
	run --separate-stderr "$@" "$SCRIPT_COPY" FATAL netdata:MAIN f:a.c:1
	assert_output 200
	make_level nul-inside "$LEVEL" >/dev/null
	run --separate-stderr "$@" "$SCRIPT_COPY" FATAL netdata:MAIN f:a.c:1
	assert_output ""
	run "$@" "$SCRIPT_COPY" --status
	assert_line --index 1 --partial "holds something other than off, crashes or all"
	rm "$LEVEL"
	make_level 65-bytes "$LEVEL" >/dev/null
	run "$@" "$SCRIPT_COPY" --status
	assert_line --index 1 --partial "is larger than 64 bytes"
	printf 'all\n' >"$LEVEL"
	run --separate-stderr "$@" "$SCRIPT_COPY" START
	assert_output 200
	assert_equal "$(capture_count)" 2
}

@test "dash reads the level the same" {
	command -v dash >/dev/null || skip "dash is not installed"
	levels_under dash
}

@test "bash --posix reads the level the same" {
	levels_under bash --posix
}

@test "BusyBox ash with only BusyBox tools (dd, tr...) reads the level the same" {
	command -v busybox >/dev/null || skip "busybox is not installed"
	busybox_path "$BATS_TEST_TMPDIR/bb"
	ln -s "$(command -v busybox)" "$BATS_TEST_TMPDIR/bb/dd"
	levels_under env PATH="$BATS_TEST_TMPDIR/bb" "$(command -v busybox)" ash
}

@test "the level file is read without a program: an empty PATH reads it the same" {
	for word in all crashes off; do
		printf '%s\n' "$word" >"$LEVEL"
		run env -i PATH=/nonexistent "$SCRIPT_COPY" --status
		assert_line "level: $word (file $LEVEL)$([ "$word" != crashes ] || printf ': only FATAL, CRASH and INCOMPLETE_SHUTDOWN are sent')"
	done
	make_level nul-after "$LEVEL" >/dev/null
	run env -i PATH=/nonexistent "$SCRIPT_COPY" --status
	assert_line --index 1 "decided by: level off: file $LEVEL holds something other than off, crashes or all: counts as off"
}

# The library reads the level file in the directory it hands the script as
# NETDATA_USER_CONFIG_DIR; the script reads it there too (issue 21).
@test "a level file in NETDATA_USER_CONFIG_DIR counts: level off there opts out" {
	local user="$BATS_TEST_TMPDIR/user"
	mkdir "$user"
	printf 'off\n' >"$user/$LEVEL_NAME"
	NETDATA_USER_CONFIG_DIR=$user nothing_sent START
	NETDATA_USER_CONFIG_DIR=$user run "$SCRIPT_COPY" --status
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 "decided by: level off: file $user/$LEVEL_NAME"
	assert_line "level: off (file $user/$LEVEL_NAME)"
}

@test "two level files: the stricter counts, the built-in directory's on a tie" {
	local user="$BATS_TEST_TMPDIR/user"
	mkdir "$user"
	printf 'all\n' >"$LEVEL"
	printf 'crashes\n' >"$user/$LEVEL_NAME"
	NETDATA_USER_CONFIG_DIR=$user run "$SCRIPT_COPY" --status
	assert_line "level: crashes (file $user/$LEVEL_NAME): only FATAL, CRASH and INCOMPLETE_SHUTDOWN are sent"
	NETDATA_USER_CONFIG_DIR=$user nothing_sent START
	printf 'crashes\n' >"$LEVEL"
	NETDATA_USER_CONFIG_DIR=$user run "$SCRIPT_COPY" --status
	assert_line "level: crashes (file $LEVEL): only FATAL, CRASH and INCOMPLETE_SHUTDOWN are sent"
	printf 'bogus\n' >"$user/$LEVEL_NAME"
	NETDATA_USER_CONFIG_DIR=$user run "$SCRIPT_COPY" --status
	assert_line --index 1 "decided by: level off: file $user/$LEVEL_NAME holds something other than off, crashes or all: counts as off"
	rm "$LEVEL" "$user/$LEVEL_NAME"
	NETDATA_USER_CONFIG_DIR=$user run "$SCRIPT_COPY" --status
	assert_line "level: all (the default: no file $LEVEL nor $user/$LEVEL_NAME)"
	# The same directory twice is one directory.
	NETDATA_USER_CONFIG_DIR=$CFG run "$SCRIPT_COPY" --status
	assert_line "level: all (the default: no file $LEVEL)"
}
