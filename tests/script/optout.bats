#!/usr/bin/env bats
# Opt-out: each mechanism, each ACTION, --dry-run and --status.  Opted out
# means exit 0, nothing printed, zero requests, and no helper run (the canary
# sysinfo would create a file).

bats_require_minimum_version 1.5.0
load script-helpers

setup() {
	script_setup
	make_canary_sysinfo
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	CFG="$BATS_TEST_TMPDIR/etc"
	mkdir -p "$CFG"
}

teardown() {
	capture_stop
}

# every_action_sends_nothing SCRIPT: run SCRIPT with every ACTION (and a bad
# one, and --dry-run): each exits 0 in silence; no request, no helper.
every_action_sends_nothing() {
	local script=$1 args
	for args in START "START - -" STOP "STOP ERROR" "EXIT OK" "FATAL netdata:MAIN f:a.c:1" \
		CLOUD_DISABLED "CLOUD_BUILD_FAIL - dep" "CLOUD_CONNECT_FAIL - 5" BOGUS \
		"--dry-run START" "--dry-run FATAL x:y f:a.c:1"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$script" $args
		assert_success
		assert_output ""
	done
	sleep 0.2
	assert_equal "$(capture_count)" 0
	assert [ ! -e "$CANARY" ]
}

@test "the canary helper does run when statistics are on (the opt-out tests prove something)" {
	run "$SCRIPT" START
	assert_success
	assert [ -e "$CANARY" ]
	assert_equal "$(capture_count)" 1
}

@test "DO_NOT_TRACK=1 opts out of every ACTION" {
	DO_NOT_TRACK=1 every_action_sends_nothing "$SCRIPT"
}

@test "DO_NOT_TRACK=0 still opts out (any non-empty value)" {
	DO_NOT_TRACK=0 every_action_sends_nothing "$SCRIPT"
}

@test "DISABLE_TELEMETRY=1 opts out of every ACTION" {
	DISABLE_TELEMETRY=1 every_action_sends_nothing "$SCRIPT"
}

@test "DISABLE_TELEMETRY=false still opts out (any non-empty value)" {
	DISABLE_TELEMETRY=false every_action_sends_nothing "$SCRIPT"
}

@test "the opt-out file in NETDATA_USER_CONFIG_DIR opts out of every ACTION" {
	: >"$CFG/.opt-out-from-anonymous-statistics"
	NETDATA_USER_CONFIG_DIR=$CFG every_action_sends_nothing "$SCRIPT"
}

@test "the opt-out file in the built-in config directory opts out of every ACTION" {
	: >"$CFG/.opt-out-from-anonymous-statistics"
	every_action_sends_nothing "$(config_dir_copy "$CFG")"
}

@test "an opt-out file that is a dangling symlink or a directory still opts out" {
	ln -s "$BATS_TEST_TMPDIR/nowhere" "$CFG/.opt-out-from-anonymous-statistics"
	NETDATA_USER_CONFIG_DIR=$CFG every_action_sends_nothing "$SCRIPT"
	rm "$CFG/.opt-out-from-anonymous-statistics"
	mkdir "$CFG/.opt-out-from-anonymous-statistics"
	NETDATA_USER_CONFIG_DIR=$CFG every_action_sends_nothing "$SCRIPT"
}

@test "opting out wins over a missing key and a refused URL" {
	unset ANONYMOUS_STATISTICS_KEY
	DO_NOT_TRACK=1 ANONYMOUS_STATISTICS_URL=http://192.0.2.1/ run "$SCRIPT" START
	assert_success
	assert_output ""
}

@test "empty DO_NOT_TRACK and DISABLE_TELEMETRY do not opt out" {
	DO_NOT_TRACK= DISABLE_TELEMETRY= run "$SCRIPT" START
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 1
}

@test "an empty NETDATA_USER_CONFIG_DIR does not look for /.opt-out-from-anonymous-statistics" {
	NETDATA_USER_CONFIG_DIR= run "$SCRIPT" START
	assert_success
	assert_equal "$(capture_count)" 1
}

@test "--status names DO_NOT_TRACK" {
	DO_NOT_TRACK=0 run "$SCRIPT" --status
	assert_success
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 --partial "DO_NOT_TRACK"
	assert [ ! -e "$CANARY" ]
}

@test "--status names DISABLE_TELEMETRY" {
	DISABLE_TELEMETRY=yes run "$SCRIPT" --status
	assert_success
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 --partial "DISABLE_TELEMETRY"
}

@test "--status names the opt-out file in NETDATA_USER_CONFIG_DIR by its path" {
	: >"$CFG/.opt-out-from-anonymous-statistics"
	NETDATA_USER_CONFIG_DIR=$CFG run "$SCRIPT" --status
	assert_success
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 --partial "file $CFG/.opt-out-from-anonymous-statistics"
	assert_line --index 1 --partial "NETDATA_USER_CONFIG_DIR"
}

