#!/usr/bin/env bats
# The state directory: FATAL de-duplication (once per 24 h, bounded file) and
# the local log of sent payloads (last 100).  A missing, read-only or broken
# state directory never stops a send; --dry-run writes nothing.

bats_require_minimum_version 1.5.0
load script-helpers

setup() {
	script_setup
	STATE=$ANONYMOUS_STATISTICS_STATE_DIR
	DEDUP="$STATE/anonymous-statistics.fatal"
	LOG="$STATE/anonymous-statistics.log"
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
}

teardown() {
	capture_stop
}

fatal() {
	run --separate-stderr "$SCRIPT" FATAL "${1:-netdata:MAIN}" "${2:-f:a.c:1}"
}

@test "without the state helper nothing is sent, and it says why (exit 3)" {
	for helper in "$BATS_TEST_TMPDIR/missing" "$BATS_TEST_TMPDIR"; do
		ANONYMOUS_STATISTICS_STATE_HELPER=$helper run "$SCRIPT" START
		assert_failure 3
		assert_output --partial "no state helper"
		ANONYMOUS_STATISTICS_STATE_HELPER=$helper run "$SCRIPT" --dry-run START
		assert_failure 3
	done
	assert_equal "$(capture_count)" 0
}

@test "a state helper that cannot build the event: --dry-run exits 7 and says so, never a network failure (5)" {
	local how
	for how in 'exit 3' 'exit 2' 'kill -KILL $$'; do
		printf '#!/bin/sh\n%s\n' "$how" >"$BATS_TEST_TMPDIR/failing-helper"
		chmod +x "$BATS_TEST_TMPDIR/failing-helper"
		ANONYMOUS_STATISTICS_STATE_HELPER="$BATS_TEST_TMPDIR/failing-helper" \
			run --separate-stderr "$SCRIPT" --dry-run START
		assert_failure 7
		assert_output ""
		# (the shell may first say "Killed")
		assert_equal "${stderr##*$'\n'}" "anonymous-statistics.sh: the state helper could not build the event: nothing printed"
	done
	assert_equal "$(capture_count)" 0
}

@test "the state helper alone de-duplicates a FATAL, from its fields: send claims, json checks" {
	local fields=(s event FATAL '{' properties '' s action_result netdata:MAIN s action_data f:a.c:1 '}' '' '')
	send_fatal() {
		run --separate-stderr "$STATE_HELPER" send -s "$STATE" -t 1800 -m curl -u "$CAPTURE_URL" \
			-- "$(command -v curl)" -- "${fields[@]}"
	}
	send_fatal
	assert_success
	assert_output 200
	assert_equal "$(cut -d' ' -f2- "$DEDUP")" "netdata:MAIN f:a.c:1"
	send_fatal
	assert_success
	assert_output ""
	assert_equal "$stderr" "anonymous-statistics.sh: this FATAL was already sent in the last 24 hours: not sent again"
	run --separate-stderr "$STATE_HELPER" json -s "$STATE" -- "${fields[@]}"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "anonymous-statistics.sh: this FATAL was already sent in the last 24 hours: not sent again"
	# another event with the same fields is not a FATAL
	fields[2]=START
	send_fatal
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 2
	assert_equal "$(wc -l <"$DEDUP")" 1
}

@test "the same FATAL is sent once; a repeat exits 0 and sends nothing" {
	fatal
	assert_success
	assert_output 200
	fatal
	assert_success
	assert_output ""
	assert_equal "$stderr" "anonymous-statistics.sh: this FATAL was already sent in the last 24 hours: not sent again"
	assert_equal "$(capture_count)" 1
	assert [ "$(wc -l <"$DEDUP")" -eq 1 ]
}

@test "a FATAL with another thread, line or errno is sent" {
	fatal netdata:MAIN f:a.c:1
	fatal netdata:WEB f:a.c:1
	fatal netdata:MAIN f:a.c:2
	fatal netdata:MAIN f:a.c:1:5
	assert_equal "$(capture_count)" 4
}

