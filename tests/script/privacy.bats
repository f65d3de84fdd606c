#!/usr/bin/env bats
# Privacy of direct callers: whatever a caller puts in FATAL's PROCESS and
# FILE, CLOUD_BUILD_FAIL's dependency and CLOUD_CONNECT_FAIL's codes, no host
# name, address, user name or path reaches the payload; a field that does not
# look like what it claims to be is "unknown".  Every field is cut to its cap
# before any pattern is applied to it.

bats_require_minimum_version 1.5.0
load script-helpers

setup() {
	script_setup
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
