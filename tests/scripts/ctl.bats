#!/usr/bin/env bats
# anonymous-statistics-ctl: status (the script's --status), on, off, level,
# preview (the script's --dry-run) and log, each with a read-only and an
# unwritable config directory and hostile file contents where it reads or
# writes one.  The copies of the command and the script share the test's own
# config directory; the endpoint is a loopback capture server.

bats_require_minimum_version 1.5.0
load ctl-helpers

setup() {
	ctl_setup
	make_canary_sysinfo
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	LOG="$ANONYMOUS_STATISTICS_STATE_DIR/anonymous-statistics.log"
}

teardown() {
	capture_stop
}

# ctl ARGS...: run the control command copy, stderr apart.
ctl() {
	run --separate-stderr "$CTL_COPY" "$@"
}

# config_listing: the config directory's entries and their contents, to show
# that a refused command changed nothing.
config_listing() {
	(cd "$CFG" && find . -printf '%p %y %m\n' | LC_ALL=C sort && find . -type f -exec cat {} +)
}

# read_only_config CMD...: run CMD with the config directory read-only: a
# read-only bind mount in a mount namespace of its own when we are root
# (root may write a mode 0555 directory), else mode 0555.
read_only_config() {
	if [ "$(id -u)" -eq 0 ]; then
		command -v unshare >/dev/null || skip "needs unshare (util-linux) to mount the config directory read-only"
		unshare -m --propagation private true 2>/dev/null || skip "cannot make a mount namespace here"
		run --separate-stderr unshare -m --propagation private sh -c \
			'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' \
			sh "$CFG" "$@"
	else
		chmod 0555 "$CFG"
		run --separate-stderr "$@"
		chmod 0755 "$CFG"
	fi
}

# ---- status -------------------------------------------------------------------

@test "status is the script's --status, and exits 0 when statistics are on" {
	expected=$("$SCRIPT_COPY" --status)
	ctl status
	assert_success
	assert_output "$expected"
	assert_line --index 0 "anonymous statistics: enabled"
	assert_line --index 1 "endpoint: $CAPTURE_URL"
	assert_line "level: all (the default: no file $LEVEL)"
	assert_line "log of sent events: $LOG"
	assert_equal "$(capture_count)" 0
	assert [ ! -e "$CANARY" ]
}

@test "no command is status" {
	ctl
	assert_success
	assert_line --index 0 "anonymous statistics: enabled"
}

@test "status exits 1 when off and names every mechanism keeping it off" {
	: >"$OPT_OUT"
	printf 'off\n' >"$LEVEL"
	DO_NOT_TRACK=1 ctl status
	assert_failure 1
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 --partial "decided by: environment variable DO_NOT_TRACK"
	assert_line --index 2 "decided by: file $OPT_OUT"
	assert_line --index 3 "decided by: level off: file $LEVEL"
	assert_line "note: the variables above are those of this shell; the daemon checks its own environment"
}

@test "status exits 3 when on but not configured (no key)" {
	sed -i "s|^POSTHOG_KEY=.*|POSTHOG_KEY=''|" "$SCRIPT_COPY"
	ANONYMOUS_STATISTICS_KEY= ctl status
	assert_failure 3
	assert_line --index 0 "anonymous statistics: enabled, but not configured: nothing is sent"
	assert_line --index 1 --partial "no PostHog key"
}

@test "status without the script says so and exits 4" {
	rm "$SCRIPT_COPY"
	ctl status
	assert_failure 4
	assert_output ""
	[[ $stderr == *"cannot run $SCRIPT_COPY"* ]] || fail "stderr: $stderr"
}

@test "status of a script that prints something unexpected exits 4" {
	printf '#!/bin/sh\necho "anonymous statistics: maybe"\n' >"$SCRIPT_COPY"
	ctl status
	assert_failure 4
	[[ $stderr == *"unexpected output"* ]] || fail "stderr: $stderr"
}

# ---- off and on -----------------------------------------------------------------

@test "off creates an empty opt-out file; the script then sends nothing; off again changes nothing" {
	ctl off
	assert_success
	assert_output "anonymous statistics are off: created $OPT_OUT"
	assert [ -f "$OPT_OUT" ]
	assert [ ! -s "$OPT_OUT" ]
	assert_equal "$(stat -c %a "$OPT_OUT")" 644
	run --separate-stderr "$SCRIPT_COPY" START
	assert_success
	assert_output ""
	assert_equal "$(capture_count)" 0
	ctl off
	assert_success
	assert_output "anonymous statistics are off: $OPT_OUT exists"
	ctl status
	assert_failure 1
	assert_line --index 1 "decided by: file $OPT_OUT"
}

