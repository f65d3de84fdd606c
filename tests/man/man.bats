#!/usr/bin/env bats
# The manual pages: each renders without a single groff warning, and names
# everything its program's --help names (every option, every name with an
# underscore, the first word of every item line); libanonstats(3) names
# every identifier anonstats.h declares.

bats_require_minimum_version 1.5.0
load ../helpers/common

MAN="$top_builddir/man"
PAGES="anonymous-statistics.sh.8 sysinfo.8 anonymous-statistics-ctl.8 anonstats-daemon.8 libanonstats.3"

# text PAGE: PAGE rendered as plain text on very long lines (no line break,
# hence no hyphenation, inside a paragraph).
text() {
	groff -man -Tascii -P-cbou -rLL=1000n "$MAN/$1" 2>/dev/null
}

# words: the words of stdin, one a line: runs of letters, digits, _ - and a
# trailing * (so an option keeps its dashes and loses a trailing "=VALUE" or
# comma, NETDATA_HOST_* stays one word and "*name" in a C declaration is name).
words() {
	tr -c 'A-Za-z0-9_*-' '\n' | sed 's/^\**//' | grep -v '^$' | LC_ALL=C sort -u
}

# help_items: from a --help on stdin, what its man page must name: every
# option, every name with an underscore, the first word of every line
# indented by two spaces (commands, actions, variables).
help_items() {
	local help
	help=$(cat)
	{
		words <<<"$help" | grep -E '^--?[A-Za-z][A-Za-z0-9-]*$|^[A-Z][A-Z0-9]*_[A-Z0-9_*]*$'
		sed -n 's/^  \([^ ]\)/\1/p' <<<"$help" | sed 's/[ ,|[].*//' | words
	} | LC_ALL=C sort -u
}

# names_all PAGE: every word help_items gives on stdin is a word of PAGE.
names_all() {
	local missing
	missing=$(LC_ALL=C comm -23 - <(text "$1" | words))
	[ -z "$missing" ] || fail "$1 does not name: $(tr '\n' ' ' <<<"$missing")"
}

@test "groff is there to render the pages" {
	command -v groff >/dev/null || fail "groff is not installed (Debian: groff-base)"
}

@test "every page renders with groff -ww without a warning" {
	local page
	for page in $PAGES; do
		run --separate-stderr groff -ww -z -man "$MAN/$page"
		assert_success
		[ -z "$stderr" ] || fail "$page: $stderr"
	done
}

@test "every page renders with man --warnings without a warning" {
	command -v man >/dev/null || skip "man-db is not installed"
	local page
	for page in $PAGES; do
		run --separate-stderr env LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$MAN/$page"
		assert_success
		[ -z "$stderr" ] || fail "$page: $stderr"
		[ "${#lines[@]}" -gt 20 ] || fail "$page renders to almost nothing"
	done
}

@test "the pages stay warning-free whatever the length of the installed paths" {
	# As man/man.mk makes them, with prefixes of 0 to 14 components (a
	# distcheck's _inst, a deep CI clone) and at 72, 80 and 100 columns.
	local n i prefix page width out
	for n in 0 2 4 6 8 11 14; do
		prefix=/usr
		for ((i = 1; i <= n; i++)); do prefix="$prefix/component-$i"; done
		for page in $PAGES; do
			sed -e "s|@[A-Za-z_]*@|$prefix/lib/some-dir|g" -e '/^\.\\"/!s|/|/\\:|g' \
				"$top_srcdir/man/$page.in" >"$BATS_TEST_TMPDIR/$page"
			out=$(groff -ww -z -man "$BATS_TEST_TMPDIR/$page" 2>&1)
			[ -z "$out" ] || fail "$page, prefix $prefix: $out"
			command -v man >/dev/null || continue
			for width in 72 80 100; do
				out=$(LC_ALL=C.UTF-8 MANWIDTH=$width man --warnings -E UTF-8 -l "$BATS_TEST_TMPDIR/$page" 2>&1 >/dev/null)
				[ -z "$out" ] || fail "$page, prefix $prefix, $width columns: $out"
			done
		done
	done
}

