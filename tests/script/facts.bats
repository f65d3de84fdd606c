#!/usr/bin/env bats
# The 20 system facts have one list, FACT_NAMES in the script: the script
# reads, exports and sends them from it.  Every other copy that must stay
# (sysinfo, its documents, the payload document, the tests' own lists, the
# benchmark's inputs) is tied to it here, so a fact added or renamed in one
# place and forgotten in another fails.

load script-helpers

setup() {
	script_setup
	NAMES=$(fact_names | sort)
}

# same_set WHAT LIST: LIST (one name a line) holds exactly the script's facts.
same_set() {
	local got
	got=$(printf '%s\n' "$2" | sed '/^$/d' | sort -u)
	[ "$got" = "$NAMES" ] || fail "$1 differs from the script's FACT_NAMES:
$(diff <(printf '%s\n' "$NAMES") <(printf '%s\n' "$got"))"
}

@test "the script's list holds 20 distinct fact names, each NETDATA_ and upper case" {
	run fact_names
	assert_equal "${#lines[@]}" 20
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" 20
	local name
	for name in "${lines[@]}"; do
		[[ $name =~ ^NETDATA_[A-Z0-9_]+$ ]] || fail "not a fact name: '$name'"
	done
}

@test "sysinfo prints exactly the script's facts" {
	same_set "sysinfo's output" "$("$top_builddir/helpers/sysinfo/sysinfo" | sed 's/=.*//')"
}

@test "sysinfo's source names exactly the script's facts" {
	same_set helpers/sysinfo/sysinfo.c "$(grep -o '"NETDATA_[A-Z0-9_]*"' "$top_srcdir/helpers/sysinfo/sysinfo.c" | tr -d '"')"
}

@test "the payload sends the facts in the list's order, after netdata_version" {
	local expected sent
	expected=$(fact_names | sed 's/^NETDATA_//' | tr 'A-Z' 'a-z')
	sent=$("$SCRIPT" --dry-run START | jq -r '.properties | keys_unsorted[]' |
		sed -n '/^netdata_version$/,$p' | sed 1d)
	assert_equal "$sent" "$expected"
}

@test "facts passed in the environment are sent, each under its own name" {
	local k
	for k in $FACT_KEYS; do export "$k=value-of-$k"; done
	"$SCRIPT" --dry-run START >"$BATS_TEST_TMPDIR/payload"
	for k in $FACT_KEYS; do
		assert_equal "$(prop "$BATS_TEST_TMPDIR/payload" "$(property "$k")")" "value-of-$k"
	done
}

@test "the documents list exactly the script's facts" {
	same_set helpers/sysinfo/sysinfo.md "$(grep -o 'NETDATA_[A-Z0-9_]*' "$top_srcdir/helpers/sysinfo/sysinfo.md" | sort -u)"
	same_set man/sysinfo.8.in "$(grep -o 'NETDATA_[A-Z0-9_]*' "$top_srcdir/man/sysinfo.8.in" | sort -u)"
	same_set docs/payload.md "$(grep -o '^| `properties\.[a-z0-9_]*` | [^|]*| [^|]*| fact |' "$DOCS" |
		sed 's/^| `properties\.\([a-z0-9_]*\)`.*/NETDATA_\1/' | tr 'a-z' 'A-Z')"
}

@test "the sysinfo tests, the fixture generator and the benchmark list exactly the script's facts" {
	same_set tests/sysinfo/sysinfo.bats "$(sed -n "/^KEYS='/,/'\$/p" "$top_srcdir/tests/sysinfo/sysinfo.bats" |
		grep -o 'NETDATA_[A-Z0-9_]*')"
	same_set tests/sysinfo/make-fixtures.py "$(sed -n '/^KEYS = \[/,/^\]/p' "$top_srcdir/tests/sysinfo/make-fixtures.py" |
		grep -o 'NETDATA_[A-Z0-9_]*')"
	same_set bench/script-bench.py "$(sed -n '/^FACTS = {/,/^}/p' "$top_srcdir/bench/script-bench.py" |
		grep -o '"NETDATA_[A-Z0-9_]*":' | tr -d '":')"
}