@test "the same FATAL after a peer's address was cut is still the same FATAL" {
	fatal 'netdata:STREAM_RECEIVER[10.0.0.1:19999]' rx:r.c:9
	fatal 'netdata:STREAM_RECEIVER[10.0.0.2:19999]' rx:r.c:9
	assert_equal "$(capture_count)" 1
	run grep -c 10.0.0 "$DEDUP"
	assert_output 0
}

@test "a FATAL sent more than 24 hours ago is sent again" {
	fatal
	old=$(( $(date +%s) - 86401 ))
	sed -i "s/^[0-9]* /$old /" "$DEDUP"
	fatal
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 2
}

@test "a FATAL recorded in the future (clock skew) does not block a send" {
	printf '%s netdata:MAIN f:a.c:1\n' "$(( $(date +%s) + 3600 ))" >"$DEDUP"
	fatal
	assert_output 200
	assert_equal "$(capture_count)" 1
}

@test "a FATAL the endpoint refused (500) is not recorded, so it is tried again" {
	capture_stop
	capture_start 500
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL fatal
	assert_failure 6
	run grep -c netdata:MAIN "$DEDUP"
	assert_output 0
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL fatal
	assert_failure 6
	assert_equal "$(capture_count)" 2
}

@test "de-duplication works with a date that lacks +%s (awk's srand() gives the time)" {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/date" <<EOF
#!/bin/sh
case "\$*" in *%s*) echo 's'; exit 0 ;; esac
exec $(command -v date) "\$@"
EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/date"
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" fatal
	assert_output 200
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" fatal
	assert_output ""
	assert_equal "$(capture_count)" 1
	now=$(date +%s)
	when=$(cut -d' ' -f1 "$DEDUP")
	assert [ "$when" -ge $((now - 5)) ]
	assert [ "$when" -le "$now" ]
}

@test "other ACTIONs are never de-duplicated" {
	for i in 1 2 3; do run "$SCRIPT" START; done
	for i in 1 2; do run "$SCRIPT" CLOUD_CONNECT_FAIL - 5; done
	assert_equal "$(capture_count)" 5
	assert [ ! -e "$DEDUP" ]
}

@test "the de-duplication file keeps its last 50 lines" {
	now=$(date +%s)
	for i in $(seq 1 500); do printf '%s netdata:T%s f:a.c:1\n' "$now" "$i"; done >"$DEDUP"
	fatal netdata:NEW
	assert_output 200
	assert_equal "$(wc -l <"$DEDUP")" 50
	assert_equal "$(tail -n 1 "$DEDUP" | cut -d' ' -f2-)" "netdata:NEW f:a.c:1"
}

@test "a de-duplication file over 64 KiB, or full of garbage, is ignored and started afresh" {
	head -c 70000 /dev/urandom >"$DEDUP"
	fatal
	assert_output 200
	assert_equal "$(wc -l <"$DEDUP")" 1
	printf 'garbage\n%s\nx netdata:MAIN f:a.c:1\n-1 netdata:MAIN f:a.c:1\n' "\$(touch $CANARY)" >"$DEDUP"
	fatal netdata:MAIN f:a.c:1
	assert_output 200
	assert [ ! -e "$CANARY" ]
}

# log_payload N: the payload of the N-th line of the log ("EPOCH STATUS JSON").
log_payload() {
	sed -n "${1}p" "$LOG" | cut -d' ' -f3-
}

@test "each payload the endpoint answered is logged: time, HTTP status, the JSON" {
	run "$SCRIPT" START
	run "$SCRIPT" FATAL netdata:MAIN f:a.c:1
	assert_equal "$(wc -l <"$LOG")" 2
	assert_equal "$(log_payload 1)" "$(cat "$(body 1)")"
	assert_equal "$(log_payload 2)" "$(cat "$(body 2)")"
	now=$(date +%s)
	while read -r when code json; do
		assert [ "$when" -ge $((now - 10)) ] && assert [ "$when" -le "$now" ]
		assert_equal "$code" 200
		json_valid <(printf '%s\n' "$json")
	done <"$LOG"
	assert_equal "$(stat -c %a "$LOG")" 600
}

