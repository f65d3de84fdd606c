#!/usr/bin/env bats
# A brief libFuzzer run of every target (ASan+UBSan, leak checks) from its
# seed corpus in tests/fuzz/corpus: FUZZ_CHECK_SECONDS each (default 3), so
# make check stays short; `make fuzz` runs them longer.

load ../helpers/common

CORPORA="$top_srcdir/tests/fuzz/corpus"

@test "every fuzz target has a seed corpus, every corpus a target" {
	local dir t
	for dir in "$CORPORA"/*/; do
		t=$(basename "$dir")
		[ -x "$top_builddir/tests/fuzz/fuzz-$t" ] || fail "corpus $t has no target fuzz-$t"
		[ -n "$(ls -A "$dir")" ] || fail "corpus $t is empty"
	done
	for t in "$top_builddir"/tests/fuzz/fuzz-*; do
		[ -x "$t" ] || continue
		[ -d "$CORPORA/${t##*/fuzz-}" ] || fail "${t##*/} has no seed corpus"
	done
}

@test "each fuzz target runs briefly without a finding" {
	local t failed=
	for dir in "$CORPORA"/*/; do
		t=$(basename "$dir")
		"$top_srcdir/tests/fuzz/run-fuzzer.sh" "$top_builddir/tests/fuzz/fuzz-$t" "$dir" \
			"$BATS_TEST_TMPDIR/$t" "${FUZZ_CHECK_SECONDS:-3}" >"$BATS_TEST_TMPDIR/$t.line" ||
			failed="$failed $t"
		# the figures, as TAP comments in the test log
		sed 's/^/# /' "$BATS_TEST_TMPDIR/$t.line" >&3
	done
	[ -z "$failed" ] || fail "fuzz targets with a finding:$failed"
}
