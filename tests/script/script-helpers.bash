# Shared setup for the tests of anonymous-statistics.sh (tests/script/*.bats).
# Load it with `load script-helpers`; it loads ../helpers/common itself.

load ../helpers/common

SCRIPT="$top_builddir/daemon/anonymous-statistics.sh"
STATE_HELPER="$top_builddir/helpers/sender/anonymous-statistics-sender"
DOCS="$top_srcdir/docs/payload.md"
TEST_KEY=phc_test_key
TEST_GUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0

# fact_names [SCRIPT]: the script's one list of fact names (FACT_NAMES), in
# the order they are sent, one per line.
fact_names() {
	sed -n "/^FACT_NAMES='/,/'\$/p" "${1:-$SCRIPT}" | tr -d "'" | sed 's/^FACT_NAMES=//' | tr ' ' '\n' | sed '/^$/d'
}

# The system facts, read from the script: the fake helper prints them.
FACT_KEYS=$(fact_names)

# property NETDATA_KEY: the payload property a sysinfo key becomes.
property() {
	local p=${1#NETDATA_}
	echo "${p,,}"
}

# script_setup: a clean environment for each test.  Nothing inherited may
# opt out, redirect, or proxy a request; the state, the helper and the
# endpoint are the test's own.
script_setup() {
	local k
	for k in $FACT_KEYS; do unset "$k"; done
	unset DO_NOT_TRACK DISABLE_TELEMETRY NETDATA_USER_CONFIG_DIR NETDATA_VERSION \
		NETDATA_REGISTRY_UNIQUE_ID ANONYMOUS_STATISTICS_SYSINFO \
		http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY \
		CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR WGETRC CURL_HOME
	export ANONYMOUS_STATISTICS_KEY=$TEST_KEY
	# Never the built-in endpoint: a test that forgets to point the script
	# at its capture server gets a refused loopback connection.
	export ANONYMOUS_STATISTICS_URL=http://127.0.0.1:1/no-endpoint-set-by-this-test/
	export ANONYMOUS_STATISTICS_STATE_DIR="$BATS_TEST_TMPDIR/state"
	export ANONYMOUS_STATISTICS_STATE_HELPER=$STATE_HELPER
	export NETDATA_REGISTRY_UNIQUE_ID=$TEST_GUID
	mkdir -p "$ANONYMOUS_STATISTICS_STATE_DIR"
	CANARY="$BATS_TEST_TMPDIR/canary"
	make_sysinfo "$BATS_TEST_TMPDIR/sysinfo"
	export ANONYMOUS_STATISTICS_SYSINFO="$BATS_TEST_TMPDIR/sysinfo"
}

# make_sysinfo PATH [canary]: a fake sysinfo printing fixed facts (each
# value is the property name in upper case, e.g. HOST_OS_NAME); with
# "canary" it first creates $CANARY, to prove whether it ran.
make_sysinfo() {
	local k
	{
		echo '#!/bin/sh'
		[ "${2:-}" != canary ] || echo "touch '$CANARY'"
		for k in $FACT_KEYS; do echo "echo '$k=${k#NETDATA_}'"; done
	} >"$1"
	chmod +x "$1"
}

# make_canary_sysinfo: point the helper at one that creates $CANARY.
make_canary_sysinfo() {
	make_sysinfo "$BATS_TEST_TMPDIR/canary-sysinfo" canary
	export ANONYMOUS_STATISTICS_SYSINFO="$BATS_TEST_TMPDIR/canary-sysinfo"
}

# config_dir_copy DIR [TELEMETRY]: a copy of the built script whose built-in
# config directory is DIR (and whose build choice is TELEMETRY, yes or no),
# as a packager tests a staged tree.  Prints its path.
config_dir_copy() {
	local copy="$BATS_TEST_TMPDIR/as-copy.sh"
	sed -e "s|^CONFIG_DIR=.*|CONFIG_DIR='$1'|" \
		-e "s|^ENABLE_TELEMETRY=.*|ENABLE_TELEMETRY='${2:-yes}'|" "$SCRIPT" >"$copy"
	chmod +x "$copy"
	echo "$copy"
}

# keyless_copy: a copy of the built script with no built-in key, so that the
# "no key" tests hold even in a build configured --with-posthog-key.
keyless_copy() {
	local copy="$BATS_TEST_TMPDIR/as-keyless.sh"
	sed -e "s|^POSTHOG_KEY=.*|POSTHOG_KEY=''|" "$SCRIPT" >"$copy"
	chmod +x "$copy"
	echo "$copy"
}

# tool_path DIR TOOL...: DIR holds symlinks to the given system tools only,
# for a PATH that lacks everything else (curl, wget, ...).
tool_path() {
	local dir=$1 t
	shift
	mkdir -p "$dir"
	for t in "$@"; do
		ln -sf "$(command -v "$t")" "$dir/$t"
	done
}

# base_tools DIR: the tools the script needs besides its transport.
base_tools() {
	tool_path "$1" sh awk head sleep grep date mktemp rm mv tail wc tr cat mkdir
}

# busybox_path DIR: DIR holds busybox applets for every tool the script uses.
busybox_path() {
	local t
	mkdir -p "$1"
	for t in sh awk head sleep grep setsid date mktemp rm mv tail wc tr cat mkdir wget; do
		ln -sf "$(command -v busybox)" "$1/$t"
	done
}

# timed_run CMD...: `run` CMD and set ELAPSED_MS to how long it took.
timed_run() {
	local start end
	start=$(date +%s%N)
	run "$@"
	end=$(date +%s%N)
	ELAPSED_MS=$(( (end - start) / 1000000 ))
}

# body N: the path of the N-th body the capture server recorded.
body() {
	echo "$CAPTURE_DIR/${1:-1}.body"
}

# field FILE JQ_PATH: a value of the JSON in FILE (raw string).
field() {
	jq -r "$2" "$1"
}

# payload_fields FILE: the field names of a payload, one a line, sorted:
# top-level keys, and properties.KEY for each property.
payload_fields() {
	jq -r 'keys_unsorted[], (.properties | keys_unsorted[] | "properties." + .)' "$1" | LC_ALL=C sort
}

# documented_fields: the field names in the table of docs/payload.md, sorted.
documented_fields() {
	sed -n '/^## Fields/,/^## /s/^| `\([^`]*\)` |.*/\1/p' "$DOCS" | LC_ALL=C sort
}

# prop FILE NAME: the property NAME of the payload in FILE.
prop() {
	jq -r --arg n "$2" '.properties[$n]' "$1"
}

# fault MODE STATUS [PATH]: against a capture server in MODE, the script
# (with PATH when given) exits with STATUS within the bound (< 5 s, a
# generous margin over the documented 3 s), printing the HTTP code for an
# HTTP error and nothing for a network failure.
fault() {
	local mode=$1 want=$2 path=${3:-$PATH}
	capture_start "$mode"
	PATH=$path ANONYMOUS_STATISTICS_URL=$CAPTURE_URL timed_run --separate-stderr "$SCRIPT" START
	assert_equal "$status" "$want"
	assert [ "$ELAPSED_MS" -lt 5000 ]
	case $mode in
	500 | 429 | 503) assert_output "$mode" ;;
	*) assert_output "" ;;
	esac
}

