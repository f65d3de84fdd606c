# The table of hostile inputs for tests/script/hostile-*.bats.
# hostile_table fills HOSTILE (the values) and HOSTILE_NAME (what each is).
# Several would create $CANARY if any shell or tool ever evaluated them.

# hostile_setup / hostile_teardown: every file that feeds the table to the
# script starts the same way and ends by proving the canary was never made.
hostile_setup() {
	script_setup
	hostile_table
	cd "$BATS_TEST_TMPDIR"
}

hostile_teardown() {
	capture_stop
	assert [ ! -e "$CANARY" ]
}

hostile_add() {
	HOSTILE_NAME+=("$1")
	HOSTILE+=("$2")
}

hostile_table() {
	HOSTILE=()
	HOSTILE_NAME=()
	local controls big_a big_bad
	controls=$(printf 'x\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177y')
	big_a=$(head -c 65536 /dev/zero | tr '\0' 'A')
	big_bad=$(head -c 65536 /dev/zero | tr '\0' '\377')
	hostile_add 'empty' ''
	hostile_add 'double quote' '"'
	hostile_add 'backslash' '\'
	hostile_add 'backslashes and quotes' 'a\"b\\"c\u0000\n'
	hostile_add 'command substitution' "\$(touch $CANARY)"
	hostile_add 'backticks' "\`touch $CANARY\`"
	hostile_add 'single quote breakout' "'; touch $CANARY; '"
	hostile_add 'double quote breakout' "\"; touch $CANARY; \""
	hostile_add 'expansions' '$HOME ${PATH} $((1+1)) ~root *'
	hostile_add 'newlines' $'line1\nline2\n\nline4'
	hostile_add 'trailing newline' $'value\n'
	hostile_add 'every control byte' "$controls"
	hostile_add 'carriage return' $'a\rb'
	hostile_add 'escape sequence' $'\e[31mred\e[0m\e]0;title\a'
	hostile_add 'invalid UTF-8' $'\xff\xfe\xc3\x28\xe2\x82\xed\xa0\x80\xf4\x90\x80\x80\xc0\xaf\x80'
	hostile_add 'truncated UTF-8 at the end' $'ok\xf0\x9f\x98'
	hostile_add 'valid UTF-8' 'héllo € 😀 ﻿ '$'\u2028'
	hostile_add '64 KiB' "$big_a"
	hostile_add '64 KiB of 0xff' "$big_bad"
	hostile_add 'format string' '%s%n%x%%'
	hostile_add 'option-like' '-n'
	hostile_add 'option-like 2' '--dry-run'
	hostile_add 'assignment-like' 'x=y'
	hostile_add 'JSON injection' '", "event": "pwned", "x": "'
	hostile_add 'JSON object' '{"a": [1, 2]}'
	hostile_add 'dash' '-'
	hostile_add 'blank' ' '
	hostile_add 'colons and brackets' 'a:b[c:d]:e'
	hostile_add 'host and port' 'netdata:STREAM_RECEIVER[db1.example.com:19999]'
	hostile_add 'path' '/home/alice/secret:../../etc/passwd:12'
}

# check_strings FILE VALUE [FIELD...] [-- NAME]: queue a check that the
# payload in FILE is valid and each FIELD holds VALUE cleaned by the
# documented string rule; checks_done runs the queue (one python for all).
check_strings() {
	local file=$1 value=$2 dir="$BATS_TEST_TMPDIR/checks" n
	shift 2
	mkdir -p "$dir"
	CHECKS=$(( ${CHECKS:-0} + 1 ))
	n=$(printf '%05d' "$CHECKS")
	cp "$file" "$dir/$n.json"
	printf '%s' "$value" >"$dir/$n.raw"
	: >"$dir/$n.fields"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		printf '%s\n' "$1" >>"$dir/$n.fields"
		shift
	done
	printf '%s' "${2:-${HOSTILE_NAME[${hidx:-0}]:-}}" >"$dir/$n.name"
}

# check_valid FILE: queue a check that FILE holds one valid payload (cheaper).
check_valid() {
	mkdir -p "$BATS_TEST_TMPDIR/checks"
	cat "$1" >>"$BATS_TEST_TMPDIR/checks/valid.jsonl"
}

checks_done() {
	run "$PYTHON3" "$BATS_TEST_DIRNAME/check-strings.py" "$BATS_TEST_TMPDIR/checks"
	assert_success
	rm -rf "$BATS_TEST_TMPDIR/checks"
}

# quick ARGS...: run the script faster than `run` does, for the long tables:
# stdout in $QUICK_OUT (also $BATS_TEST_TMPDIR/out), status in $RC.
quick() {
	RC=0
	"$SCRIPT" "$@" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || RC=$?
	QUICK_OUT=$(cat "$BATS_TEST_TMPDIR/out")
}

# quick_env VAR VALUE ARGS...: quick, with VAR=VALUE in the environment.
quick_env() {
	local var=$1 value=$2
	shift 2
	RC=0
	env "$var=$value" "$SCRIPT" "$@" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || RC=$?
	QUICK_OUT=$(cat "$BATS_TEST_TMPDIR/out")
}

# json_property NAME: the string property NAME in $QUICK_OUT, for values
# that hold no quote or backslash (python checks the whole payload anyway).
json_property() {
	[[ $QUICK_OUT =~ \"$1\":\"([^\"\\]*)\" ]] || return 1
	printf '%s' "${BASH_REMATCH[1]}"
}