@test "off creates the config directory when it is missing" {
	rmdir "$CFG"
	ctl off
	assert_success
	assert [ -f "$OPT_OUT" ]
}

@test "on removes the opt-out file and statistics are on again" {
	: >"$OPT_OUT"
	ctl on
	assert_success
	assert_line --index 0 "removed $OPT_OUT"
	assert_line --index 1 "anonymous statistics are on"
	assert_line --index 2 "level: all (the default: no file $LEVEL)"
	assert [ ! -e "$OPT_OUT" ]
	run --separate-stderr "$SCRIPT_COPY" START
	assert_output 200
	ctl on
	assert_success
	assert_output "anonymous statistics are on
level: all (the default: no file $LEVEL)"
}

@test "on warns and exits 1 when a variable, the user's file or the level still keeps statistics off" {
	local user="$BATS_TEST_TMPDIR/user"
	mkdir "$user"
	: >"$user/$OPT_OUT_NAME"
	: >"$OPT_OUT"
	DO_NOT_TRACK=0 ctl on
	assert_failure 1
	assert_line --index 0 "removed $OPT_OUT"
	[[ $stderr == *"still off"*"decided by: environment variable DO_NOT_TRACK"* ]] || fail "stderr: $stderr"
	assert [ ! -e "$OPT_OUT" ]
	DISABLE_TELEMETRY=no ctl on
	assert_failure 1
	[[ $stderr == *"decided by: environment variable DISABLE_TELEMETRY"* ]] || fail "stderr: $stderr"
	NETDATA_USER_CONFIG_DIR=$user ctl on
	assert_failure 1
	[[ $stderr == *"decided by: file $user/$OPT_OUT_NAME (from NETDATA_USER_CONFIG_DIR)"* ]] || fail "stderr: $stderr"
	printf 'off\n' >"$LEVEL"
	ctl on
	assert_failure 1
	[[ $stderr == *"decided by: level off: file $LEVEL"* ]] || fail "stderr: $stderr"
	assert [ -e "$user/$OPT_OUT_NAME" ]
	assert_equal "$(cat "$LEVEL")" off
}

@test "on removes an opt-out symlink (not its target) or empty directory; refuses a full directory" {
	printf 'keep\n' >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$OPT_OUT"
	ctl on
	assert_success
	assert [ ! -e "$OPT_OUT" ] && assert [ ! -L "$OPT_OUT" ]
	assert_equal "$(cat "$BATS_TEST_TMPDIR/target")" keep
	ln -s "$BATS_TEST_TMPDIR/nowhere" "$OPT_OUT"
	ctl on
	assert_success
	assert [ ! -L "$OPT_OUT" ]
	mkdir "$OPT_OUT"
	ctl on
	assert_success
	assert [ ! -e "$OPT_OUT" ]
	mkdir "$OPT_OUT"
	: >"$OPT_OUT/something"
	ctl on
	assert_failure 4
	[[ $stderr == *"is a directory that is not empty"* ]] || fail "stderr: $stderr"
	assert [ -e "$OPT_OUT/something" ]
}

@test "off never writes through a symlink planted as the opt-out file: it already opts out" {
	ln -s "$BATS_TEST_TMPDIR/created-through-link" "$OPT_OUT"
	ctl off
	assert_success
	assert_output "anonymous statistics are off: $OPT_OUT exists"
	assert [ ! -e "$BATS_TEST_TMPDIR/created-through-link" ]
}

@test "a read-only config directory: off, on and level refuse clearly, exit 4, change nothing" {
	before=$(config_listing)
	read_only_config "$CTL_COPY" off
	assert_failure 4
	assert_output ""
	[[ $stderr == *"cannot create $OPT_OUT_NAME in $CFG: it is read-only, or"*"may not write there"* ]] ||
		fail "stderr: $stderr"
	read_only_config "$CTL_COPY" level crashes
	assert_failure 4
	[[ $stderr == *"cannot write $LEVEL_NAME in $CFG"* ]] || fail "stderr: $stderr"
	assert_equal "$(config_listing)" "$before"
	: >"$OPT_OUT"
	before=$(config_listing)
	read_only_config "$CTL_COPY" on
	assert_failure 4
	[[ $stderr == *"cannot remove $OPT_OUT_NAME in $CFG"* ]] || fail "stderr: $stderr"
	assert_equal "$(config_listing)" "$before"
	# Reading still works.
	read_only_config "$CTL_COPY" status
	assert_failure 1
	assert_line --index 1 "decided by: file $OPT_OUT"
}

