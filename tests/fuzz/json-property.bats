#!/usr/bin/env bats
# The property fuzzer of the event's JSON encoder (json-property.py): a
# short seeded batch through the built state helper (`make fuzz-json` runs
# 1,000,000 strings), and two broken encoders it has to catch.

load ../helpers/common

ENCODER="$top_builddir/helpers/sender/anonymous-statistics-sender"
FUZZER="$top_srcdir/tests/fuzz/json-property.py"

# json_fuzz ENCODER [ARGS...]: 100000 seeded strings through ENCODER.
json_fuzz() {
	run "$PYTHON3" "$FUZZER" --encoder "$1" --strings 100000 --seed 14 "${@:2}"
}

@test "the state helper's encoder: 100000 fuzzed strings parse to their cleaned form" {
	json_fuzz "$ENCODER"
	assert_success
	assert_output --partial "100000 strings"
	assert_output --partial "all match"
}

@test "the JSON fuzzer finds an encoder that cuts at 127 characters" {
	# Built from the same sources with PAYLOAD_MAX_CHARS 127 (fuzz.mk).
	json_fuzz "$top_builddir/tests/fuzz/payload-cut127"
	assert_failure 1
	assert_output --partial "failing runs"
}

@test "the JSON fuzzer finds an encoder that passes DEL raw" {
	mutant="$BATS_TEST_TMPDIR/del-raw"
	printf '#!/bin/sh\n"%s" "$@" | sed "s/\\\\\\\\u007f/$(printf "\\177")/g"\n' "$ENCODER" >"$mutant"
	chmod +x "$mutant"
	run "$mutant" json -- s k "$(printf 'a\177')"
	assert_output "$(printf '{"k":"a\177"}')"
	json_fuzz "$mutant"
	assert_failure 1
	assert_output --partial "escaping differs"
}
