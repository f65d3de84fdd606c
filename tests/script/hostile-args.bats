#!/usr/bin/env bats
# Hostile inputs in every argument: the payload is valid JSON, every field
# keeps its documented shape, and nothing is ever executed (no canary file).

bats_require_minimum_version 1.5.0
load script-helpers
load hostile

setup() {
	hostile_setup
}

teardown() {
	hostile_teardown
}

@test "a hostile ACTION is a usage error: status 2, nothing printed on stdout" {
	local hidx
	for hidx in "${!HOSTILE[@]}"; do
		quick "${HOSTILE[$hidx]}"
		[ "$RC" -eq 2 ] || fail "ACTION ${HOSTILE_NAME[$hidx]}: status $RC"
		assert_equal "$QUICK_OUT" ""
		quick -- "${HOSTILE[$hidx]}" x y
		[ "$RC" -eq 2 ] || fail "ACTION after --, ${HOSTILE_NAME[$hidx]}: status $RC"
		assert_equal "$QUICK_OUT" ""
	done
}

@test "hostile FATAL results keep only PROCESS:THREAD bytes" {
	local hidx result
	for hidx in "${!HOSTILE[@]}"; do
		quick --dry-run FATAL "${HOSTILE[$hidx]}" f:a.c:1
		assert_equal "$RC" 0
		check_valid "$BATS_TEST_TMPDIR/out"
		result=$(json_property action_result) || fail "no action_result: $QUICK_OUT"
		[[ $result =~ ^[A-Za-z0-9_.-]{1,64}:[A-Za-z0-9_-]{1,64}$ ]] ||
			fail "FATAL result ${HOSTILE_NAME[$hidx]}: $result"
	done
	checks_done
}

@test "hostile FATAL data keep only FUNCTION:FILE:LINE[:ERRNO] bytes" {
	local hidx data value
	for hidx in "${!HOSTILE[@]}"; do
		for value in "${HOSTILE[$hidx]}" "f:${HOSTILE[$hidx]}:1" "f:a.c:${HOSTILE[$hidx]}" "f:a.c:1:${HOSTILE[$hidx]}"; do
			quick --dry-run FATAL netdata:MAIN "$value"
			assert_equal "$RC" 0
			check_valid "$BATS_TEST_TMPDIR/out"
			data=$(json_property action_data) || fail "no action_data: $QUICK_OUT"
			[[ $data =~ ^[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_.-]{1,64}:[0-9]{1,9}(:([0-9]{1,16}|E[A-Z0-9]{0,15}))?$ ]] ||
				fail "FATAL data ${HOSTILE_NAME[$hidx]}: $data"
		done
	done
	checks_done
}

@test "hostile CLOUD_BUILD_FAIL data keep only a dependency name" {
	local hidx data
	for hidx in "${!HOSTILE[@]}"; do
		quick --dry-run CLOUD_BUILD_FAIL - "${HOSTILE[$hidx]}"
		assert_equal "$RC" 0
		check_valid "$BATS_TEST_TMPDIR/out"
		data=$(json_property action_data) || fail "no action_data: $QUICK_OUT"
		[[ $data =~ ^[A-Za-z0-9_.+-]{1,64}$ ]] || fail "CLOUD_BUILD_FAIL ${HOSTILE_NAME[$hidx]}: $data"
	done
	checks_done
}

@test "hostile CLOUD_CONNECT_FAIL data keep only numeric codes" {
	local hidx data
	for hidx in "${!HOSTILE[@]}"; do
		quick --dry-run CLOUD_CONNECT_FAIL - "${HOSTILE[$hidx]}"
		assert_equal "$RC" 0
		check_valid "$BATS_TEST_TMPDIR/out"
		data=$(json_property action_data) || fail "no action_data: $QUICK_OUT"
		[[ $data =~ ^(unknown|[0-9]{1,6}(,[0-9]{1,6}){0,15})$ ]] || fail "CLOUD_CONNECT_FAIL ${HOSTILE_NAME[$hidx]}: $data"
	done
	checks_done
}

@test "hostile results and data where none is taken are usage errors (empty and - aside)" {
	local hidx args word
	for hidx in "${!HOSTILE[@]}"; do
		for args in "START|R" "START|-|D" "STOP|R" "STOP|OK|D" "CLOUD_DISABLED|R" "CLOUD_DISABLED|-|D" \
			"CLOUD_BUILD_FAIL|R" "CLOUD_CONNECT_FAIL|R"; do
			IFS='|' read -r -a template <<<"$args"
			parts=()
			for word in "${template[@]}"; do
				case $word in R | D) parts+=("${HOSTILE[$hidx]}") ;; *) parts+=("$word") ;; esac
			done
			quick --dry-run "${parts[@]}"
			case ${HOSTILE[$hidx]} in
			'' | -) assert_equal "$RC" 0 ;;
			*) [ "$RC" -eq 2 ] || fail "${parts[0]} ${HOSTILE_NAME[$hidx]}: status $RC"
				assert_equal "$QUICK_OUT" "" ;;
			esac
		done
	done
}

@test "every hostile argument, sent for real: the server gets one valid event each" {
	local hidx n=0
	capture_start ok
	export ANONYMOUS_STATISTICS_URL=$CAPTURE_URL
	# No state: the same cleaned FATAL would be de-duplicated.
	export ANONYMOUS_STATISTICS_STATE_DIR="$BATS_TEST_TMPDIR/no-state"
	for hidx in "${!HOSTILE[@]}"; do
		quick FATAL "${HOSTILE[$hidx]}" "${HOSTILE[$hidx]}"
		assert_equal "$RC" 0
		assert_equal "$QUICK_OUT" 200
		n=$((n + 1))
		assert_equal "$(capture_count)" "$n"
		check_strings "$(body "$n")" ""
		quick CLOUD_CONNECT_FAIL - "${HOSTILE[$hidx]}"
		assert_equal "$RC" 0
		n=$((n + 1))
		check_strings "$(body "$n")" ""
	done
	assert_equal "$(capture_count)" "$n"
	checks_done
}
