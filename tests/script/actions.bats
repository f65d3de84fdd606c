#!/usr/bin/env bats
# The ACTION table (ACTIONS in the script) is the one list of ACTIONs:
# --help, the cleaning and the level rule read it, and the documents follow
# it.  These tests read the table from the built script and hold every
# other place to it.

load script-helpers

setup() {
	script_setup
}

# table: the script's ACTIONS lines, "NAME ALIAS ARGS LEVEL HELP".
table() {
	sed -n '/^ACTIONS="/,/"$/p' "$SCRIPT" | sed -e 's/^ACTIONS="//' -e 's/"$//'
}

# column N: the Nth word of each table line.
column() {
	table | cut -d' ' -f"$1"
}

@test "the table has ten ACTIONs, each line NAME ALIAS ARGS LEVEL HELP" {
	run table
	assert_equal "${#lines[@]}" 10
	run table
	for line in "${lines[@]}"; do
		[[ $line =~ ^[A-Z_]+\ ([A-Z_]+|-)\ (none|stop|fatal|dependency|codes)\ (all|crashes)\ .+ ]] ||
			fail "malformed line: $line"
	done
}

@test "--help lists every ACTION of the table, its alias and its level" {
	run "$SCRIPT" --help
	assert_success
	local name alias level
	while read -r name alias _ level _; do
		assert_line --regexp "^  $name( |\$)"
		[ "$alias" = - ] || assert_output --partial "($alias is an alias)"
		if [ "$level" = crashes ]; then
			assert_line --regexp "^  $name .*\[crashes\]\$|^ +[^ ].*\[crashes\]\$"
		fi
	done < <(table)
	[ "$(grep -c '\[crashes\]$' <<<"$output")" -eq "$(column 4 | grep -c crashes)" ]
}

@test "every ACTION of the table is taken, every alias is sent as its name, anything else is a usage error" {
	local name alias args
	while read -r name alias args _; do
		case $args in
		fatal) set -- "$name" 'netdata:MAIN' 'main:main.c:1' ;;
		dependency) set -- "$name" - libfoo ;;
		codes) set -- "$name" - 1,2 ;;
		*) set -- "$name" ;;
		esac
		run --separate-stderr "$SCRIPT" --dry-run "$@"
		assert_success
		assert_equal "$(jq -r .event <<<"$output")" "$name"
		if [ "$alias" != - ]; then
			shift
			run --separate-stderr "$SCRIPT" --dry-run "$alias" "$@"
			assert_success
			assert_equal "$(jq -r .event <<<"$output")" "$name"
		fi
	done < <(table)
	for bad in NOT_AN_ACTION -; do
		run --separate-stderr "$SCRIPT" --dry-run -- "$bad"
		assert_failure 2
		[[ $stderr == *"unknown ACTION '$bad'"* ]] || fail "stderr: $stderr"
	done
}

@test "at level crashes exactly the ACTIONs the table marks crashes are sent" {
	mkdir -p "$BATS_TEST_TMPDIR/config"
	echo crashes >"$BATS_TEST_TMPDIR/config/anonymous-statistics.level"
	local copy name alias args level
	copy=$(config_dir_copy "$BATS_TEST_TMPDIR/config")
	while read -r name alias args level _; do
		case $args in
		fatal) set -- "$name" 'netdata:MAIN' 'main:main.c:1' ;;
		dependency) set -- "$name" - libfoo ;;
		codes) set -- "$name" - 1,2 ;;
		*) set -- "$name" ;;
		esac
		run --separate-stderr "$copy" --dry-run "$@"
		assert_success
		if [ "$level" = crashes ]; then
			assert_equal "$(jq -r .event <<<"$output")" "$name"
		else
			assert_output ""
			[[ $stderr == *"level crashes"*"would not be sent"* ]] || fail "$name: $stderr"
		fi
	done < <(table)
}

@test "docs/payload.md lists exactly the table's ACTIONs and aliases, in its events table and its event field" {
	local documented listed
	documented=$(sed -n '/^## Events/,/^## /p' "$DOCS" | grep -o '^| `[A-Z_]*`\|, `[A-Z_]*`\|alias `[A-Z_]*`' |
		grep -o '[A-Z_]*' | LC_ALL=C sort -u)
	assert_equal "$documented" "$( (column 1; column 2 | grep -v '^-$') | LC_ALL=C sort -u)"
	listed=$(grep '^| `event` |' "$DOCS" | sed 's/.*one of `\([^`]*\)`.*/\1/' | tr ' ' '\n' | LC_ALL=C sort)
	assert_equal "$listed" "$(column 1 | LC_ALL=C sort)"
}

@test "libanonstats's ACTION table is the script's: names, aliases, what level crashes sends" {
	local lib
	# { "NAME", "ALIAS" or NULL, crashes, vital } rows of anonstats-optout.c.
	lib=$(sed -n '/^} actions\[\] = {/,/^};/p' "$top_srcdir/daemon/lib/anonstats-optout.c" |
		sed -n 's/^[[:space:]]*{ "\([A-Z_]*\)", *\("\([A-Z_]*\)"\|NULL\), *\([01]\), *[01] },$/\1 \3 \4/p' |
		awk '{ if (NF == 2) print $1, "-", $2; else print $1, $2, $3 }')
	[ -n "$lib" ] || fail "no ACTION table found in anonstats-optout.c"
	assert_equal "$lib" "$(table | awk '{ print $1, $2, ($4 == "crashes") }')"
}
