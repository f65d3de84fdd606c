#!/usr/bin/env bats
# Every ACTION end to end against the loopback capture server, the payload's
# fields against docs/payload.md, --dry-run, --help, --version, usage errors.

bats_require_minimum_version 1.5.0
load script-helpers

setup() {
	script_setup
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
}

teardown() {
	capture_stop
}

# send_ok EVENT RESULT DATA ARGS...: run the script with ARGS; exactly one
# valid event reaches the server with the given event, result and data.
send_ok() {
	local event=$1 result=$2 data=$3
	shift 3
	run "$SCRIPT" "$@"
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 1
	assert_equal "$(cat "$CAPTURE_DIR/1.meta")" "POST
/capture/
application/json"
	json_valid "$(body)"
	assert_equal "$(field "$(body)" .api_key)" "$TEST_KEY"
	assert_equal "$(field "$(body)" .event)" "$event"
	assert_equal "$(field "$(body)" .distinct_id)" "$TEST_GUID"
	assert_equal "$(prop "$(body)" action)" "$event"
	assert_equal "$(prop "$(body)" action_result)" "$result"
	assert_equal "$(prop "$(body)" action_data)" "$data"
	assert_equal "$(prop "$(body)" system_kernel_name)" SYSTEM_KERNEL_NAME
	assert_equal "$(prop "$(body)" host_os_id)" HOST_OS_ID
}

@test "START sends one event" {
	send_ok START "" "" START
}

@test "START accepts '-' for empty result and data, as Netdata passes them" {
	send_ok START "" "" START - -
}

@test "STOP sends one event with result OK by default" {
	send_ok STOP OK "" STOP
}

@test "STOP ERROR sends one event with result ERROR" {
	send_ok STOP ERROR "" STOP ERROR
}

@test "EXIT is an alias of STOP, with OK or ERROR" {
	send_ok STOP OK "" EXIT OK -
	capture_stop
	capture_start ok
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL send_ok STOP ERROR "" EXIT ERROR
}

@test "FATAL sends process:thread and function:file:line:errno" {
	send_ok FATAL netdata:MAIN rrd_init:rrd.c:123:12 FATAL netdata:MAIN rrd_init:rrd.c:123:12
}

@test "FATAL cuts a thread name that embeds a peer, and a file's directories" {
	send_ok FATAL netdata:STREAM_RECEIVER rx:receiver.c:77 \
		FATAL 'netdata:STREAM_RECEIVER[10.1.2.3:19999]' 'rx:/home/alice/src/receiver.c:77'
	run grep -c -e 10.1.2.3 -e 19999 -e alice "$(body)"
	assert_output 0
}

@test "FATAL keeps a named errno, drops a malformed one, and zeroes a non-numeric line" {
	send_ok FATAL netdata:MAIN f:a.c:0:ENOMEM FATAL netdata:MAIN 'f:a.c:12x:ENOMEM'
	capture_stop
	capture_start ok
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL send_ok FATAL netdata:MAIN f:a.c:9 FATAL netdata:MAIN 'f:a.c:9:Enomem!'
}

@test "FATAL with empty or missing fields sends unknown parts" {
	send_ok FATAL unknown:unknown unknown:unknown:0 FATAL
}

@test "CLOUD_DISABLED sends one event" {
	send_ok CLOUD_DISABLED "" "" CLOUD_DISABLED
}

@test "CLOUD_BUILD_FAIL names the dependency" {
	send_ok CLOUD_BUILD_FAIL "" protobuf-c++.3 CLOUD_BUILD_FAIL - 'protobuf-c++.3 (from /opt/x)'
}

@test "CLOUD_CONNECT_FAIL sends a list of numeric error codes as it is" {
	send_ok CLOUD_CONNECT_FAIL "" 5,403,28 CLOUD_CONNECT_FAIL - 5,403,28
}

@test "CLOUD_CONNECT_FAIL keeps the sign of a negative code" {
	send_ok CLOUD_CONNECT_FAIL "" -110,7 CLOUD_CONNECT_FAIL - -110,7
}

