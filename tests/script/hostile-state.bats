#!/usr/bin/env bats
# The threat model of the state directory: root runs the script, the state
# directory belongs to an unprivileged account (nobody here, as netdata owns
# /var/lib/netdata), and whatever that account plants there (symlinks,
# FIFOs, hard links, files of its own, the names we pick) never makes root
# write, read or block on anything outside.  And state stays consistent
# under many concurrent runs.

bats_require_minimum_version 1.5.0
load script-helpers

setup() {
	script_setup
	STATE=$ANONYMOUS_STATISTICS_STATE_DIR
	LOG="$STATE/anonymous-statistics.log"
	DEDUP="$STATE/anonymous-statistics.fatal"
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	# Root's files outside the state directory, which the attacker targets.
	OUTSIDE="$BATS_TEST_TMPDIR/outside"
	mkdir -p "$OUTSIDE"
	printf 'root: do not touch\n' >"$OUTSIDE/crontab"
	printf 'root-only secret\n' >"$OUTSIDE/secret"
	chmod 600 "$OUTSIDE/crontab" "$OUTSIDE/secret"
}

teardown() {
	capture_stop
}

# hostile_state: hand the state directory to nobody, as netdata owns it.
hostile_state() {
	need_nobody
	open_to_nobody
	chown nobody "$STATE"
	chmod 755 "$STATE"
}

# plant CMD...: run CMD in the state directory as its owner, nobody.
plant() {
	(cd "$STATE" && as_nobody "$@")
}

outside_untouched() {
	assert_equal "$(cat "$OUTSIDE/crontab")" "root: do not touch"
	assert_equal "$(stat -c %U:%a "$OUTSIDE/crontab")" root:600
}

@test "symlinked log and de-dup files: root writes through neither, reads neither" {
	hostile_state
	ln -s "$OUTSIDE/crontab" "$LOG"
	ln -s "$OUTSIDE/secret" "$DEDUP"
	chown -h nobody "$LOG" "$DEDUP"
	run "$SCRIPT" START
	assert_success
	run "$SCRIPT" FATAL netdata:MAIN f:a.c:1
	assert_success
	outside_untouched
	assert_equal "$(cat "$OUTSIDE/secret")" "root-only secret"
	run grep -rF -e 'root-only secret' -e 'do not touch' "$STATE"
	assert_failure
	assert_equal "$(capture_count)" 2
}

@test "3000 planted symlinks on names a temporary file could take: nothing outside is written" {
	hostile_state
	local i last
	# The next 3000 process ids: a name built from $$ is among them.
	last=$(cat /proc/sys/kernel/ns_last_pid)
	for i in $(seq $((last + 1)) $((last + 3000))); do
		printf '%s\n' "anonymous-statistics.log.tmp.$i" "anonymous-statistics.fatal.tmp.$i"
	done >"$BATS_TEST_TMPDIR/names"
	plant /usr/bin/python3 -c 'import os, sys
for n in sys.stdin.read().split():
    os.symlink(sys.argv[1], n)' "$OUTSIDE/crontab" <"$BATS_TEST_TMPDIR/names"
	for i in 1 2 3; do
		run "$SCRIPT" START
		assert_success
		run "$SCRIPT" FATAL "netdata:T$i" f:a.c:1
		assert_success
	done
	outside_untouched
	assert_equal "$(wc -l <"$LOG")" 6
}

@test "a FIFO as the de-dup file, the log or the lock: 20 FATAL runs never hang" {
	hostile_state
	plant mkfifo anonymous-statistics.fatal anonymous-statistics.log anonymous-statistics.lock
	local i
	for i in $(seq 1 20); do
		timed_run --separate-stderr "$SCRIPT" FATAL netdata:MAIN "f:a.c:$i"
		assert_success
		assert [ "$ELAPSED_MS" -lt 3000 ]
	done
	assert_equal "$(capture_count)" 20
}

@test "a root-owned file hard-linked in as the log keeps its content and mode" {
	hostile_state
	ln "$OUTSIDE/crontab" "$LOG"
	run "$SCRIPT" START
	assert_success
	outside_untouched
	run grep -c . "$LOG"
	# The log, if written at all, is a file of its own now.
	assert [ "$(stat -c %h "$OUTSIDE/crontab")" -le 2 ]
	assert_equal "$(cat "$OUTSIDE/crontab")" "root: do not touch"
}

@test "files the other account made for itself are never used, and the send goes on" {
	hostile_state
	plant sh -c 'echo "$1 netdata:MAIN f:a.c:1" >anonymous-statistics.fatal; : >anonymous-statistics.lock' - "$(date +%s)"
	run "$SCRIPT" FATAL netdata:MAIN f:a.c:1
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 1
	assert_equal "$(stat -c %U anonymous-statistics.lock 2>/dev/null || stat -c %U "$STATE/anonymous-statistics.lock")" nobody
}

@test "a state directory that is a symlink is not used" {
	mkdir "$BATS_TEST_TMPDIR/real"
	ln -s "$BATS_TEST_TMPDIR/real" "$BATS_TEST_TMPDIR/link"
	ANONYMOUS_STATISTICS_STATE_DIR="$BATS_TEST_TMPDIR/link" run "$SCRIPT" START
	assert_success
	run ls -A "$BATS_TEST_TMPDIR/real"
	assert_output ""
}

@test "state files are 0600 and root's, in a directory nobody owns" {
	hostile_state
	run "$SCRIPT" FATAL netdata:MAIN f:a.c:1
	assert_success
	assert_equal "$(stat -c %U:%a "$LOG")" root:600
	assert_equal "$(stat -c %U:%a "$DEDUP")" root:600
}

@test "50 concurrent STARTs: the log keeps all 50 lines" {
	local i pids=()
	for i in $(seq 1 50); do "$SCRIPT" START >/dev/null 2>&1 & pids+=($!); done
	wait "${pids[@]}"
	assert_equal "$(capture_count)" 50
	assert_equal "$(wc -l <"$LOG")" 50
	run cut -d' ' -f2 "$LOG"
	assert_equal "$(printf '%s\n' "$output" | sort -u)" 200
	cut -d' ' -f3- "$LOG" | "$PYTHON3" -c 'import json, sys
for line in sys.stdin: json.loads(line)' || fail "a log line is not JSON"
}

@test "50 identical concurrent FATALs: one is sent" {
	local i pids=()
	for i in $(seq 1 50); do "$SCRIPT" FATAL netdata:MAIN f:a.c:7 >/dev/null 2>&1 & pids+=($!); done
	wait "${pids[@]}"
	assert_equal "$(capture_count)" 1
	assert_equal "$(wc -l <"$DEDUP")" 1
}

@test "a run killed while it holds the lock does not keep others out" {
	"$SCRIPT" FATAL netdata:X f:a.c:1 >/dev/null
	# Hold the lock from a process that is then killed: sleep itself holds
	# the locked descriptor, so killing it is killing the holder.
	"$BASH" -c 'exec 9>>"$1" && flock 9 && exec sleep 30' - "$STATE/anonymous-statistics.lock" &
	holder=$!
	sleep 0.2
	kill -KILL "$holder"
	wait "$holder" 2>/dev/null || true
	run "$SCRIPT" FATAL netdata:MAIN f:a.c:1
	assert_success
	assert_output 200
	assert_equal "$(grep -c netdata:MAIN "$DEDUP")" 1
}