@test "a delivered event is logged and exits 0 even when stdout is closed or full" {
	local n=0
	for out in closed /dev/full; do
		status=0
		if [ "$out" = closed ]; then
			"$SCRIPT" START >&- 2>"$BATS_TEST_TMPDIR/err" || status=$?
		else
			"$SCRIPT" START >"$out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
		fi
		n=$((n + 1))
		assert_equal "$status" 0
		assert_equal "$(capture_count)" "$n"
		assert_equal "$(wc -l <"$LOG")" "$n"
		assert_equal "$(log_payload "$n")" "$(cat "$(body "$n")")"
		assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""
	done
}

@test "an answer with an HTTP error is logged too; a refused connection is not" {
	capture_stop
	capture_start 429
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL run "$SCRIPT" START
	assert_failure 6
	assert_equal "$(wc -l <"$LOG")" 1
	assert_equal "$(cut -d' ' -f2 "$LOG")" 429
	ANONYMOUS_STATISTICS_URL=http://127.0.0.1:1/ run "$SCRIPT" START
	assert_failure 5
	assert_equal "$(wc -l <"$LOG")" 1
}

@test "the log is appended to up to 200 payloads, then cut back to the last 100" {
	for i in $(seq 1 150); do printf '{"old": %s}\n' "$i"; done >"$LOG"
	inode=$(stat -c %i "$LOG")
	run "$SCRIPT" START
	assert_success
	assert_equal "$(wc -l <"$LOG")" 151
	assert_equal "$(head -n 1 "$LOG")" '{"old": 1}'
	assert_equal "$(log_payload 151)" "$(cat "$(body)")"
	# Appended in place: no rename per event.
	assert_equal "$(stat -c %i "$LOG")" "$inode"
	for i in $(seq 1 200); do printf '{"old": %s}\n' "$i"; done >"$LOG"
	run "$SCRIPT" START
	assert_success
	assert_equal "$(wc -l <"$LOG")" 100
	assert_equal "$(head -n 1 "$LOG")" '{"old": 102}'
	assert_equal "$(log_payload 100)" "$(cat "$(body 2)")"
}

@test "a log with a torn last line is started afresh" {
	printf '1 200 {"a":1}\n1 200 {"b":' >"$LOG"
	run "$SCRIPT" START
	assert_success
	assert_equal "$(wc -l <"$LOG")" 1
	assert_equal "$(log_payload 1)" "$(cat "$(body)")"
}

@test "a log over 1 MiB is started afresh" {
	head -c 1100000 /dev/zero | tr '\0' 'x' >"$LOG"
	run "$SCRIPT" START
	assert_success
	assert_equal "$(wc -l <"$LOG")" 1
}

@test "--dry-run writes no state" {
	run "$SCRIPT" --dry-run FATAL netdata:MAIN f:a.c:1
	assert_success
	run ls -A "$STATE"
	assert_output ""
}

@test "--dry-run of an already sent FATAL says so and prints nothing" {
	fatal
	run --separate-stderr "$SCRIPT" --dry-run FATAL netdata:MAIN f:a.c:1
	assert_success
	assert_output ""
	assert_equal "$stderr" "anonymous-statistics.sh: this FATAL was already sent in the last 24 hours: not sent again"
	assert_equal "$(capture_count)" 1
}

@test "a missing state directory does not stop the send (and is not created)" {
	ANONYMOUS_STATISTICS_STATE_DIR="$BATS_TEST_TMPDIR/missing" fatal
	assert_success
	assert_output 200
	assert_equal "$stderr" ""
	assert [ ! -e "$BATS_TEST_TMPDIR/missing" ]
}

@test "a read-only state directory does not stop the send" {
	# /proc takes no new files, even for root.
	ANONYMOUS_STATISTICS_STATE_DIR=/proc fatal
	assert_success
	assert_output 200
	assert_equal "$stderr" ""
	if [ "$(id -u)" -ne 0 ]; then
		chmod 555 "$STATE"
		fatal netdata:RO
		chmod 755 "$STATE"
		assert_success
		assert_output 200
	fi
}

@test "a state 'directory' that is a file, or whose files are directories, does not stop the send" {
	: >"$BATS_TEST_TMPDIR/plain"
	ANONYMOUS_STATISTICS_STATE_DIR="$BATS_TEST_TMPDIR/plain" fatal
	assert_success
	assert_output 200
	mkdir "$DEDUP" "$LOG"
	fatal netdata:OTHER
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 2
}