@test "a config directory the caller may not write (nobody): off, on and level refuse, exit 4" {
	need_nobody
	open_to_nobody
	chmod 0755 "$CFG"
	before=$(config_listing)
	run --separate-stderr as_nobody "$CTL_COPY" off
	assert_failure 4
	[[ $stderr == *"cannot create $OPT_OUT_NAME in $CFG: it is read-only, or nobody may not write there (run as root?)"* ]] ||
		fail "stderr: $stderr"
	run --separate-stderr as_nobody "$CTL_COPY" level all
	assert_failure 4
	assert_equal "$(config_listing)" "$before"
	: >"$OPT_OUT"
	run --separate-stderr as_nobody "$CTL_COPY" on
	assert_failure 4
	[[ $stderr == *"cannot remove $OPT_OUT_NAME in $CFG"* ]] || fail "stderr: $stderr"
	assert [ -e "$OPT_OUT" ]
	run --separate-stderr as_nobody "$CTL_COPY" status
	assert_failure 1
}

@test "a config directory nobody cannot search: status says off and why, off refuses" {
	need_nobody
	open_to_nobody
	chmod 0700 "$CFG"
	run --separate-stderr as_nobody "$CTL_COPY" status
	assert_failure 1
	assert_line --index 1 --partial "cannot be checked"
	run --separate-stderr as_nobody "$CTL_COPY" off
	assert_failure 4
	assert [ ! -e "$OPT_OUT" ]
}

# ---- level ----------------------------------------------------------------------

@test "level alone prints the level" {
	ctl level
	assert_success
	assert_output "level: all (the default: no file $LEVEL)"
	printf 'crashes\n' >"$LEVEL"
	ctl level
	assert_output "level: crashes (file $LEVEL): only FATAL, CRASH and INCOMPLETE_SHUTDOWN are sent"
}

@test "level crashes writes one word, mode 0644; the script then drops START and sends FATAL" {
	ctl level crashes
	assert_success
	assert_line --index 0 "level crashes written to $LEVEL"
	assert_line --index 1 "anonymous statistics are on"
	assert_line --index 2 --partial "level: crashes (file $LEVEL)"
	assert_equal "$(od -An -c "$LEVEL" | tr -d ' ')" 'crashes\n'
	assert_equal "$(stat -c %a "$LEVEL")" 644
	run --separate-stderr "$SCRIPT_COPY" START
	assert_output ""
	run --separate-stderr "$SCRIPT_COPY" FATAL netdata:MAIN f:a.c:1
	assert_output 200
	assert_equal "$(capture_count)" 1
	ctl level all
	assert_success
	assert_equal "$(cat "$LEVEL")" all
	run --separate-stderr "$SCRIPT_COPY" START
	assert_output 200
	run ls -A "$CFG"
	assert_output "$LEVEL_NAME"
}

@test "level crashes and all switch statistics on: the opt-out file goes" {
	: >"$OPT_OUT"
	ctl level crashes
	assert_success
	assert_line "removed $OPT_OUT"
	assert [ ! -e "$OPT_OUT" ]
}

@test "level crashes warns and exits 1 when a variable still keeps statistics off" {
	DO_NOT_TRACK=1 ctl level crashes
	assert_failure 1
	assert_equal "$(cat "$LEVEL")" crashes
	[[ $stderr == *"still off"*DO_NOT_TRACK* ]] || fail "stderr: $stderr"
}

@test "level off is the opt-out file; the level file is left as it was" {
	printf 'crashes\n' >"$LEVEL"
	ctl level off
	assert_success
	assert_output "anonymous statistics are off: created $OPT_OUT"
	assert [ -e "$OPT_OUT" ]
	assert_equal "$(cat "$LEVEL")" crashes
	ctl on
	assert_success
	assert_line --partial "level: crashes"
}

@test "level refuses an unknown level or extra words (exit 2) and writes nothing" {
	for args in "bogus" "ALL" "crash" "all all" "-1" "$(printf 'all\033[2J')"; do
		# shellcheck disable=SC2086
		ctl level $args
		assert_failure 2
		assert_output ""
		[[ $stderr != *$'\033'* ]] || fail "an escape byte reached stderr"
	done
	run ls -A "$CFG"
	assert_output ""
}

