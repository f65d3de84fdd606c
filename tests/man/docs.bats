#!/usr/bin/env bats
# docs/anonymous-statistics.md against the real thing: its field list is
# exactly what every event in its table sends (and what docs/payload.md
# lists, which events.bats checks against a payload), its event table is the
# script's vocabulary, and every switch the script can name is documented.

bats_require_minimum_version 1.5.0
load ../script/script-helpers

PAGE="$top_srcdir/docs/anonymous-statistics.md"
setup() {
	script_setup
}

# page_fields: the fields in the page's "### Fields" table, sorted.
page_fields() {
	sed -n '/^### Fields/,/^## /s/^| `\([^`]*\)` |.*/\1/p' "$PAGE" | LC_ALL=C sort
}

# page_events: "EVENT<TAB>example arguments" for each row of the event table.
page_events() {
	sed -n '/^## What each event sends/,/^### /s/^| `\([A-Z_]*\)` |.*| `\([^`]*\)` |$/\1\t\2/p' "$PAGE"
}

# script_events: the ACTIONs the script's --help lists, sorted.
script_events() {
	"$SCRIPT" --help | sed -n '/^ACTIONs/,/^$/s/^  \([A-Z][A-Z_]*\).*/\1/p' | LC_ALL=C sort
}

@test "the page lists fields and events (the checks below see something)" {
	run page_fields
	assert_line api_key
	assert_line properties.system_container_detection
	run page_events
	assert_line "$(printf 'START\tSTART')"
	assert [ "${#lines[@]}" -ge 6 ]
}

@test "every event of the table the script knows sends exactly the fields the page lists" {
	local event args n=0
	page_fields >"$BATS_TEST_TMPDIR/documented"
	script_events >"$BATS_TEST_TMPDIR/known"
	while IFS=$'\t' read -r event args; do
		grep -qx "$event" "$BATS_TEST_TMPDIR/known" || continue
		# shellcheck disable=SC2086 # the example's words
		"$SCRIPT" --dry-run $args >"$BATS_TEST_TMPDIR/payload" 2>"$BATS_TEST_TMPDIR/err" ||
			fail "$event: --dry-run $args failed: $(cat "$BATS_TEST_TMPDIR/err")"
		assert_equal "$(field "$BATS_TEST_TMPDIR/payload" .event)" "$event"
		run diff "$BATS_TEST_TMPDIR/documented" <(payload_fields "$BATS_TEST_TMPDIR/payload")
		assert_success
		n=$((n + 1))
	done < <(page_events)
	assert [ "$n" -ge 6 ]
}

@test "the page's field list is docs/payload.md's" {
	run diff <(page_fields) <(documented_fields)
	assert_success
}

@test "the event table is the script's vocabulary: every ACTION of its --help, nothing else" {
	script_events >"$BATS_TEST_TMPDIR/help"
	grep -qx START "$BATS_TEST_TMPDIR/help"
	page_events | cut -f1 | LC_ALL=C sort >"$BATS_TEST_TMPDIR/page"
	run diff "$BATS_TEST_TMPDIR/help" "$BATS_TEST_TMPDIR/page"
	assert_success
}

@test "every switch --status can name is on the page" {
	for what in DO_NOT_TRACK DISABLE_TELEMETRY .opt-out-from-anonymous-statistics \
		NETDATA_USER_CONFIG_DIR -- '--disable-telemetry' anonymous-statistics.level \
		'anonymous-statistics-ctl off' 'level crashes' 'scripts/install.sh --disable-telemetry' \
		'docker run -e DO_NOT_TRACK=1' 'preview' 'log --json'; do
		grep -qF -- "$what" "$PAGE" || fail "the page does not mention $what"
	done
}