@test "the check finds what a page does not name (it can fail)" {
	run names_all sysinfo.8 <<<'--json
--no-such-option
NO_SUCH_VARIABLE'
	assert_failure
	assert_output --partial "--no-such-option NO_SUCH_VARIABLE"
}

@test "anonymous-statistics.sh(8) names everything its --help names" {
	"$top_builddir/daemon/anonymous-statistics.sh" --help | help_items >"$BATS_TEST_TMPDIR/items"
	grep -qx -- --dry-run "$BATS_TEST_TMPDIR/items"
	grep -qx -- DO_NOT_TRACK "$BATS_TEST_TMPDIR/items"
	grep -qx -- START "$BATS_TEST_TMPDIR/items"
	names_all anonymous-statistics.sh.8 <"$BATS_TEST_TMPDIR/items"
}

@test "sysinfo(8) names every option of sysinfo --help" {
	"$top_builddir/helpers/sysinfo/sysinfo" --help | help_items >"$BATS_TEST_TMPDIR/items"
	grep -qx -- --cpuid "$BATS_TEST_TMPDIR/items"
	names_all sysinfo.8 <"$BATS_TEST_TMPDIR/items"
}

@test "anonymous-statistics-ctl(8) names every command and option of its --help" {
	"$top_builddir/scripts/anonymous-statistics-ctl" --help | help_items >"$BATS_TEST_TMPDIR/items"
	grep -qx -- preview "$BATS_TEST_TMPDIR/items"
	grep -qx -- --json "$BATS_TEST_TMPDIR/items"
	names_all anonymous-statistics-ctl.8 <"$BATS_TEST_TMPDIR/items"
}

@test "anonstats-daemon(8) names every option of anonstats-daemon --help" {
	"$top_builddir/daemon/reference/anonstats-daemon" --help | help_items >"$BATS_TEST_TMPDIR/items"
	grep -qx -- --crash-test "$BATS_TEST_TMPDIR/items"
	grep -qx -- -V "$BATS_TEST_TMPDIR/items"
	names_all anonstats-daemon.8 <"$BATS_TEST_TMPDIR/items"
}

@test "libanonstats(3) names every function, type, constant and config field of anonstats.h" {
	local header="$top_srcdir/daemon/lib/anonstats.h"
	{
		# Identifiers, minus the include guard and the attribute helpers.
		grep -oE '\b(anonstats|ANONSTATS)_[A-Za-z0-9_]*' "$header" |
			grep -vxE 'ANONSTATS_H|ANONSTATS_NORETURN|ANONSTATS_PRINTF'
		# The fields of each struct: "type name;" lines inside its braces.
		sed -n '/^struct anonstats_[a-z_]* {/,/^};/p' "$header" |
			sed -n 's/^[[:space:]][^;(]*[ *]\([a-z_][a-z0-9_]*\)\(\[[^]]*\]\)\{0,1\};.*/\1/p'
	} | LC_ALL=C sort -u >"$BATS_TEST_TMPDIR/items"
	grep -qx anonstats_init "$BATS_TEST_TMPDIR/items"
	grep -qx stop_timeout_ms "$BATS_TEST_TMPDIR/items"
	grep -qx ANONSTATS_LOG_DEBUG "$BATS_TEST_TMPDIR/items"
	names_all libanonstats.3 <"$BATS_TEST_TMPDIR/items"
}

@test "every page names itself, its section and the built paths, nothing left to substitute" {
	local page
	for page in $PAGES; do
		run head -n 3 "$MAN/$page"
		assert_output --partial ".TH "
		run grep -n '@[A-Za-z_]*@' "$MAN/$page"
		assert_failure 1
	done
	run text anonymous-statistics-ctl.8
	assert_output --partial "$(sed -n "s/^CONFIG_DIR='\(.*\)'/\1/p" "$top_builddir/daemon/anonymous-statistics.sh")/.opt-out-from-anonymous-statistics"
}