# refused STATUS [PATH]: a loopback port where nothing listens.
refused() {
	local path=${2:-$PATH}
	PATH=$path ANONYMOUS_STATISTICS_URL=http://127.0.0.1:1/capture/ timed_run --separate-stderr "$SCRIPT" START
	assert_equal "$status" "$1"
	assert_output ""
	assert [ "$ELAPSED_MS" -lt 5000 ]
}

# need_nobody: skip unless the tests run as root with setpriv, so that the
# unprivileged account of the threat model can be played by nobody.
need_nobody() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to play the unprivileged account with setpriv"
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	id nobody >/dev/null 2>&1 || skip "needs the account nobody"
}

# as_nobody CMD...: run CMD as nobody:nogroup with no supplementary groups.
as_nobody() {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- "$@"
}

# open_to_nobody: let nobody reach (not list) the test's temporary directory,
# which bats creates 0700, and give it a world-readable copy of the script.
# Sets NOBODY_SCRIPT.
open_to_nobody() {
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d=${d%/*}
		[ -n "$d" ] || d=/
	done
	NOBODY_SCRIPT="$BATS_TEST_TMPDIR/nobody-script.sh"
	cp "$SCRIPT" "$NOBODY_SCRIPT"
	chmod 755 "$NOBODY_SCRIPT"
}
