# Shared setup for the hardening suite (tests/hardening/*.bats): servers
# that count connections, the reference daemon, strace's view of network
# calls.  Load it with `load hardening-helpers`; it loads the script's
# helpers (a file running the reference daemon loads ../daemon/daemon-helpers,
# one running Netdata's ../netdata/netdata-helpers: they differ in wait_log).

bats_require_minimum_version 1.5.0
load ../script/script-helpers

# strace watches every program here.
no_leak_check_under_ptrace

DAEMON="$top_builddir/daemon/reference/anonstats-daemon"
SEND="$top_builddir/tests/daemon/anonstats-send"
SYSINFO="$top_builddir/helpers/sysinfo/sysinfo"

# Every event the script takes, as words; the first ORDINARY are the ones
# level crashes keeps from being sent (FATAL, CRASH, INCOMPLETE_SHUTDOWN
# are sent).
EVENTS=(START "STOP OK" "STOP ERROR" "EXIT OK" CLOUD_DISABLED ACLK_DISABLED
	"CLOUD_BUILD_FAIL - libssl1.1" "CLOUD_CONNECT_FAIL - 5,403" META_START META
	"FATAL netdata:MAIN main:main.c:1" CRASH INCOMPLETE_SHUTDOWN)
ORDINARY=10

# A bash program for `bash -c "$EACH_EVENT" - SCRIPT N OPTION EVENT...`:
# SCRIPT runs each of the first N EVENTs once (with OPTION, e.g. --dry-run,
# or ""), in one process tree; prints "EVENT: STATUS OUTPUT" per event,
# stderr included.
# shellcheck disable=SC2016
EACH_EVENT='script=$1 n=$2 opt=$3; shift 3
	for e in "${@:1:$n}"; do
		set -f; out=$($script $opt $e 2>&1); st=$?; set +f
		printf "%s: %s %s\n" "$e" "$st" "$out"
	done'

# serve NAME MODE [BIND [ARGS...]]: a capture server of its own, for a test
# that needs more than one; sets NAME_DIR, NAME_PORT and NAME_HOSTPORT
# (127.0.0.1:PORT or [::1]:PORT).  servers_stop (teardown) ends them all.
serve() {
	local name=$1 mode=$2 bind=${3:-127.0.0.1} dir i=0
	shift 3 2>/dev/null || shift $#
	dir=$(mktemp -d "$BATS_TEST_TMPDIR/$name.XXXXXX")
	"$PYTHON3" "$top_srcdir/tests/helpers/capture-server.py" --dir "$dir" \
		--mode "$mode" --bind "$bind" --lifetime 120 "$@" 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	while [ ! -s "$dir/port" ]; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { echo "server $name did not start" >&2; return 1; }
		sleep 0.025
	done
	printf -v "${name}_DIR" %s "$dir"
	printf -v "${name}_PORT" %s "$(cat "$dir/port")"
	case $bind in
	*:*) printf -v "${name}_HOSTPORT" '[%s]:%s' "$bind" "$(cat "$dir/port")" ;;
	*) printf -v "${name}_HOSTPORT" '%s:%s' "$bind" "$(cat "$dir/port")" ;;
	esac
}

servers_stop() {
	local p
	for p in ${SERVER_PIDS:-}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	SERVER_PIDS=
}

# lines_in FILE: how many lines FILE holds (0 when it does not exist).
lines_in() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# connections DIR: the TCP connections the server of DIR accepted.
connections() {
	lines_in "$1/connections"
}

# requests DIR: the HTTP requests the server of DIR recorded.
requests() {
	CAPTURE_DIR=$1 capture_count
}

# staged_script CONFIG_DIR: a copy of the built script as a package lays it
# out: its built-in config directory CONFIG_DIR, its plugins directory
# holding the real sysinfo and the state helper (the daemon passes no
# ANONYMOUS_STATISTICS_STATE_HELPER); prints its path.
staged_script() {
	local plugins="$BATS_TEST_TMPDIR/plugins"
	mkdir -p "$plugins"
	cp "$SYSINFO" "$STATE_HELPER" "$plugins/"
	sed -e "s|^CONFIG_DIR=.*|CONFIG_DIR='$1'|" -e "s|^PLUGINS_DIR=.*|PLUGINS_DIR='$plugins'|" \
		"$SCRIPT" >"$plugins/anonymous-statistics.sh"
	chmod 755 "$plugins/anonymous-statistics.sh"
	echo "$plugins/anonymous-statistics.sh"
}

# What strace shows of the network: every connect(), sendto(), sendmsg()
# and sendmmsg() that names an AF_INET or AF_INET6 address.  A Unix socket
# (nscd, syslog, the daemon's own pipes) is not the network and is not
# counted.  strace's seccomp filter stops only at these calls, so tracing
# costs little.
TRACED_CALLS=connect,sendto,sendmsg,sendmmsg

# traced FILE CMD...: run CMD and its children under strace, into FILE.
traced() {
	local out=$1
	shift
	strace -f -qq --seccomp-bpf -e trace="$TRACED_CALLS" -o "$out" -- "$@"
}

# inet_calls FILE [PORT]: the traced calls in FILE that reach for an IP
# address (but PORT, when given: a daemon's own cloud connection).
inet_calls() {
	local calls
	calls=$(grep -E "($(printf '%s' "$TRACED_CALLS" | tr , '|'))\\(.*sa_family=AF_INET6?[,}]" "$1") || true
	[ -z "${2:-}" ] || calls=$(printf '%s\n' "$calls" | grep -v -F "sin_port=htons($2)") || true
	[ -z "$calls" ] || printf '%s\n' "$calls"
}

# need_strace: skip unless strace can trace here (ptrace may be denied).
need_strace() {
	command -v strace >/dev/null || skip "needs strace"
	strace -f -qq --seccomp-bpf -e trace=connect -o /dev/null -- true 2>/dev/null ||
		skip "strace cannot trace here (ptrace not allowed)"
}

# daemon_args CONFIG_DIR STATE_DIR SCRIPT: the reference daemon's options.
daemon_args() {
	printf '%s\n' --config-dir "$1" --state-dir "$2" --script "$3"
}
