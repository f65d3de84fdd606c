#!/usr/bin/env bats
# Privacy of direct callers: whatever a caller puts in FATAL's PROCESS and
# FILE, CLOUD_BUILD_FAIL's dependency and CLOUD_CONNECT_FAIL's codes, no host
# name, address, user name or path reaches the payload; a field that does not
# look like what it claims to be is "unknown".  Every field is cut to its cap
# before any pattern is applied to it.  Nor does anything identifying sit
# in an argv, which every local user reads in /proc/PID/cmdline.

bats_require_minimum_version 1.5.0
load script-helpers

setup() {
	script_setup
}

teardown() {
	[ -z "${POLLER:-}" ] || kill "$POLLER" 2>/dev/null || true
	capture_stop
}

# cleaned PROP ARGS...: the property PROP of the payload --dry-run prints.
cleaned() {
	local p=$1
	shift
	run --separate-stderr "$SCRIPT" --dry-run "$@"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/payload.json"
	json_valid "$BATS_TEST_TMPDIR/payload.json"
	prop "$BATS_TEST_TMPDIR/payload.json" "$p"
}

# never_sent TEXT: the last payload holds nothing of TEXT.
never_sent() {
	run grep -F -e "$1" "$BATS_TEST_TMPDIR/payload.json"
	assert_failure
}

@test "FATAL's PROCESS: an address, a host name or a path is unknown" {
	for v in 10.20.30.40 db01.corp.example.com /home/alice/bin/netdata 'alice@db01' 1netdata \
		'netdata.corp' "$(printf 'a%.0s' $(seq 1 40))"; do
		assert_equal "$(cleaned action_result FATAL "$v:MAIN" f:a.c:1)" unknown:MAIN
		never_sent corp.example
		never_sent 10.20.30
		never_sent alice
	done
}

@test "FATAL's PROCESS: program and plugin names are kept" {
	for v in netdata anonstats-daemon go.d.plugin apps.plugin python.d.plugin ebpf_plugin; do
		assert_equal "$(cleaned action_result FATAL "$v:MAIN" f:a.c:1)" "$v:MAIN"
	done
}

@test "FATAL's FILE: only a source file's base name; an address, a host name or a user's file is unknown" {
	for v in 10.20.30.40 db01.corp.example.com /home/alice/notes.txt alice .bashrc 'main.c.orig' \
		'x.com' '../databas'; do
		assert_equal "$(cleaned action_data FATAL netdata:MAIN "f:$v:12")" f:unknown:12
		never_sent corp.example
		never_sent 10.20.30
		never_sent alice
	done
	assert_equal "$(cleaned action_data FATAL netdata:MAIN f:/home/alice/src/rrd.c:12)" f:rrd.c:12
	assert_equal "$(cleaned action_data FATAL netdata:MAIN f:main.cc:12:ENOMEM)" f:main.cc:12:ENOMEM
	assert_equal "$(cleaned action_data FATAL netdata:MAIN f:web_server.go:3:13)" f:web_server.go:3:13
}

@test "FATAL's FUNCTION is a C identifier" {
	assert_equal "$(cleaned action_data FATAL netdata:MAIN rrd_init:a.c:1)" rrd_init:a.c:1
	assert_equal "$(cleaned action_data FATAL netdata:MAIN 'db01.corp.example.com:a.c:1')" db01:a.c:1
	assert_equal "$(cleaned action_data FATAL netdata:MAIN '10.20.30.40:a.c:1')" unknown:a.c:1
	assert_equal "$(cleaned action_data FATAL netdata:MAIN 'a-b:a.c:1')" a:a.c:1
}

@test "FATAL's data in Netdata's layout: line@file:function/errno, padded and truncated" {
	assert_equal "$(cleaned action_data FATAL netdata:MAIN '0888@../databas:rrd_init       /0')" rrd_init:unknown:888:0
	assert_equal "$(cleaned action_data FATAL netdata:MAIN '0042@main.c    :main           /12')" main:main.c:42:12
	assert_equal "$(cleaned action_data FATAL netdata:MAIN '0042@main.c:main/12')" main:main.c:42:12
	assert_equal "$(cleaned action_data FATAL netdata:MAIN '0000@/home/alic:x              /0')" x:unknown:0:0
	never_sent alic
	assert_equal "$(cleaned action_data FATAL netdata:MAIN '12@10.20.30.40:db01.corp/5')" db01:unknown:12:5
	never_sent 10.20.30
}

@test "CLOUD_CONNECT_FAIL: anything but a list of codes is unknown (no address becomes digits)" {
	for v in 'connect to 192.168.1.20 port 443' '5, 403' '5,,6' ',5' '5,' 1234567 \
		"$(seq -s, 1 17)" 'EPERM' '5;6'; do
		assert_equal "$(cleaned action_data CLOUD_CONNECT_FAIL - "$v")" unknown
		never_sent 192
	done
	assert_equal "$(cleaned action_data CLOUD_CONNECT_FAIL - "$(seq -s, 1 16)")" "$(seq -s, 1 16)"
}

