#!/usr/bin/env bats
# Lint: every shell file we ship is POSIX sh that shellcheck passes without a
# word, and every C file is in the style .clang-format describes.

load ../helpers/common

shell_files() {
	local f
	for f in "$top_srcdir"/dev.sh "$top_srcdir"/demo/*.sh "$top_srcdir"/daemon/*.sh.in \
		"$top_srcdir"/scripts/* "$top_srcdir"/packaging/*/*.sh "$top_srcdir"/packaging/*/*entrypoint* \
		"$top_srcdir"/tests/helpers/* "$top_srcdir"/tests/*/*.sh; do
		[ -f "$f" ] || continue
		case "$(head -n 1 "$f")" in
		'#!/bin/sh'*) printf '%s\n' "$f" ;;
		esac
	done
}

@test "there are shell files to check" {
	run shell_files
	assert_success
	assert_line --partial "daemon/anonymous-statistics.sh.in"
	assert_line --partial "dev.sh"
	assert_line --partial "tests/helpers/valgrind-wrapper"
}

@test "shellcheck -s sh passes every shell file" {
	command -v shellcheck >/dev/null || skip "shellcheck is not installed"
	mapfile -t files < <(shell_files)
	run shellcheck -s sh "${files[@]}"
	assert_success
	assert_output ""
}

@test "no shell file disables TLS checks or reaches for cloud metadata" {
	mapfile -t files < <(shell_files)
	run grep -nE -e '--no-check-certificate|--insecure|(^|[[:space:]])-k([[:space:]]|$)|169\.254\.|metadata\.google' "${files[@]}"
	assert_failure 1
}

# clang_format_ready: skip unless clang-format 14 is here and top_srcdir is
# the top of a git checkout (other versions format some constructs
# differently; an unpacked tarball, even one inside a checkout as in
# distcheck, has no list of tracked files).
clang_format_ready() {
	command -v clang-format >/dev/null || skip "clang-format is not installed"
	case "$(clang-format --version)" in
	*"version 14."*) ;;
	*) skip "clang-format is not version 14, which .clang-format is written for" ;;
	esac
	local top
	top=$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null) &&
		[ "$top" = "$(cd "$top_srcdir" && pwd -P)" ] ||
		skip "not a git checkout (a tarball): no list of tracked files"
}

@test "clang-format finds no drift in any tracked C file" {
	clang_format_ready
	cd "$top_srcdir"
	mapfile -t files < <(git ls-files '*.c' '*.h')
	[ "${#files[@]}" -gt 20 ]
	run clang-format --dry-run -Werror "${files[@]}"
	assert_success
	assert_output ""
}

@test "the opt-out and level file names are spelled in configure.ac only, for the script, the ctl and the library" {
	cd "$top_srcdir"
	run grep -l -e '\.opt-out-from-anonymous-statistics' -e 'anonymous-statistics\.level' \
		daemon/anonymous-statistics.sh.in scripts/anonymous-statistics-ctl.in daemon/lib/*.c daemon/lib/anonstats-internal.h
	assert_output ""
	run grep -c -e '^OPT_OUT_FILE=\.opt-out-from-anonymous-statistics$' -e '^LEVEL_FILE=anonymous-statistics\.level$' configure.ac
	assert_output 2
	# What make substituted: the built script and ctl, and the library's status.
	local opt level
	opt=$(sed -n "s/^OPT_OUT_FILE = //p" "$top_builddir/Makefile")
	level=$(sed -n "s/^LEVEL_FILE = //p" "$top_builddir/Makefile")
	for built in daemon/anonymous-statistics.sh scripts/anonymous-statistics-ctl; do
		grep -qx "OPT_OUT_FILE='$opt'" "$top_builddir/$built" || fail "$built: not OPT_OUT_FILE='$opt'"
		grep -qx "LEVEL_FILE='$level'" "$top_builddir/$built" || fail "$built: not LEVEL_FILE='$level'"
	done
	run grep -c -F -e "$opt" -e "$level" "$top_builddir/daemon/reference/anonstats-daemon"
	assert_success
}
