#!/usr/bin/env bats
# Hostile inputs in every environment value the script reads, and in the
# helper's output: valid JSON, each string exactly as the documented rule
# says (checked against Python's decoder), nothing executed, nothing sent
# anywhere but the loopback server.

bats_require_minimum_version 1.5.0
load script-helpers
load hostile

setup() {
	hostile_setup
}

teardown() {
	hostile_teardown
}

@test "NETDATA_VERSION: any bytes survive or are cleaned exactly as documented" {
	local hidx out
	for hidx in "${!HOSTILE[@]}"; do
		quick_env NETDATA_VERSION "${HOSTILE[$hidx]}" --dry-run START
		assert_equal "$RC" 0
		check_strings "$BATS_TEST_TMPDIR/out" "${HOSTILE[$hidx]}" netdata_version
	done
	checks_done
}

@test "every system fact from the environment: cleaned exactly as documented" {
	local hidx out k
	for hidx in "${!HOSTILE[@]}"; do
		for k in $FACT_KEYS; do export "$k=${HOSTILE[$hidx]}"; done
		quick --dry-run START
		assert_equal "$RC" 0
		out="$BATS_TEST_TMPDIR/out"
		set --
		for k in $FACT_KEYS; do set -- "$@" "$(property "$k")"; done
		check_strings "$out" "${HOSTILE[$hidx]}" "$@"
	done
	checks_done
}

@test "every system fact from the helper's output: one line each, cleaned as documented" {
	local hidx out k value
	for hidx in "${!HOSTILE[@]}"; do
		value=${HOSTILE[$hidx]}
		for k in $FACT_KEYS; do printf '%s=%s\n' "$k" "$value"; done >"$BATS_TEST_TMPDIR/facts"
		printf '#!/bin/sh\ncat "%s"\n' "$BATS_TEST_TMPDIR/facts" >"$BATS_TEST_TMPDIR/sysinfo"
		quick --dry-run START
		assert_equal "$RC" 0
		out="$BATS_TEST_TMPDIR/out"
		# A value is read up to its line's end; more than 16 KiB of output
		# is refused whole.
		value=${value%%$'\n'*}
		if [ "$(wc -c <"$BATS_TEST_TMPDIR/facts")" -gt 16384 ]; then value=; fi
		set --
		for k in $FACT_KEYS; do set -- "$@" "$(property "$k")"; done
		check_strings "$out" "$value" "$@"
	done
	checks_done
}

@test "NETDATA_REGISTRY_UNIQUE_ID: anything but a UUID is the nil UUID" {
	local hidx
	for hidx in "${!HOSTILE[@]}"; do
		quick_env NETDATA_REGISTRY_UNIQUE_ID "${HOSTILE[$hidx]}" --dry-run START
		assert_equal "$RC" 0
		check_valid "$BATS_TEST_TMPDIR/out"
		assert_equal "$(jq -r .distinct_id "$BATS_TEST_TMPDIR/out")" 00000000-0000-0000-0000-000000000000
	done
	checks_done
}

@test "ANONYMOUS_STATISTICS_KEY: refused (3) unless [A-Za-z0-9_-]; the payload stays valid" {
	local hidx key
	SCRIPT=$(keyless_copy)
	for hidx in "${!HOSTILE[@]}"; do
		quick_env ANONYMOUS_STATISTICS_KEY "${HOSTILE[$hidx]}" --dry-run START
		check_valid "$BATS_TEST_TMPDIR/out"
		key=$(jq -r .api_key "$BATS_TEST_TMPDIR/out")
		if [[ ${HOSTILE[$hidx]} =~ ^[A-Za-z0-9_-]{1,64}$ ]]; then
			assert_equal "$RC" 0
			assert_equal "$key" "${HOSTILE[$hidx]}"
		else
			[ "$RC" -eq 3 ] || fail "key ${HOSTILE_NAME[$hidx]}: status $RC"
			assert_equal "$key" ""
		fi
	done
	checks_done
}

@test "ANONYMOUS_STATISTICS_URL: every hostile value is refused (3) and nothing runs" {
	local hidx
	# A fake curl and wget prove that no transport is ever started.
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\ntouch "%s"\n' "$CANARY" >"$BATS_TEST_TMPDIR/bin/curl"
	cp "$BATS_TEST_TMPDIR/bin/curl" "$BATS_TEST_TMPDIR/bin/wget"
	chmod +x "$BATS_TEST_TMPDIR/bin/curl" "$BATS_TEST_TMPDIR/bin/wget"
	for hidx in "${!HOSTILE[@]}"; do
		[ -n "${HOSTILE[$hidx]}" ] || continue # empty means the built-in URL
		run --separate-stderr env PATH="$BATS_TEST_TMPDIR/bin:$PATH" \
			ANONYMOUS_STATISTICS_URL="${HOSTILE[$hidx]}" "$SCRIPT" START
		[ "$status" -eq 3 ] || fail "URL ${HOSTILE_NAME[$hidx]}: status $status"
		assert_output ""
		# In the path of a loopback URL: refused unless made of URL bytes.
		[[ ! ${HOSTILE[$hidx]} =~ ^[]A-Za-z0-9._~:/?=%+,[-]*$ ]] || continue
		run --separate-stderr env ANONYMOUS_STATISTICS_URL="http://127.0.0.1/${HOSTILE[$hidx]}" \
			PATH="$BATS_TEST_TMPDIR/bin:$PATH" "$SCRIPT" START
		[ "$status" -eq 3 ] || fail "URL path ${HOSTILE_NAME[$hidx]}: status $status"
	done
}

@test "ANONYMOUS_STATISTICS_SYSINFO, _STATE_DIR, NETDATA_USER_CONFIG_DIR, TMPDIR: still one valid event each" {
	local hidx var n=0
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	for hidx in "${!HOSTILE[@]}"; do
		for var in ANONYMOUS_STATISTICS_SYSINFO ANONYMOUS_STATISTICS_STATE_DIR NETDATA_USER_CONFIG_DIR TMPDIR; do
			[ "$var" != ANONYMOUS_STATISTICS_STATE_DIR ] || [ -n "${HOSTILE[$hidx]}" ] || continue
			quick_env "$var" "${HOSTILE[$hidx]}" START
			[ "$RC" -eq 0 ] || fail "$var=${HOSTILE_NAME[$hidx]}: status $RC, $(cat "$BATS_TEST_TMPDIR/err")"
			assert_equal "$QUICK_OUT" 200
			n=$((n + 1))
			check_valid "$(body "$n")"
		done
	done
	assert_equal "$(capture_count)" "$n"
	checks_done
}

@test "DO_NOT_TRACK and DISABLE_TELEMETRY: any hostile non-empty value opts out" {
	local hidx var
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	make_canary_sysinfo
	for hidx in "${!HOSTILE[@]}"; do
		[ -n "${HOSTILE[$hidx]}" ] || continue
		for var in DO_NOT_TRACK DISABLE_TELEMETRY; do
			quick_env "$var" "${HOSTILE[$hidx]}" START
			assert_equal "$RC" 0
			assert_equal "$QUICK_OUT$(cat "$BATS_TEST_TMPDIR/err")" ""
		done
	done
	assert_equal "$(capture_count)" 0
}
