# Helpers for the daemon tests: start and stop a daemon, watch its log, look
# at its children in /proc, and fake statistics scripts.

# daemon_start BINARY [ARGS...]: start BINARY -f ARGS in the background, its
# stderr in $DAEMON_LOG; sets DAEMON_PID.  Waits until it logged "ready" (or
# died).  The environment is the caller's: set DO_NOT_TRACK etc. before.
daemon_start() {
	local bin=$1 i=0
	shift
	DAEMON_LOG="$BATS_TEST_TMPDIR/daemon.log"
	: >"$DAEMON_LOG"
	"$bin" -f "$@" 2>"$DAEMON_LOG" 3>&- &
	DAEMON_PID=$!
	while ! grep -q -e 'ready (pid' -e 'FATAL' "$DAEMON_LOG"; do
		kill -0 "$DAEMON_PID" 2>/dev/null || return 0
		i=$((i + 1))
		[ "$i" -lt 200 ] || { echo "daemon did not get ready" >&2; return 1; }
		sleep 0.02
	done
}

# daemon_wait_exit [SECONDS]: wait for the daemon to exit; sets DAEMON_STATUS
# (128+N for a signal) and DAEMON_MS (how long the wait took).
daemon_wait_exit() {
	local limit=$(( ${1:-10} * 50 )) i=0 t0 t1
	t0=$(date +%s%N)
	while kill -0 "$DAEMON_PID" 2>/dev/null && [ "$(proc_state "$DAEMON_PID")" != Z ]; do
		i=$((i + 1))
		[ "$i" -le "$limit" ] || { echo "daemon did not exit" >&2; return 1; }
		sleep 0.02
	done
	t1=$(date +%s%N)
	DAEMON_MS=$(( (t1 - t0) / 1000000 ))
	DAEMON_STATUS=0
	wait "$DAEMON_PID" || DAEMON_STATUS=$?
	DAEMON_PID=
}

# daemon_stop: SIGTERM, then daemon_wait_exit.
daemon_stop() {
	kill -TERM "$DAEMON_PID"
	daemon_wait_exit "${1:-10}"
}

# Kill a daemon a failed test left behind.
daemon_cleanup() {
	if [ -n "${DAEMON_PID:-}" ]; then
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
		DAEMON_PID=
	fi
}

# wait_log PATTERN [SECONDS]: wait until the daemon's log matches.
wait_log() {
	local limit=$(( ${2:-5} * 50 )) i=0
	while ! grep -q -e "$1" "$DAEMON_LOG"; do
		i=$((i + 1))
		[ "$i" -le "$limit" ] || { echo "log never matched: $1" >&2; cat "$DAEMON_LOG" >&2; return 1; }
		sleep 0.02
	done
}

# The "START call returned 0 in X ms" figures of the log, as whole ms.
call_ms() {
	sed -n "s/.*$1 call returned [-0-9]* in \([0-9]*\)\.[0-9]* ms.*/\1/p" "$DAEMON_LOG"
}

# proc_field PID N: field N of /proc/PID/stat counted after the ")" (1 = state).
proc_field() {
	local s n=$2
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	shift $((n - 1))
	printf '%s\n' "$1"
}
proc_state() { proc_field "$1" 1; }

# children_of PID: the pids of PID's children.
children_of() {
	cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -v '^$' || true
}

# zombies_of PID: how many of PID's children are zombies.
zombies_of() {
	local c n=0
	for c in $(children_of "$1"); do
		[ "$(proc_state "$c")" = Z ] && n=$((n + 1))
	done
	echo "$n"
}

# in_group PGID: how many live processes are in process group PGID.  A
# killed grandchild is a zombie until init reaps it: not ours to collect.
in_group() {
	local f n=0 pg
	for f in /proc/[0-9]*; do
		pg=$(proc_field "${f#/proc/}" 3 2>/dev/null) || continue
		[ "$pg" = "$1" ] && [ "$(proc_state "${f#/proc/}")" != Z ] && n=$((n + 1))
	done
	echo "$n"
}

# fake_script NAME BODY: an executable sh script in the test's directory.
fake_script() {
	printf '#!/bin/sh\n%s\n' "$2" >"$BATS_TEST_TMPDIR/$1"
	chmod +x "$BATS_TEST_TMPDIR/$1"
	echo "$BATS_TEST_TMPDIR/$1"
}

# A canary: counts its runs in $BATS_TEST_TMPDIR/canary.
canary_script() {
	fake_script canary.sh "echo run >> '$BATS_TEST_TMPDIR/canary'; echo 200"
}

canary_runs() {
	if [ -f "$BATS_TEST_TMPDIR/canary" ]; then wc -l <"$BATS_TEST_TMPDIR/canary" | tr -d ' '; else echo 0; fi
}

# A free loopback TCP port that nothing listens on.
closed_port() {
	"$PYTHON3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The events the capture server got, one line each:
# "action<TAB>action_result<TAB>action_data" (python's strict JSON parser).
captured_events() {
	"$PYTHON3" - "$CAPTURE_DIR" <<'EOF'
import glob, json, os, sys
files = sorted(glob.glob(os.path.join(sys.argv[1], "*.body")),
               key=lambda f: int(os.path.basename(f).split(".")[0]))
for f in files:
    with open(f, encoding="utf-8", errors="strict") as fh:
        doc = json.load(fh)
    p = doc.get("properties", {})
    print("\t".join(str(p.get(k, "")) for k in ("action", "action_result", "action_data")))
EOF
}

# hostile_state_dir: skip unless root with setpriv; then make $STATE_DIR a
# directory owned by nobody, the less trusted account of the threat model,
# reachable by it (bats makes the test's directory 0700).
hostile_state_dir() {
	local d=$BATS_TEST_TMPDIR
	[ "$(id -u)" -eq 0 ] || skip "needs root to play the state directory's owner with setpriv"
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	id nobody >/dev/null 2>&1 || skip "needs the account nobody"
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d=${d%/*}
		[ -n "$d" ] || d=/
	done
	mkdir -p "$STATE_DIR"
	chown nobody "$STATE_DIR"
}

# as_nobody CMD...: run CMD as nobody with no supplementary groups.
as_nobody() {
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- "$@"
}

# run_state: the state= word of the run-state file in $STATE_DIR.
run_state() {
	sed -n 's/^state=//p' "$STATE_DIR/anonstats.run-state" 2>/dev/null
}
