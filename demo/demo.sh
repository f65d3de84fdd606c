#!/bin/sh
# demo.sh PREFIX: watch an installed anonymous-statistics at work.
#
# Starts a capture endpoint on loopback (it stands in for PostHog), then runs
# the reference daemon installed under PREFIX: a clean start and stop, a fatal
# error, and an opted-out run.  Every event the endpoint receives is printed,
# exactly as it arrived.  Nothing leaves this machine.
set -eu

prefix=${1:?usage: demo.sh PREFIX}
top=$(cd "$(dirname "$0")/.." && pwd)
daemon="$prefix/sbin/anonstats-daemon"
plugins="$prefix/libexec/netdata/plugins.d"
script="$plugins/anonymous-statistics.sh"
python=${PYTHON3:-python3}

for f in "$daemon" "$script" "$plugins/sysinfo"; do
	[ -x "$f" ] || { printf 'demo.sh: %s is not installed\n' "$f" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/anonstats-demo.XXXXXX")
server_pid=
cleanup() {
	[ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || :
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$work/capture" "$work/config" "$work/state"
"$python" "$top/tests/helpers/capture-server.py" --dir "$work/capture" --lifetime 120 &
server_pid=$!
i=0
until [ -s "$work/capture/port" ]; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "demo.sh: the capture endpoint did not start" >&2; exit 1; }
	sleep 0.1
done

# What a packager's build would bake in, pointed at the loopback endpoint.
ANONYMOUS_STATISTICS_URL="http://127.0.0.1:$(cat "$work/capture/port")/capture/"
ANONYMOUS_STATISTICS_KEY=phc_demo
ANONYMOUS_STATISTICS_STATE_DIR="$work/state"
ANONYMOUS_STATISTICS_SYSINFO="$plugins/sysinfo"
export ANONYMOUS_STATISTICS_URL ANONYMOUS_STATISTICS_KEY ANONYMOUS_STATISTICS_STATE_DIR \
	ANONYMOUS_STATISTICS_SYSINFO
unset DO_NOT_TRACK DISABLE_TELEMETRY

# The daemon's own flags, as a list (never a string to re-parse).
set -- --foreground --script "$script" --config-dir "$work/config" --state-dir "$work/state"

count() {
	n=0
	for f in "$work/capture"/*.body; do
		[ -e "$f" ] && n=$((n + 1))
	done
	echo "$n"
}

wait_for() {
	i=0
	while [ "$(count)" -lt "$1" ] && [ "$i" -lt 50 ]; do
		i=$((i + 1))
		sleep 0.1
	done
}

show_new() {
	n=$1
	while [ -e "$work/capture/$((n + 1)).body" ]; do
		n=$((n + 1))
		printf -- '--- event %d, POST %s\n' "$n" "$(sed -n 2p "$work/capture/$n.meta")"
		"$python" -m json.tool "$work/capture/$n.body"
	done
}

printf '== sysinfo: the system facts every event carries\n'
"$plugins/sysinfo"

printf '\n== %s --status\n' "$script"
"$script" --status || :

printf '\n== the daemon starts, runs a second, and is stopped with SIGTERM\n'
"$daemon" "$@" &
daemon_pid=$!
wait_for 1
sleep 1
kill -TERM "$daemon_pid"
status=0
wait "$daemon_pid" || status=$?
printf 'the daemon exited with status %d\n' "$status"
wait_for 2
show_new 0

printf '\n== the daemon dies of a fatal error (an unreadable config file)\n'
before=$(count)
status=0
"$daemon" "$@" --config "$work/config/missing.conf" || status=$?
printf 'the daemon exited with status %d\n' "$status"
wait_for $((before + 1))
show_new "$before"

printf '\n== the daemon crashes (SIGSEGV): reported as FATAL, then the default action\n'
before=$(count)
status=0
"$daemon" "$@" --crash-test=segv 2>/dev/null || status=$?
printf 'the daemon exited with status %d (128 + SIGSEGV)\n' "$status"
wait_for $((before + 1))
show_new "$before"

printf '\n== the daemon cannot reach its cloud (a closed loopback port)\n'
before=$(count)
"$daemon" "$@" --cloud-url http://127.0.0.1:1/ &
daemon_pid=$!
wait_for $((before + 2))
kill -TERM "$daemon_pid"
wait "$daemon_pid" || :
wait_for $((before + 3))
show_new "$before"

printf '\n== DO_NOT_TRACK=1: the same start and stop send nothing\n'
before=$(count)
DO_NOT_TRACK=1 "$daemon" "$@" &
daemon_pid=$!
sleep 1
kill -TERM "$daemon_pid"
wait "$daemon_pid" || :
printf 'events received while opted out: %d\n' "$(($(count) - before))"

printf '\n== the local record of what was sent (%s)\n' "$work/state/anonymous-statistics.log"
printf '%s events recorded\n' "$(grep -c '"event"' "$work/state/anonymous-statistics.log" || :)"
