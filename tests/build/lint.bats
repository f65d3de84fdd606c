#!/usr/bin/env bats
# Every shell file we ship is POSIX sh that shellcheck passes without a word.

load ../helpers/common

shell_files() {
	local f
	for f in "$top_srcdir"/dev.sh "$top_srcdir"/demo/*.sh "$top_srcdir"/daemon/*.sh.in \
		"$top_srcdir"/scripts/* "$top_srcdir"/packaging/*/*.sh "$top_srcdir"/packaging/*/*entrypoint*; do
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