@test "the payload's fields are exactly the ones docs/payload.md lists" {
	run "$SCRIPT" START
	assert_success
	assert [ -s "$DOCS" ]
	run diff <(documented_fields) <(payload_fields "$(body)")
	assert_success
	assert_output ""
}

@test "the masking constants and privacy flags are in every payload" {
	run "$SCRIPT" START
	assert_success
	run jq -c '.properties | [."$ip", ."$current_url", ."$pathname", ."$host",
		."$process_person_profile", ."$geoip_disable", .event_source]' "$(body)"
	assert_output '["127.0.0.1","agent backend","netdata-backend","backend.netdata.io",false,true,"agent backend"]'
}

@test "the timestamp is ISO 8601 UTC" {
	run "$SCRIPT" START
	run field "$(body)" .timestamp
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
}

@test "the timestamp is now, to the second" {
	before=$(date -u +%s)
	run "$SCRIPT" START
	after=$(date -u +%s)
	when=$(date -u -d "$(field "$(body)" .timestamp)" +%s)
	assert [ "$when" -ge "$before" ]
	assert [ "$when" -le "$after" ]
}

@test "the timestamp is the time of the run, ISO 8601 in UTC" {
	before=$(date -u +%s)
	run "$SCRIPT" --dry-run START
	after=$(date -u +%s)
	assert_success
	stamp=$(printf '%s\n' "$output" | python3 -c 'import json, sys; print(json.load(sys.stdin)["timestamp"])')
	[[ $stamp =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] || fail "timestamp $stamp"
	when=$(date -u -d "$stamp" +%s)
	[ "$when" -ge "$before" ] && [ "$when" -le "$after" ] || fail "$stamp is not between $before and $after"
}

@test "--dry-run prints exactly what the server receives, timestamp aside" {
	NETDATA_VERSION='v2.0.0 "é"' run "$SCRIPT" --dry-run FATAL 'netdata:WEB[1]' 'f:x.c:1:2'
	assert_success
	dry=$output
	assert_equal "$(capture_count)" 0
	NETDATA_VERSION='v2.0.0 "é"' run "$SCRIPT" FATAL 'netdata:WEB[1]' 'f:x.c:1:2'
	assert_success
	strip='s/"timestamp":"[^"]*"/"timestamp":""/'
	printf '%s\n' "$dry" | sed "$strip" >"$BATS_TEST_TMPDIR/dry"
	sed "$strip" "$(body)" >"$BATS_TEST_TMPDIR/sent"
	run cmp "$BATS_TEST_TMPDIR/dry" "$BATS_TEST_TMPDIR/sent"
	assert_success
	refute [ "$(cat "$BATS_TEST_TMPDIR/dry")" = "" ]
}

@test "without a key nothing is sent and the exit status is 3" {
	unset ANONYMOUS_STATISTICS_KEY
	run "$(keyless_copy)" START
	assert_failure 3
	assert_output --partial "not configured"
	assert_equal "$(capture_count)" 0
}

@test "a key with characters outside [A-Za-z0-9_-] is refused with status 3" {
	ANONYMOUS_STATISTICS_KEY='phc_a"b' run "$SCRIPT" START
	assert_failure 3
	assert_equal "$(capture_count)" 0
}

@test "--dry-run without a key shows the payload, sends nothing, exits 3" {
	unset ANONYMOUS_STATISTICS_KEY
	run --separate-stderr "$(keyless_copy)" --dry-run START
	assert_failure 3
	json_valid <(printf '%s\n' "$output")
	assert_equal "$(capture_count)" 0
}

@test "the machine GUID is lower-cased; anything but a UUID becomes the nil UUID" {
	NETDATA_REGISTRY_UNIQUE_ID=0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0 run "$SCRIPT" --dry-run START
	assert_equal "$(jq -r .distinct_id <<<"$output")" "$TEST_GUID"
	for bad in '' x 0f1e2d3c4b5a69788796a5b4c3d2e1f0 "${TEST_GUID}0" "g${TEST_GUID#0}" \
		"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1-f" "0f1e2d3c-4b5a-6978-8796--5b4c3d2e1f0" "$TEST_GUID
"; do
		NETDATA_REGISTRY_UNIQUE_ID=$bad run "$SCRIPT" --dry-run START
		assert_success
		assert_equal "$(jq -r .distinct_id <<<"$output")" 00000000-0000-0000-0000-000000000000
	done
}

@test "NETDATA_VERSION is sent, unknown when unset" {
	NETDATA_VERSION=v1.44.0-12-gabc run "$SCRIPT" --dry-run START
	assert_equal "$(jq -r .properties.netdata_version <<<"$output")" v1.44.0-12-gabc
	run "$SCRIPT" --dry-run START
	assert_equal "$(jq -r .properties.netdata_version <<<"$output")" unknown
}

@test "every sysinfo key lands in its property" {
	run "$SCRIPT" --dry-run START
	assert_success
	for k in $FACT_KEYS; do
		assert_equal "$(jq -r --arg p "$(property "$k")" '.properties[$p]' <<<"$output")" "${k#NETDATA_}"
	done
}

@test "facts passed in the environment are used and the helper is not run" {
	make_canary_sysinfo
	NETDATA_SYSTEM_KERNEL_NAME=Linux NETDATA_HOST_OS_NAME='Debian GNU/Linux' \
		run "$SCRIPT" --dry-run START
	assert_success
	assert [ ! -e "$CANARY" ]
	assert_equal "$(jq -r .properties.system_kernel_name <<<"$output")" Linux
	assert_equal "$(jq -r .properties.host_os_name <<<"$output")" 'Debian GNU/Linux'
	assert_equal "$(jq -r .properties.system_architecture <<<"$output")" unknown
}

@test "a missing helper leaves every fact unknown, and the event is still sent" {
	ANONYMOUS_STATISTICS_SYSINFO="$BATS_TEST_TMPDIR/nonexistent" run "$SCRIPT" START
	assert_success
	for k in $FACT_KEYS; do
		assert_equal "$(prop "$(body)" "$(property "$k")")" unknown
	done
}

@test "a failing helper leaves every fact unknown" {
	printf '#!/bin/sh\necho NETDATA_SYSTEM_KERNEL_NAME=Linux\necho oops >&2\nexit 1\n' >"$BATS_TEST_TMPDIR/bad"
	chmod +x "$BATS_TEST_TMPDIR/bad"
	ANONYMOUS_STATISTICS_SYSINFO="$BATS_TEST_TMPDIR/bad" run --separate-stderr "$SCRIPT" --dry-run START
	assert_success
	assert_equal "$(jq -r .properties.system_kernel_name <<<"$output")" unknown
}

@test "a hanging helper is killed within a second and the event still goes out" {
	printf '#!/bin/sh\necho NETDATA_SYSTEM_KERNEL_NAME=Linux\nexec sleep 30\n' >"$BATS_TEST_TMPDIR/hang"
	chmod +x "$BATS_TEST_TMPDIR/hang"
	ANONYMOUS_STATISTICS_SYSINFO="$BATS_TEST_TMPDIR/hang" timed_run "$SCRIPT" START
	assert_success
	assert [ "$ELAPSED_MS" -lt 4000 ]
	assert_equal "$(prop "$(body)" system_kernel_name)" unknown
}

@test "helper output is data: unknown keys, comments and shell syntax are ignored or kept literally" {
	cat >"$BATS_TEST_TMPDIR/odd" <<EOF
#!/bin/sh
echo 'PATH=/nonexistent'
echo 'ANONYMOUS_STATISTICS_URL=http://192.0.2.1/'
echo '# NETDATA_HOST_OS_ID=commented'
echo ' NETDATA_HOST_OS_ID=leading-blank'
echo 'NETDATA_SYSTEM_KERNEL_NAME=\$(touch $CANARY)'
echo 'NETDATA_SYSTEM_ARCHITECTURE=x86_64=really'
echo 'NETDATA_HOST_OS_NAME="quoted"'
echo 'NETDATA_HOST_OS_VERSION='
echo 'no equals sign'
EOF
	chmod +x "$BATS_TEST_TMPDIR/odd"
	ANONYMOUS_STATISTICS_SYSINFO="$BATS_TEST_TMPDIR/odd" run "$SCRIPT" START
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 1
	assert [ ! -e "$CANARY" ]
	assert_equal "$(prop "$(body)" host_os_id)" unknown
	assert_equal "$(prop "$(body)" system_kernel_name)" "\$(touch $CANARY)"
	assert_equal "$(prop "$(body)" system_architecture)" x86_64=really
	assert_equal "$(prop "$(body)" host_os_name)" '"quoted"'
	assert_equal "$(prop "$(body)" host_os_version)" unknown
}

@test "the real sysinfo from the build tree feeds every fact" {
	[ -x "$top_builddir/helpers/sysinfo/sysinfo" ] || skip "helpers/sysinfo/sysinfo is not built"
	ANONYMOUS_STATISTICS_SYSINFO="$top_builddir/helpers/sysinfo/sysinfo" run "$SCRIPT" START
	assert_success
	assert_output 200
	json_valid "$(body)"
	refute [ "$(prop "$(body)" system_kernel_name)" = unknown ]
	for k in $FACT_KEYS; do
		refute [ -z "$(prop "$(body)" "$(property "$k")")" ]
	done
}

@test "an IPv6 loopback endpoint works" {
	capture_stop
	capture_start ok ::1 || skip "no IPv6 loopback here"
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL run "$SCRIPT" START
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 1
}

@test "unknown ACTIONs, a result or data where none is taken and unknown options are usage errors (2), nothing sent" {
	for args in "" "BOGUS" "start" "START x" "START - x" "STOP MAYBE" "STOP OK data" \
		"CLOUD_DISABLED x" "CLOUD_BUILD_FAIL x dep" "CLOUD_CONNECT_FAIL x 5" \
		"CRASH x" "INCOMPLETE_SHUTDOWN - x" "META x" "META_START x" "ACLK_DISABLED x" \
		"--bogus START" "-x START" "- START"; do
		# shellcheck disable=SC2086
		run "$SCRIPT" $args
		assert_failure 2
	done
	assert_equal "$(capture_count)" 0
}

@test "--help documents the actions, the environment and the exit codes" {
	run "$SCRIPT" --help
	assert_success
	for word in START STOP EXIT FATAL CLOUD_DISABLED CLOUD_BUILD_FAIL CLOUD_CONNECT_FAIL \
		CRASH INCOMPLETE_SHUTDOWN META_START META ACLK_DISABLED "never read or sent" \
		ANONYMOUS_STATISTICS_STATE_HELPER --check-url \
		--dry-run --status DO_NOT_TRACK DISABLE_TELEMETRY NETDATA_USER_CONFIG_DIR \
		ANONYMOUS_STATISTICS_URL ANONYMOUS_STATISTICS_KEY ANONYMOUS_STATISTICS_SYSINFO \
		ANONYMOUS_STATISTICS_STATE_DIR NETDATA_REGISTRY_UNIQUE_ID "usage error" \
		"not configured" "neither curl nor wget" "network failure" "HTTP error"; do
		assert_output --partial -- "$word"
	done
	assert_equal "$(capture_count)" 0
}

@test "--version prints the package version" {
	run "$SCRIPT" --version
	assert_success
	assert_output --regexp '^anonymous-statistics.sh [0-9]+\.[0-9]+\.[0-9]+'
}

@test "libanonstats names every exit status of the script in its reports" {
	local code
	for code in $(sed -n 's/^EX_[A-Z_]*=\([0-9]*\).*/\1/p' "$SCRIPT"); do
		grep -q "^	{ $code, \"" "$top_srcdir/daemon/lib/anonstats-child.c" ||
			fail "exit status $code has no meaning in anonstats-child.c's exit_meanings"
	done
}

@test "docs/payload.md and --help document the same exit statuses" {
	documented=$(sed -n '/^## Exit status/,/^## /s/^| \([0-9]\) |.*/\1/p' "$DOCS" | tr '\n' ' ')
	assert_equal "$documented" "0 2 3 4 5 6 7 "
	run "$SCRIPT" --help
	helped=$(printf '%s\n' "$output" | sed -n '/^Exit status:/,/^[^ ]/p' | grep -o '  [0-9]  ' | tr -d ' ' | tr '\n' ' ')
	assert_equal "$helped" "0 2 3 4 5 6 7 "
}
