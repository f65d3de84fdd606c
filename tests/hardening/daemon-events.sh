#!/bin/sh
# daemon-events.sh DAEMON SEND SCRIPT CONFIG_DIR STATE_DIR CLOUD_URL [all|ordinary]
#
# Every event the reference daemon and its library can send, in one process
# tree (so that one strace sees them all): START and STOP (ready, then
# SIGTERM), CLOUD_CONNECT_FAIL (CLOUD_URL, a closed loopback port), FATAL
# through ANONSTATS_FATAL() and through the crash handler (SIGSEGV), CRASH
# (a run killed with SIGKILL, then started again), and, through the same
# library (anonstats-send), INCOMPLETE_SHUTDOWN, META_START, META,
# CLOUD_DISABLED, CLOUD_BUILD_FAIL and STOP ERROR.  "ordinary" leaves out
# FATAL, CRASH and INCOMPLETE_SHUTDOWN (what level crashes still sends).
# Prints one line per run: what it was and how the daemon ended.
daemon=$1 send=$2 script=$3 config=$4 state=$5 cloud=$6 which=${7:-all}
log=$state.log

# run_until_ready ARGS...: start the daemon; DAEMON_PID once it is ready.
run_until_ready() {
	: >"$log"
	"$daemon" -f --config-dir "$config" --state-dir "$state" --script "$script" "$@" 2>"$log" &
	DAEMON_PID=$!
	i=0
	until grep -q 'ready (pid' "$log"; do
		i=$((i + 1))
		[ "$i" -lt 250 ] || { echo "the daemon did not get ready" >&2; cat "$log" >&2; exit 1; }
		sleep 0.02
	done
}

# ended WHAT: wait for the daemon, print WHAT and its status.
ended() {
	wait "$DAEMON_PID"
	printf '%s: %s\n' "$1" "$?"
}

run_until_ready --cloud-url "$cloud"
kill -TERM "$DAEMON_PID"
ended 'START, CLOUD_CONNECT_FAIL, STOP'
for action in META_START META CLOUD_DISABLED 'CLOUD_BUILD_FAIL - libssl1.1' 'STOP ERROR'; do
	# shellcheck disable=SC2086 # the words are the arguments
	"$send" --script "$script" --config-dir "$config" --state-dir "$state" $action 2>/dev/null
	printf '%s: %s\n' "$action" "$?"
done
[ "$which" = all ] || exit 0
"$daemon" -f --config-dir "$config" --state-dir "$state" --script "$script" --fatal-test 2>/dev/null &
DAEMON_PID=$!
ended 'FATAL'
"$daemon" -f --config-dir "$config" --state-dir "$state" --script "$script" --crash-test=segv 2>/dev/null &
DAEMON_PID=$!
ended 'FATAL by SIGSEGV'
run_until_ready
# START marks the run from the library's own thread, after "ready": killed
# before that, the run leaves nothing to report as a CRASH.
i=0
until grep -qxE 'state=(running|off)' "$state/anonstats.run-state" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 250 ] || { echo "START never marked the run" >&2; exit 1; }
	sleep 0.02
done
kill -KILL "$DAEMON_PID"
ended 'killed'
run_until_ready
kill -TERM "$DAEMON_PID"
ended 'CRASH, START, STOP'
"$send" --script "$script" --config-dir "$config" --state-dir "$state" INCOMPLETE_SHUTDOWN 2>/dev/null
printf 'INCOMPLETE_SHUTDOWN: %s\n' "$?"