@test "--status names the opt-out file in the config directory by its path" {
	: >"$CFG/.opt-out-from-anonymous-statistics"
	run "$(config_dir_copy "$CFG" yes)" --status
	assert_success
	assert_line --index 1 "decided by: file $CFG/.opt-out-from-anonymous-statistics"
}

@test "--status says the file came from --disable-telemetry when the build chose it" {
	: >"$CFG/.opt-out-from-anonymous-statistics"
	run "$(config_dir_copy "$CFG" no)" --status
	assert_success
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 --partial "$CFG/.opt-out-from-anonymous-statistics"
	assert_line --index 1 --partial "--disable-telemetry"
}

@test "--disable-telemetry build whose file was deleted is enabled again" {
	run "$(config_dir_copy "$CFG" no)" --status
	assert_success
	assert_line --index 0 "anonymous statistics: enabled"
}

@test "--status when enabled names the endpoint, sends nothing, runs no helper" {
	run "$SCRIPT" --status
	assert_success
	assert_line --index 0 "anonymous statistics: enabled"
	assert_line --index 1 "endpoint: $CAPTURE_URL"
	assert_equal "$(capture_count)" 0
	assert [ ! -e "$CANARY" ]
}

@test "--status without a key says nothing is sent and why" {
	unset ANONYMOUS_STATISTICS_KEY
	run "$(keyless_copy)" --status
	assert_success
	assert_line --index 0 "anonymous statistics: enabled, but not configured: nothing is sent"
	assert_line --index 1 --partial "no PostHog key"
}

@test "--status with a refused URL says why" {
	ANONYMOUS_STATISTICS_URL=http://192.0.2.1/ run "$SCRIPT" --status
	assert_success
	assert_line --index 0 --partial "not configured"
	assert_line --index 1 --partial "refused URL"
}

@test "the order of mechanisms: the variables are named before the files" {
	: >"$CFG/.opt-out-from-anonymous-statistics"
	DO_NOT_TRACK=1 DISABLE_TELEMETRY=1 NETDATA_USER_CONFIG_DIR=$CFG run "$(config_dir_copy "$CFG")" --status
	assert_line --index 1 --partial DO_NOT_TRACK
	DISABLE_TELEMETRY=1 NETDATA_USER_CONFIG_DIR=$CFG run "$(config_dir_copy "$CFG")" --status
	assert_line --index 1 --partial DISABLE_TELEMETRY
	NETDATA_USER_CONFIG_DIR=$CFG run "$(config_dir_copy "$CFG")" --status
	refute_line --index 1 --partial NETDATA_USER_CONFIG_DIR
}

@test "opting out runs no program at all: it works with an empty PATH" {
	: >"$CFG/.opt-out-from-anonymous-statistics"
	for how in DO_NOT_TRACK=1 DISABLE_TELEMETRY=0 "NETDATA_USER_CONFIG_DIR=$CFG"; do
		run env -i "$how" PATH=/nonexistent "$SCRIPT" FATAL netdata:MAIN f:a.c:1
		assert_success
		assert_output ""
		run env -i "$how" PATH=/nonexistent "$SCRIPT" --status
		assert_success
		assert_line --index 0 "anonymous statistics: disabled"
	done
	run env -i PATH=/nonexistent "$(config_dir_copy "$CFG")" START
	assert_success
	assert_output ""
	assert_equal "$(capture_count)" 0
}

@test "a config directory the caller cannot search opts out, and --status says why" {
	need_nobody
	open_to_nobody
	chmod 0700 "$CFG"
	copy=$(config_dir_copy "$CFG")
	chmod 755 "$copy"
	run --separate-stderr as_nobody "$copy" START
	assert_success
	assert_output ""
	run as_nobody "$copy" --status
	assert_success
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 --partial "cannot be checked"
	sleep 0.2
	assert_equal "$(capture_count)" 0
}

@test "an unsearchable directory above the config directory opts out too" {
	need_nobody
	open_to_nobody
	mkdir -p "$CFG/locked/etc"
	chmod 0700 "$CFG/locked"
	copy=$(config_dir_copy "$CFG/locked/etc")
	chmod 755 "$copy"
	run --separate-stderr as_nobody "$copy" START
	assert_success
	assert_output ""
	assert_equal "$(capture_count)" 0
}

@test "a searchable config directory without the file, or none at all, does not opt out" {
	run --separate-stderr "$(config_dir_copy "$CFG/not/there")" START
	assert_success
	assert_output 200
	: >"$BATS_TEST_TMPDIR/plain-file"
	run --separate-stderr "$(config_dir_copy "$BATS_TEST_TMPDIR/plain-file/etc")" START
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 2
}

@test "a link loop on the way to the opt-out file opts out" {
	ln -s loop "$CFG/loop"
	NETDATA_USER_CONFIG_DIR=$CFG/loop/etc run --separate-stderr "$SCRIPT" START
	assert_success
	assert_output ""
	NETDATA_USER_CONFIG_DIR=$CFG/loop/etc run "$SCRIPT" --status
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 --partial "cannot be checked"
	assert_equal "$(capture_count)" 0
}