@test "CLOUD_BUILD_FAIL: a host name or an address is not a dependency" {
	for v in db01.corp.example.com 10.20.30.40 .hidden 'lib.so.x'; do
		assert_equal "$(cleaned action_data CLOUD_BUILD_FAIL - "$v")" unknown
	done
	assert_equal "$(cleaned action_data CLOUD_BUILD_FAIL - libssl1.1)" libssl1.1
	assert_equal "$(cleaned action_data CLOUD_BUILD_FAIL - protobuf-3.12.4)" protobuf-3.12.4
}

@test "a field of almost 128 KiB is cut before it is parsed: well under a second" {
	local big
	# Linux takes at most 128 KiB in one argument (MAX_ARG_STRLEN).
	big=$(head -c 65000 /dev/zero | tr '\0' 'a')
	for args in "FATAL x:y f:$big/$big:1" "FATAL $big:$big $big" "CLOUD_CONNECT_FAIL - $big" \
		"CLOUD_BUILD_FAIL - $big"; do
		# shellcheck disable=SC2086
		timed_run --separate-stderr "$SCRIPT" --dry-run $args
		assert_success
		assert [ "$ELAPSED_MS" -lt 1000 ]
	done
}

# poll_cmdlines OUT: as nobody, read /proc/*/cmdline of every process until
# killed, and write to OUT each one holding a word of $NEEDLES (one a line,
# passed in the environment, not in the poller's own argv) as "WORD<TAB>ARGV";
# only this test's processes, those naming its directory or its endpoint
# (the machine may be running other tests at the same time).
poll_cmdlines() {
	local py
	for py in "$PYTHON3" /usr/bin/python3 ''; do
		[ -z "$py" ] || ! as_nobody "$py" -c '' 2>/dev/null || break
	done
	[ -n "$py" ] || skip "no python3 that nobody may run"
	# Not as_nobody, a function: $! must be the poller itself.
	NEEDLES=$NEEDLES TEST_DIR="$BATS_TEST_TMPDIR/" TEST_URL=$CAPTURE_URL setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- "$py" -I -c '
import os, time
needles = [n.encode() for n in os.environ["NEEDLES"].split("\n") if n]
ours = [os.environ["TEST_DIR"].encode(), os.environ["TEST_URL"].encode()]
seen = set()
end = time.monotonic() + 30
while time.monotonic() < end:
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read()
        except OSError:
            continue
        if not any(o in argv for o in ours):
            continue
        for n in needles:
            if n in argv and (n, argv) not in seen:
                seen.add((n, argv))
                print(n.decode() + "\t" + argv.replace(b"\0", b" ").replace(b"\n", b" ").decode(errors="replace"), flush=True)
' >"$1" 2>&1 3>&- &
	POLLER=$!
}

@test "no GUID and no payload in any argv: nobody polling /proc/*/cmdline sees neither, every transport" {
	local path bin pids=()
	need_nobody
	capture_start hang
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	# A helper that takes its time keeps the state helper running.
	printf '#!/bin/sh\nsleep 0.3\necho NETDATA_SYSTEM_KERNEL_NAME=Linux\n' >"$BATS_TEST_TMPDIR/slow"
	chmod +x "$BATS_TEST_TMPDIR/slow"
	export ANONYMOUS_STATISTICS_SYSINFO="$BATS_TEST_TMPDIR/slow"
	# The capture URL is in every transport's argv: it proves the poller
	# sees them.
	NEEDLES="$TEST_GUID
\"distinct_id\"
\"api_key\"
phc_test_key\"
\"properties\"
\"event\"
$CAPTURE_URL"
	poll_cmdlines "$BATS_TEST_TMPDIR/seen"
	for t in curl wget busybox; do
		bin="$BATS_TEST_TMPDIR/$t"
		base_tools "$bin"
		case $t in
		busybox) ln -s "$(command -v busybox)" "$bin/wget" ;;
		*) tool_path "$bin" "$t" ;;
		esac
		PATH=$bin "$SCRIPT" START >/dev/null 2>&1 3>&- &
		pids+=("$!")
		PATH=$bin "$SCRIPT" FATAL netdata:MAIN main:main.c:1 >/dev/null 2>&1 3>&- &
		pids+=("$!")
	done
	wait "${pids[@]}" || true
	kill "$POLLER"
	wait "$POLLER" || true
	POLLER=
	for t in curl wget; do
		grep -qF "$(printf '%s\t%s' "$CAPTURE_URL" "$BATS_TEST_TMPDIR/$t/$t ")" "$BATS_TEST_TMPDIR/seen" ||
			fail "the poller never saw $t: $(cat "$BATS_TEST_TMPDIR/seen")"
	done
	grep -qF "$(printf '%s\t%s' "$CAPTURE_URL" "$BATS_TEST_TMPDIR/busybox/wget ")" "$BATS_TEST_TMPDIR/seen" ||
		fail "the poller never saw BusyBox wget: $(cat "$BATS_TEST_TMPDIR/seen")"
	run grep -vF "$(printf '%s\t' "$CAPTURE_URL")" "$BATS_TEST_TMPDIR/seen"
	assert_output ""
}
