#!/usr/bin/env bats
# The property fuzzer of the script's JSON encoder (json-property.py), a
# short seeded batch per awk: 20000 strings each (`make fuzz-json` runs
# 1,000,000).  The awk program is the built script's own.

load ../helpers/common

SCRIPT="$top_builddir/daemon/anonymous-statistics.sh"
FUZZER="$top_srcdir/tests/fuzz/json-property.py"

# json_fuzz AWK [ARGS...]: 20000 strings through json_object under AWK.
json_fuzz() {
	local awk=$1
	shift
	if [ "$awk" = busybox ]; then
		command -v busybox >/dev/null || skip "busybox is not installed"
	else
		command -v "$awk" >/dev/null || skip "$awk is not installed"
	fi
	run "$PYTHON3" "$FUZZER" --script "$SCRIPT" --awk "$awk" --strings 20000 --seed 14 "$@"
}

@test "json_object under mawk: 20000 fuzzed strings parse to their cleaned form" {
	json_fuzz mawk
	assert_success
	assert_output --partial "mawk: 20000 strings"
	assert_output --partial "all match"
}

@test "json_object under gawk: 20000 fuzzed strings parse to their cleaned form" {
	json_fuzz gawk
	assert_success
	assert_output --partial "all match"
}

@test "json_object under busybox awk: 20000 fuzzed strings parse to their cleaned form" {
	json_fuzz busybox
	assert_success
	assert_output --partial "all match"
}

@test "the JSON fuzzer finds an encoder that cuts at 127 characters" {
	sed 's/count < 128/count < 127/' "$SCRIPT" >"$BATS_TEST_TMPDIR/cut127.sh"
	! cmp -s "$SCRIPT" "$BATS_TEST_TMPDIR/cut127.sh"
	SCRIPT="$BATS_TEST_TMPDIR/cut127.sh" json_fuzz mawk
	assert_failure 1
	assert_output --partial "failing runs"
}

@test "the JSON fuzzer finds an encoder that passes DEL raw" {
	sed 's/b < 32 || b == 127/b < 32/' "$SCRIPT" >"$BATS_TEST_TMPDIR/del.sh"
	! cmp -s "$SCRIPT" "$BATS_TEST_TMPDIR/del.sh"
	SCRIPT="$BATS_TEST_TMPDIR/del.sh" json_fuzz mawk
	assert_failure 1
	assert_output --partial "escaping differs"
}