@test "level replaces a symlinked level file, never writing through it" {
	printf 'keep\n' >"$BATS_TEST_TMPDIR/target"
	ln -s "$BATS_TEST_TMPDIR/target" "$LEVEL"
	ctl level crashes
	assert_success
	assert [ ! -L "$LEVEL" ]
	assert_equal "$(cat "$LEVEL")" crashes
	assert_equal "$(cat "$BATS_TEST_TMPDIR/target")" keep
}

@test "level refuses a directory in place of the level file" {
	mkdir "$LEVEL"
	ctl level all
	assert_failure 4
	[[ $stderr == *"$LEVEL is a directory"* ]] || fail "stderr: $stderr"
	assert [ -d "$LEVEL" ]
}

@test "a hostile level file: status says off and why; level all replaces it" {
	for kind in $HOSTILE_LEVELS; do
		[ "$kind" != directory ] || continue
		rm -rf "$LEVEL" "$LEVEL".*
		why=$(make_level "$kind" "$LEVEL")
		timed_run --separate-stderr "$CTL_COPY" status
		assert_failure 1
		assert [ "$ELAPSED_MS" -lt 3000 ]
		assert_line --index 1 "decided by: level off: file $LEVEL $why"
		[[ $output != *$'\033'* ]] || fail "$kind: an escape byte reached the output"
		ctl level all
		assert_success
		assert_line "anonymous statistics are on"
		assert_equal "$(cat "$LEVEL")" all
	done
	# No temporary file of level is left.
	run ls -A "$CFG"
	assert_output "$LEVEL_NAME"
}

# ---- preview --------------------------------------------------------------------

