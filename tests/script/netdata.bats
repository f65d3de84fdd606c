#!/usr/bin/env bats
# The drop-in for Netdata 1.37's own daemon: it runs
#   /bin/sh -c "<plugins>/anonymous-statistics.sh 'ACTION' 'RESULT' 'DATA' ..."
# with 42 single-quoted arguments (39 analytics values after the first
# three), its environment plus NETDATA_* variables (the host name among
# them), and reads the first three bytes of stdout as the HTTP status.

bats_require_minimum_version 1.5.0
load script-helpers
load hostile

PLANTED_HOST=planted-host-name-7f3a.corp.example

setup() {
	script_setup
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	# The daemon's own environment, from its system-info run.
	export NETDATA_HOSTNAME=$PLANTED_HOST NETDATA_VERSION=v1.37.1 \
		NETDATA_SYSTEM_OS_NAME=Debian NETDATA_SYSTEM_KERNEL_NAME=Linux \
		NETDATA_SYSTEM_ARCHITECTURE=x86_64 NETDATA_HOST_OS_NAME=Debian \
		NETDATA_INSTANCE_NAME=$PLANTED_HOST NETDATA_LISTEN_PORT=19999
}

teardown() {
	capture_stop
}

# analytics: the 39 values the daemon passes after the first three, each
# holding a marker that must never be sent.
analytics() {
	local i
	for i in $(seq 1 39); do
		case $((i % 4)) in
		0) printf " '\"dbengine-marker-%s\"'" "$i" ;;
		1) printf " 'null'" ;;
		2) printf " 'true'" ;;
		3) printf " '\"%s:%s\"'" "$PLANTED_HOST" "$i" ;;
		esac
	done
}

# as_netdata ACTION RESULT DATA: call the script as the daemon does.
as_netdata() {
	run /bin/sh -c "$SCRIPT '$1' '$2' '$3'$(analytics)"
}

# arrived_once N EVENT RESULT DATA: request N is EVENT with RESULT and DATA,
# valid JSON with the documented fields only, nothing of the host name or of
# the analytics values.
arrived_once() {
	local f
	f=$(body "$1")
	json_valid "$f"
	assert_equal "$(field "$f" .event)" "$2"
	assert_equal "$(prop "$f" action_result)" "$3"
	assert_equal "$(prop "$f" action_data)" "$4"
	assert_equal "$(prop "$f" netdata_version)" v1.37.1
	assert_equal "$(payload_fields "$f")" "$(documented_fields)"
	run grep -l -F -e "$PLANTED_HOST" -e planted-host -e marker -e dbengine "$f" "$CAPTURE_DIR/$1.meta"
	assert_failure
}

@test "every action Netdata sends, called as it calls the script, arrives once" {
	local n=0 call
	while IFS='|' read -r action result data event want_result want_data; do
		as_netdata "$action" "$result" "$data"
		assert_success
		assert_output 200
		n=$((n + 1))
		assert_equal "$(capture_count)" "$n"
		arrived_once "$n" "$event" "$want_result" "$want_data"
	done <<'TABLE'
START|-|-|START||
EXIT|OK|-|STOP|OK|
EXIT|ERROR|-|STOP|ERROR|
ACLK_DISABLED|-|-|CLOUD_DISABLED||
CRASH|-|-|CRASH||
INCOMPLETE_SHUTDOWN|-|-|INCOMPLETE_SHUTDOWN||
META_START|-|-|META_START||
META|-|-|META||
FATAL|netdata:MAIN|0888@../databas:rrd_init       /0|FATAL|netdata:MAIN|rrd_init:unknown:888:0
FATAL|netdata:WEB_SERVER[static1]|0042@web_server:web_server_mai/13|FATAL|netdata:WEB_SERVER|web_server_mai:unknown:42:13
TABLE
}

@test "a FATAL's message text never reaches the payload, whatever Netdata's layout holds" {
	as_netdata FATAL "netdata:STREAM_RECEIVER[$PLANTED_HOST:19999]" "0001@/home/alic:main           /2"
	assert_success
	arrived_once 1 FATAL netdata:STREAM_RECEIVER main:unknown:1:2
	run grep -c alic "$(body)"
	assert_output 0
}

@test "up to 64 arguments are accepted, 65 are a usage error, and the extra ones are never read" {
	local args=(START - -) i
	for i in $(seq 4 64); do args+=("\$(touch $CANARY)"); done
	run --separate-stderr "$SCRIPT" "${args[@]}"
	assert_success
	assert_output 200
	args+=(one-too-many)
	run --separate-stderr "$SCRIPT" "${args[@]}"
	assert_failure 2
	assert_output ""
	assert [ ! -e "$CANARY" ]
	assert_equal "$(capture_count)" 1
}

@test "any bytes in any of the 42 arguments still give valid JSON" {
	hostile_table
	local args i v
	for v in "${HOSTILE[@]}"; do
		args=(FATAL "$v" "$v")
		# 42 copies of a 64 KiB value would pass the kernel's ARG_MAX.
		for i in $(seq 4 42); do args+=("${v:0:16384}"); done
		run --separate-stderr "$SCRIPT" --dry-run "${args[@]}"
		assert_success
		printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/p.json"
		json_valid "$BATS_TEST_TMPDIR/p.json"
	done
	assert [ ! -e "$CANARY" ]
}

@test "DO_NOT_TRACK in the daemon's environment opts out, though Netdata itself ignores it" {
	DO_NOT_TRACK=1 as_netdata START - -
	assert_success
	assert_output ""
	DISABLE_TELEMETRY=1 as_netdata FATAL netdata:MAIN '0001@main.c    :main           /0'
	assert_success
	assert_output ""
	sleep 0.2
	assert_equal "$(capture_count)" 0
}
