#!/usr/bin/env bats
# Faults with GNU wget, the fallback when curl is missing: every run ends
# within the bound with the documented status.

bats_require_minimum_version 1.5.0
load script-helpers

setup() {
	script_setup
	tool_path "$BATS_TEST_TMPDIR/bin" wget; base_tools "$BATS_TEST_TMPDIR/bin"; TPATH="$BATS_TEST_TMPDIR/bin"
}

teardown() {
	capture_stop
}

@test "GNU wget: a 2xx is status 0 and prints 200" {
	capture_start ok
	PATH=$TPATH ANONYMOUS_STATISTICS_URL=$CAPTURE_URL run --separate-stderr "$SCRIPT" START
	assert_success
	assert_output 200
	assert_equal "$(capture_count)" 1
	json_valid "$(body)"
}

@test "GNU wget: connection refused is status 5" {
	refused 5 "$TPATH"
}

@test "GNU wget: a server that never answers is status 5 within the bound" {
	fault hang 5 "$TPATH"
}

@test "GNU wget: a server that drips its answer is status 5 within the bound" {
	fault drip 5 "$TPATH"
}

@test "GNU wget: a server that closes without a word is status 5" {
	fault close 5 "$TPATH"
}

@test "GNU wget: HTTP 500 is status 6, and 500 is printed" {
	fault 500 6 "$TPATH"
}

@test "GNU wget: HTTP 429 is status 6, and 429 is printed" {
	fault 429 6 "$TPATH"
}

@test "GNU wget: HTTP 503 is status 6, and 503 is printed" {
	fault 503 6 "$TPATH"
}