@test "preview is the script's --dry-run: the same JSON, nothing sent" {
	ctl preview
	assert_success
	got=$output
	expected=$("$SCRIPT_COPY" --dry-run START)
	assert_equal "$(sed 's/"timestamp":"[^"]*"//' <<<"$got")" "$(sed 's/"timestamp":"[^"]*"//' <<<"$expected")"
	assert_equal "$(jq -r .event <<<"$got")" START
	ctl preview FATAL 'netdata:WEB[10.0.0.1:19999]' /home/me/src/a.c:f:1
	assert_success
	assert_equal "$(jq -r .properties.action_result <<<"$output")" netdata:WEB
	assert_equal "$(capture_count)" 0
}

@test "preview when opted out or dropped by the level says nothing would be sent" {
	DO_NOT_TRACK=1 ctl preview
	assert_success
	assert_output ""
	[[ $stderr == *"nothing would be sent"* ]] || fail "stderr: $stderr"
	printf 'crashes\n' >"$LEVEL"
	ctl preview STOP
	assert_success
	assert_output ""
	[[ $stderr == *"STOP would not be sent"* ]] || fail "stderr: $stderr"
	ctl preview FATAL a:b f:a.c:1
	assert_success
	assert_equal "$(jq -r .event <<<"$output")" FATAL
}

@test "preview passes the script's usage errors on, and takes at most three words" {
	ctl preview BOGUS
	assert_failure 2
	ctl preview FATAL a b c
	assert_failure 2
	ctl preview --status
	assert_failure 2
	assert_equal "$(capture_count)" 0
}

# ---- log ------------------------------------------------------------------------

# payload EVENT: a real payload of the script, one line.
payload() {
	"$SCRIPT_COPY" --dry-run "$@"
}

@test "log prints the time (UTC), event and HTTP status of each line" {
	local epochs="0 951782400 1709208000 1764630182 4102444799 99999999999" e
	for e in $epochs; do
		printf '%s 200 %s\n' "$e" "$(payload START)"
	done >"$LOG"
	printf '1764630183 503 %s\n' "$(payload FATAL netdata:MAIN f:a.c:1)" >>"$LOG"
	ctl log
	assert_success
	assert_line --index 0 --regexp '^time \(UTC\) +event +HTTP$'
	local i=1
	for e in $epochs; do
		assert_line --index "$i" --regexp "^$(date -u -d "@$e" +%Y-%m-%dT%H:%M:%SZ) +START +200\$"
		i=$((i + 1))
	done
	assert_line --index "$i" --regexp "^$(date -u -d @1764630183 +%Y-%m-%dT%H:%M:%SZ) +FATAL +503\$"
	assert_equal "${#lines[@]}" $((i + 1))
	assert_equal "$stderr" ""
}

@test "log --json prints the payloads exactly as logged" {
	payload START >"$BATS_TEST_TMPDIR/p1"
	payload STOP ERROR >"$BATS_TEST_TMPDIR/p2"
	{ printf '1 200 '; cat "$BATS_TEST_TMPDIR/p1"; printf '2 400 '; cat "$BATS_TEST_TMPDIR/p2"; } >"$LOG"
	ctl log --json
	assert_success
	assert_output "$(cat "$BATS_TEST_TMPDIR/p1" "$BATS_TEST_TMPDIR/p2")"
}

@test "log skips every malformed line, says how many, and prints nothing of them" {
	local good bad=0 line
	good=$(payload START)
	{
		printf '100 200 %s\n' "$good"
		while IFS= read -r line; do
			printf '%b\n' "$line"
			bad=$((bad + 1))
		done <<'EOF'
{"event":"START"}
100 {"event":"START"}
100 99 {"event":"START"}
100 600 {"event":"START"}
100 20x {"event":"START"}
1a0 200 {"event":"START"}
-100 200 {"event":"START"}
123456789012 200 {"event":"START"}
100  200 {"event":"START"}
100\t200 {"event":"START"}
 100 200 {"event":"START"}
100 200  {"event":"START"}x
100 200 {"event":"START"} x
100 200 {"event":"START"}}
100 200 {"event":"START"
100 200 {"event":"START",}
100 200 {"event":"START" "x":1}
100 200 {"event":"START","x":"a\\qb"}
100 200 {"event":"START","x":"a\x01b"}
100 200 {"event":"START","x":"a\x1b[2Jb"}
100 200 {"event":"START","x":"\xff"}
100 200 {"event":"START","x":"\xc0\xaf"}
100 200 {"event":"START","x":"\xed\xa0\x80"}
100 200 {"event":"START","x":"\xe2\x82"}
100 200 {"event":"START","x":"\\u12"}
100 200 {"event":"START","x":01}
100 200 {"event":"START","x":1.}
100 200 {"event":"START","x":tru}
100 200 {"event":"START","x":123456789012345678901234567890123456789012345}
100 200 {"event":"START","x":[1,2,]}
100 200 ["event","START"]
100 200 {"x":"START"}
100 200 {"event":"start"}
100 200 {"event":"ST\\u0041RT"}
100 200 {"event":"\x1b]0;pwned\x07"}
100 200 {"event":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
100 200 {"event":1}
100 200 {"x":{"event":"START"}}
100 200 {"event":"START","x":"a\x00b"}
100 200 {"event":"START","x":"\x00"}
\x00100 200 {"event":"START"}
100 200
100

EOF
		printf '100 200 {"event":"START","x":%s1%s}\n' "$(printf '[%.0s' {1..100})" "$(printf ']%.0s' {1..100})"
		bad=$((bad + 1))
		printf '200 500 %s\n' "$good"
	} >"$LOG"
	ctl log
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_line --index 1 --regexp '^1970-01-01T00:01:40Z +START +200$'
	assert_line --index 2 --regexp '^1970-01-01T00:03:20Z +START +500$'
	assert_equal "$stderr" "anonymous-statistics-ctl: $bad malformed lines skipped"
	ctl log --json
	assert_success
	assert_output "$good
$good"
}

@test "log accepts what valid JSON allows: nesting, escapes, numbers, literals, UTF-8" {
	cat >"$LOG" <<'EOF'
7 200 { "event" : "START" , "a":[1,-2.5e+3,0.1E2,true,false,null,{}],"b":{"c":[[]]},"d":"\"\\\/\b\f\n\r\t\u00e9","e":"€ 𝄞 é" }
EOF
	ctl log
	assert_success
	assert_line --index 1 --regexp '^1970-01-01T00:00:07Z +START +200$'
	assert_equal "$stderr" ""
}

@test "log takes only spaces between tokens: a raw CR or tab there never reaches the terminal" {
	printf '1 200 {"event":"START"\r,"x":1}\n2 200 {"event":"STOP",\t"x":1}\n3 200 {"event":"STOP"}\n' >"$LOG"
	ctl log --json
	assert_success
	assert_output '{"event":"STOP"}'
	assert_equal "$stderr" "anonymous-statistics-ctl: 2 malformed lines skipped"
}

@test "log --json escapes DEL and the C1 controls a valid JSON string may hold raw" {
	printf '1 200 {"event":"START","x":"a\177b\302\233c\302\237d\302\240e"}\n' >"$LOG"
	ctl log --json
	assert_success
	assert_output "$(printf '{"event":"START","x":"a\\u007fb\\u009bc\\u009fd\302\240e"}')"
	assert_equal "$(jq -r .x <<<"$output")" "$(printf 'a\177b\302\233c\302\237d\302\240e')"
}

@test "log without a log says no event was sent yet, and exits 0" {
	ctl log
	assert_success
	assert_output "no event sent yet: $LOG does not exist"
	ctl log --json
	assert_success
	assert_output ""
}

@test "log refuses a symlink, a FIFO and a directory in place of the log, without hanging" {
	printf '1 200 %s\n' "$(payload START)" >"$BATS_TEST_TMPDIR/elsewhere"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$LOG"
	ctl log
	assert_failure 4
	assert_output ""
	[[ $stderr == *"$LOG is a symbolic link"*"not read"* ]] || fail "stderr: $stderr"
	ctl log --json
	assert_failure 4
	assert_output ""
	rm "$LOG"
	mkfifo "$LOG"
	timed_run --separate-stderr "$CTL_COPY" log
	assert_failure 4
	assert [ "$ELAPSED_MS" -lt 3000 ]
	[[ $stderr == *"$LOG is not a regular file"* ]] || fail "stderr: $stderr"
	rm "$LOG"
	mkdir "$LOG"
	ctl log
	assert_failure 4
}

# long_line_log: a good line, a line of 1 MiB (one valid JSON string of
# that length), a torn line of 32 KiB (its string never closed), a good
# line: within what the writer leaves (1 MiB and one more line).
long_line_log() {
	{
		printf '1 200 %s\n' "$(payload START)"
		printf '2 200 {"event":"START","x":"'
		head -c 1048576 /dev/zero | tr '\0' a
		printf '"}\n3 200 {"event":"START","x":"'
		head -c 32768 /dev/zero | tr '\0' b
		printf '\n4 200 %s\n' "$(payload STOP)"
	} >"$LOG"
}

# long_line_run SHELL...: `ctl log` and `log --json` on long_line_log under
# SHELL..., each within 2 s (killed at 10: the awk reader this replaced took
# longer than that under mawk and BusyBox awk).
long_line_run() {
	long_line_log
	timed_run --separate-stderr timeout 10 "$@" "$CTL_COPY" log
	assert_success
	assert [ "$ELAPSED_MS" -lt 2000 ]
	assert_equal "${#lines[@]}" 4
	assert_line --index 2 --regexp '^1970-01-01T00:00:02Z +START +200$'
	assert_line --index 3 --regexp '^1970-01-01T00:00:04Z +STOP +200$'
	assert_equal "$stderr" "anonymous-statistics-ctl: 1 malformed line skipped"
	timed_run --separate-stderr timeout 10 "$@" "$CTL_COPY" log --json
	assert_success
	assert [ "$ELAPSED_MS" -lt 2000 ]
	assert_equal "${#lines[@]}" 3
	assert_equal "${#lines[1]}" $((1048576 + 24))
}

@test "log answers within 2 s on a 1 MiB line: dash (with mawk as awk)" {
	command -v dash >/dev/null || skip "dash is not installed"
	local bin="$BATS_TEST_TMPDIR/bin" t
	mkdir -p "$bin"
	for t in mawk gawk; do
		command -v "$t" >/dev/null && { ln -sf "$(command -v "$t")" "$bin/awk"; break; }
	done
	PATH="$bin:$PATH" long_line_run dash
}

@test "log answers within 2 s on a 1 MiB line: BusyBox ash with only BusyBox tools" {
	command -v busybox >/dev/null || skip "busybox is not installed"
	local bb="$BATS_TEST_TMPDIR/bb" t
	busybox_path "$bb"
	for t in dd id timeout; do ln -sf "$(command -v busybox)" "$bb/$t"; done
	long_line_run env PATH="$bb" "$(command -v busybox)" ash
}

@test "log refuses a log larger than the script ever writes, at once" {
	{
		printf '1 200 %s\n' "$(payload START)"
		head -c 4194304 /dev/zero | tr '\0' 'x'
		printf '\n2 200 %s\n' "$(payload START)"
	} >"$LOG"
	timed_run --separate-stderr timeout 10 "$CTL_COPY" log
	assert_failure 4
	assert [ "$ELAPSED_MS" -lt 2000 ]
	assert_output ""
	[[ $stderr == *"$LOG is larger than "*" bytes, more than the script ever writes: not read" ]] || fail "stderr: $stderr"
	timed_run --separate-stderr timeout 10 "$CTL_COPY" log --json
	assert_failure 4
	assert_output ""
}

@test "log counts torn lines: one run into the next, a last one cut short" {
	{
		printf '1 200 %s\n' "$(payload START)"
		printf '2 200 {"event":"START","x":"ab'
		printf '3 200 %s\n' "$(payload START)"
		printf '4 200 %s\n' "$(payload STOP)"
		printf '5 200 {"event":"STA'
	} >"$LOG"
	ctl log
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_line --index 1 --regexp '^1970-01-01T00:00:01Z +START +200$'
	assert_line --index 2 --regexp '^1970-01-01T00:00:04Z +STOP +200$'
	assert_equal "$stderr" "anonymous-statistics-ctl: 2 malformed lines skipped"
}

@test "log reads no log that is not a file of the caller's with one link" {
	printf '1 200 %s\n' "$(payload START)" >"$LOG"
	ln "$LOG" "$BATS_TEST_TMPDIR/second-name"
	ctl log
	assert_failure 4
	assert_output ""
	[[ $stderr == *"$LOG has more than one link"*"not read" ]] || fail "stderr: $stderr"
	rm "$BATS_TEST_TMPDIR/second-name"
	ctl log
	assert_success
	[ "$(id -u)" -eq 0 ] || skip "needs root to give the log to another account"
	chown nobody "$LOG"
	ctl log
	assert_failure 4
	assert_output ""
	[[ $stderr == *"$LOG belongs to another account than root and the state directory's owner: not read"* ]] ||
		fail "stderr: $stderr"
	ctl log --json
	assert_failure 4
	assert_output ""
}

@test "root reads the log of the account that owns the state directory (the script runs as it)" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to give the state directory to another account"
	printf '1 200 %s\n' "$(payload START)" >"$LOG"
	chown nobody "$ANONYMOUS_STATISTICS_STATE_DIR" "$LOG"
	ctl log
	assert_success
	assert_line --index 1 --regexp '^1970-01-01T00:00:01Z +START +200$'
	ln "$LOG" "$ANONYMOUS_STATISTICS_STATE_DIR/second-name"
	ctl log
	assert_failure 4
	[[ $stderr == *"$LOG has more than one link"*"not read" ]] || fail "stderr: $stderr"
}

@test "log without the state helper says so and exits 4" {
	ANONYMOUS_STATISTICS_STATE_HELPER="$BATS_TEST_TMPDIR/none" ctl log
	assert_failure 4
	[[ $stderr == *"cannot run $BATS_TEST_TMPDIR/none: it is not installed"* ]] || fail "stderr: $stderr"
}

@test "log of a log the caller cannot read exits 4" {
	need_nobody
	open_to_nobody
	chmod 0755 "$ANONYMOUS_STATISTICS_STATE_DIR"
	printf '1 200 %s\n' "$(payload START)" >"$LOG"
	chmod 0600 "$LOG"
	run --separate-stderr as_nobody env ANONYMOUS_STATISTICS_STATE_DIR="$ANONYMOUS_STATISTICS_STATE_DIR" "$CTL_COPY" log
	assert_failure 4
	[[ $stderr == *"$LOG cannot be read by nobody"* ]] || fail "stderr: $stderr"
}

@test "log reads back what the script logged when it sent an event" {
	run --separate-stderr "$SCRIPT_COPY" START
	assert_output 200
	[ -f "$LOG" ] || fail "the script did not write its log"
	ctl log
	assert_success
	assert_line --index 1 --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z +START +200$'
	ctl log --json
	assert_equal "$output" "$(cat "$(body 1)")"
}

@test "log reads what the state helper writes for the script (EPOCH STATUS JSON)" {
	local helper="$top_builddir/helpers/sender/anonymous-statistics-sender" before after
	[ -x "$helper" ] || skip "this build has no helpers/sender/anonymous-statistics-sender"
	payload START >"$BATS_TEST_TMPDIR/p1"
	payload FATAL netdata:MAIN f:a.c:1 >"$BATS_TEST_TMPDIR/p2"
	before=$(date -u +%s)
	"$helper" "$ANONYMOUS_STATISTICS_STATE_DIR" log 200 <"$BATS_TEST_TMPDIR/p1"
	"$helper" "$ANONYMOUS_STATISTICS_STATE_DIR" log 503 <"$BATS_TEST_TMPDIR/p2"
	after=$(date -u +%s)
	ctl log
	assert_success
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 3
	[[ ${lines[1]} =~ ^([0-9T:-]+Z)\ +START\ +200$ ]] || fail "line 1: ${lines[1]}"
	when=$(date -u -d "${BASH_REMATCH[1]}" +%s)
	assert [ "$when" -ge "$before" ]
	assert [ "$when" -le "$after" ]
	assert_line --index 2 --regexp '^[0-9T:-]+Z +FATAL +503$'
	ctl log --json
	assert_output "$(cat "$BATS_TEST_TMPDIR/p1" "$BATS_TEST_TMPDIR/p2")"
}

# ---- the command itself -------------------------------------------------------

@test "--help names every command and exit status; --version; an unknown command is exit 2" {
	ctl --help
	assert_success
	for word in status on off level preview log; do
		assert_line --regexp "^  $word( |$)"
	done
	assert_line --partial "log [--json]"
	for code in 0 1 2 3 4; do
		assert_line --regexp "^  $code  "
	done
	ctl --version
	assert_success
	assert_output --regexp '^anonymous-statistics-ctl [0-9]'
	ctl "$(printf 'st\033[2Jatus')"
	assert_failure 2
	[[ $stderr == *"unknown command 'st??2Jatus'"* ]] || fail "stderr: $stderr"
	for args in "status x" "on x" "off x" "log x" "log --json x"; do
		# shellcheck disable=SC2086
		ctl $args
		assert_failure 2
	done
}

@test "shellcheck -s sh finds nothing in the built command; it evaluates nothing" {
	command -v shellcheck >/dev/null || skip "shellcheck is not installed"
	run shellcheck -s sh "$CTL"
	assert_success
	assert_output ""
	run grep -n -E '^[^#]*(\beval\b|\bsh -c\b|^[[:space:]]*\. |\bsource\b)' "$CTL"
	assert_failure
}

# ctl_core SHELL...: status, off, on, level and log under the shell SHELL...
ctl_core() {
	run --separate-stderr "$@" "$CTL_COPY" status
	assert_success
	assert_line --index 0 "anonymous statistics: enabled"
	run --separate-stderr "$@" "$CTL_COPY" off
	assert_success
	assert [ -e "$OPT_OUT" ]
	run --separate-stderr "$@" "$CTL_COPY" status
	assert_failure 1
	run --separate-stderr "$@" "$CTL_COPY" on
	assert_success
	assert [ ! -e "$OPT_OUT" ]
	run --separate-stderr "$@" "$CTL_COPY" level crashes
	assert_success
	assert_equal "$(cat "$LEVEL")" crashes
	run --separate-stderr "$@" "$CTL_COPY" level
	assert_output --partial "level: crashes"
	rm "$LEVEL"
	{
		printf '951782400 200 %s\n' "$(payload START)"
		printf '1 200 {"event":"START","x":"\xff"}\n'
		printf '2 200 {"event":"START","x":"a\0b"}\n'
		printf '3 200 {"event":"START","x":"a\177b\302\233"}\n'
	} >"$LOG"
	run --separate-stderr "$@" "$CTL_COPY" log
	assert_success
	assert_line --index 1 --regexp '^2000-02-29T00:00:00Z +START +200$'
	assert_line --index 2 --regexp '^1970-01-01T00:00:03Z +START +200$'
	assert_equal "$stderr" "anonymous-statistics-ctl: 2 malformed lines skipped"
	run --separate-stderr "$@" "$CTL_COPY" log --json
	assert_line --index 1 '{"event":"START","x":"a\u007fb\u009b"}'
	run --separate-stderr "$@" "$CTL_COPY" preview
	assert_success
	assert_equal "$(jq -r .event <<<"$output")" START
}

@test "dash: status, off, on, level, log, preview" {
	command -v dash >/dev/null || skip "dash is not installed"
	ctl_core dash
}

@test "bash --posix: status, off, on, level, log, preview" {
	ctl_core bash --posix
}

@test "BusyBox ash with only BusyBox tools: status, off, on, level, log, preview" {
	command -v busybox >/dev/null || skip "busybox is not installed"
	local bb="$BATS_TEST_TMPDIR/bb" t
	busybox_path "$bb"
	for t in dd id rmdir chmod; do ln -sf "$(command -v busybox)" "$bb/$t"; done
	# The script copy starts with #!/bin/sh: run it under BusyBox too.
	sed -i "1s|.*|#!$(command -v busybox) ash|" "$SCRIPT_COPY"
	ctl_core env PATH="$bb" "$(command -v busybox)" ash
}
