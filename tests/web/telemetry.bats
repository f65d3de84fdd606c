#!/usr/bin/env bats
# The dashboard's telemetry module in node's test runner: when it loads
# PostHog (only for anonymous_statistics === true, in time) and how it
# keeps only the documented properties (tests/web/telemetry-unit.mjs).

load ../helpers/common

@test "the telemetry module: decision, hello timeout, the documented allow-list" {
	command -v node >/dev/null || skip "no node (./dev.sh deps installs nodejs)"
	run node --test "$top_srcdir/tests/web/telemetry-unit.mjs"
	assert_success
	assert_output --partial "# fail 0"
}
