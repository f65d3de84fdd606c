#!/usr/bin/env bats
# The benchmarks' peers: Netdata's scripts come from an installed
# netdata-plugins-bash, or from the copy fetched once into the build tree,
# and a later run needs no network (make bench in a loopback-only namespace).
load ../helpers/common

setup() {
	WORK="$BATS_TEST_TMPDIR"
	mkdir -p "$WORK/bin"
	# An apt-get that records each call and fails, as it does offline.
	printf '#!/bin/sh\necho "$*" >>"%s/apt-calls"\necho "E: offline" >&2\nexit 100\n' "$WORK" >"$WORK/bin/apt-get"
	chmod +x "$WORK/bin/apt-get"
}

# plugins CACHE INSTALLED: what benchlib.netdata_plugins() answers.
plugins() {
	PATH="$WORK/bin:$PATH" PYTHONPATH="$top_srcdir/bench" "$PYTHON3" -c \
		'import sys, benchlib; print(benchlib.netdata_plugins(sys.argv[1], sys.argv[2]))' "$@"
}

fake_scripts() {
	mkdir -p "$1"
	: >"$1/anonymous-statistics.sh"
	: >"$1/system-info.sh"
}

@test "an installed netdata-plugins-bash is used as it is, without apt-get" {
	fake_scripts "$WORK/installed"
	run plugins "$WORK/cache" "$WORK/installed"
	assert_success
	assert_output "$WORK/installed"
	assert [ ! -e "$WORK/apt-calls" ]
}

@test "the copy kept in the build tree is reused without apt-get (offline)" {
	fake_scripts "$WORK/cache/usr/lib/netdata/plugins.d"
	run plugins "$WORK/cache" "$WORK/none"
	assert_success
	assert_output "$WORK/cache/usr/lib/netdata/plugins.d"
	assert [ ! -e "$WORK/apt-calls" ]
}

@test "with neither, a failed fetch says how to get the scripts and leaves nothing behind" {
	run plugins "$WORK/cache" "$WORK/none"
	assert_failure
	assert_output --partial "install netdata-plugins-bash"
	assert_output --partial "E: offline"
	assert_equal "$(cat "$WORK/apt-calls")" "download netdata-plugins-bash"
	assert [ ! -e "$WORK/cache" ]
	run find "$WORK" -name '.netdata-plugins-bash.*'
	assert_output ""
}

@test "a half-made copy is not taken for the scripts" {
	mkdir -p "$WORK/cache/usr/lib/netdata/plugins.d"
	: >"$WORK/cache/usr/lib/netdata/plugins.d/system-info.sh"
	run plugins "$WORK/cache" "$WORK/none"
	assert_failure
	assert [ -e "$WORK/apt-calls" ]
}
