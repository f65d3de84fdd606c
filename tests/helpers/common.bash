# Shared setup for the bats tests: assertions, paths of what was built, and a
# loopback capture server.  Load it with `load ../helpers/common`.

bats_load_library bats-support
bats_load_library bats-assert

: "${top_srcdir:?run the tests through make check}"
: "${top_builddir:?run the tests through make check}"
: "${PYTHON3:=python3}"

# capture_start [MODE [BIND]]: start the capture server; sets CAPTURE_DIR,
# CAPTURE_PORT and CAPTURE_URL.  teardown() must call capture_stop.
capture_start() {
	CAPTURE_DIR=$(mktemp -d "$BATS_TEST_TMPDIR/capture.XXXXXX")
	"$PYTHON3" "$top_srcdir/tests/helpers/capture-server.py" \
		--dir "$CAPTURE_DIR" --mode "${1:-ok}" --bind "${2:-127.0.0.1}" \
		--lifetime 120 "${@:3}" 3>&- &
	CAPTURE_PID=$!
	local i=0
	while [ ! -s "$CAPTURE_DIR/port" ]; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { echo "capture server did not start" >&2; return 1; }
		sleep 0.05
	done
	CAPTURE_PORT=$(cat "$CAPTURE_DIR/port")
	case "${2:-127.0.0.1}" in
	*:*) CAPTURE_URL="http://[${2}]:$CAPTURE_PORT/capture/" ;;
	*) CAPTURE_URL="http://${2:-127.0.0.1}:$CAPTURE_PORT/capture/" ;;
	esac
}

capture_stop() {
	if [ -n "${CAPTURE_PID:-}" ]; then
		kill "$CAPTURE_PID" 2>/dev/null || true
		wait "$CAPTURE_PID" 2>/dev/null || true
		CAPTURE_PID=
	fi
}

# capture_count: how many requests the server recorded.
capture_count() {
	local n=0 f
	for f in "$CAPTURE_DIR"/*.body; do
		[ -e "$f" ] && n=$((n + 1))
	done
	echo "$n"
}

# capture_wait N [SECONDS]: wait until N requests were recorded.
capture_wait() {
	local want=$1 limit=$(( ${2:-5} * 20 )) i=0
	while [ "$(capture_count)" -lt "$want" ]; do
		i=$((i + 1))
		[ "$i" -le "$limit" ] || return 1
		sleep 0.05
	done
}

# json_valid FILE: FILE holds one valid JSON document (python's strict parser).
json_valid() {
	"$PYTHON3" -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8", errors="strict"))' "$1"
}

# skip_if_sanitized WHY: skip in a --enable-sanitizers build, where the
# programs carry ASan's runtime (its own files, threads, memory), saying why
# this test cannot hold for them.
skip_if_sanitized() {
	[ "${TEST_SANITIZERS:-no}" != yes ] || skip "sanitizer build: $*"
}

# no_leak_check_under_ptrace: LeakSanitizer cannot run in a program that
# strace traces (it stops with a fatal error, exit 86 here), so a test that
# traces instrumented programs turns it off; ASan and UBSan still check.
no_leak_check_under_ptrace() {
	[ "${TEST_SANITIZERS:-no}" != yes ] ||
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
}

# SEGV_HANDLED: whether a deliberate SIGSEGV reaches the crash handlers
# (in a sanitizer build UBSan ends the program at the NULL store first).
if [ "${TEST_SANITIZERS:-no}" = yes ]; then SEGV_HANDLED=no; else SEGV_HANDLED=yes; fi
