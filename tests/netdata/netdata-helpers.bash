# Helpers for running Netdata's own daemon (Debian's netdata-core, 1.37)
# with our script in its plugins directory.  Load with `load netdata-helpers`.
#
# Everything the daemon can reach is inside one network namespace holding
# only loopback (and a UTS namespace with a planted host name): a holder
# process keeps the namespaces alive, and every daemon and capture server is
# started in them through ns().  What Netdata 1.37 does, as observed:
#   - it starts as root, then runs as user `netdata` (groups netdata, adm);
#     every directory it uses must be reachable by that user;
#   - it runs `/bin/sh -c "<plugins>/anonymous-statistics.sh 'ACTION' 'RESULT'
#     'DATA' ..."` (42 arguments), with its own environment plus NETDATA_*
#     (NETDATA_HOSTNAME among them), waits for it without a time limit and
#     reads 3 bytes of its stdout;
#   - it runs the script only when <config>/.opt-out-from-anonymous-statistics
#     is not readable; it ignores DO_NOT_TRACK;
#   - it runs <plugins>/system-info.sh when present: ours holds none.

load ../script/script-helpers

NETDATA=/usr/sbin/netdata
SYSINFO="$top_builddir/helpers/sysinfo/sysinfo"
PLANTED_HOST=planted-host-7f3a.corp.example
NETDATA_KEY=phc_netdata_e2e

# need_real_daemon: skip, with the reason, unless this machine can run the
# real daemon safely.
need_real_daemon() {
	local tool
	[ -x "$NETDATA" ] || skip "Netdata's daemon is not installed ($NETDATA: apt-get install netdata-core)"
	[ "$(id -u)" -eq 0 ] || skip "needs root: the daemon starts as root and drops to user netdata"
	id netdata >/dev/null 2>&1 || skip "no user netdata (netdata-core's postinst creates it)"
	for tool in unshare nsenter setpriv ip; do
		command -v "$tool" >/dev/null || skip "needs $tool (util-linux, iproute2)"
	done
	unshare --net --uts true 2>/dev/null ||
		skip "network namespaces are not allowed here (unshare --net failed)"
}

# ns CMD...: run CMD in the test's namespaces.
ns() {
	nsenter --target "$NS_PID" --net --uts -- "$@"
}

# ns_exec CMD...: the same, for `ns_exec CMD &`: the background subshell is
# replaced, so that $! is CMD's pid.
ns_exec() {
	exec nsenter --target "$NS_PID" --net --uts -- "$@"
}

# ns_start: the namespaces, loopback up, the planted host name; fails unless
# loopback is the only interface and there is no route but its own.
ns_start() {
	local i=0 ours
	ours=$(readlink /proc/self/ns/net)
	# One process, ending by itself; not "sleep 300": a test elsewhere on the
	# machine kills whatever matches `sleep 30`.
	unshare --net --uts -- "$PYTHON3" -c 'import time; time.sleep(5 * 60)' 3>&- &
	NS_PID=$!
	while [ "$(readlink "/proc/$NS_PID/ns/net" 2>/dev/null)" = "$ours" ]; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { echo "the namespace did not come up" >&2; return 1; }
		sleep 0.01
	done
	ns ip link set lo up
	ns hostname "$PLANTED_HOST"
	[ "$(ns ip -o link show | awk -F': ' '{ print $2 }')" = lo ] ||
		{ echo "the namespace holds more than loopback" >&2; return 1; }
	[ -z "$(ns ip -4 route show)" ] || { echo "the namespace has an IPv4 route" >&2; return 1; }
	[ -z "$(ns ip -6 route show | grep -v '^\(::1\|fe80::\)')" ] ||
		{ echo "the namespace has an IPv6 route off loopback" >&2; return 1; }
	[ "$(ns hostname)" = "$PLANTED_HOST" ]
}

ns_stop() {
	if [ -n "${NS_PID:-}" ]; then
		kill "$NS_PID" 2>/dev/null || true
		wait "$NS_PID" 2>/dev/null || true
		NS_PID=
	fi
}

# ns_capture_start [MODE]: the capture server, in the namespace.
ns_capture_start() {
	local i=0
	CAPTURE_DIR="$ND/capture"
	mkdir -p "$CAPTURE_DIR"
	ns_exec "$PYTHON3" "$top_srcdir/tests/helpers/capture-server.py" \
		--dir "$CAPTURE_DIR" --mode "${1:-ok}" --lifetime 120 3>&- &
	CAPTURE_PID=$!
	while [ ! -s "$CAPTURE_DIR/port" ]; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { echo "capture server did not start" >&2; return 1; }
		sleep 0.025
	done
	CAPTURE_URL="http://127.0.0.1:$(cat "$CAPTURE_DIR/port")/capture/"
}

# nd_layout: the daemon's own directories under $ND, as a package lays them
# out: config, stock config, web and plugins belong to root; cache, lib, log
# and lock to netdata.  The plugins directory holds our script (its built-in
# directories set as a packager's configure would), sysinfo and the state
# helper, and nothing of Netdata's (its system-info.sh probes cloud
# metadata addresses with curl).
nd_layout() {
	local d
	ND="$BATS_TEST_TMPDIR/nd"
	mkdir -p "$ND"
	# bats makes its directories 0700: let the daemon's user through them
	# (bats's own, up to BATS_RUN_TMPDIR; nothing above is changed).
	d=$ND
	while :; do
		chmod o+x "$d"
		[ "$d" != "$BATS_RUN_TMPDIR" ] && [ "${d#"$BATS_RUN_TMPDIR"/}" != "$d" ] || break
		d=${d%/*}
	done
	mkdir -p "$ND/config" "$ND/stock" "$ND/web" "$ND/plugins" \
		"$ND/cache" "$ND/lib" "$ND/log" "$ND/lock"
	chown netdata:netdata "$ND/cache" "$ND/lib" "$ND/log" "$ND/lock"
	chmod 755 "$ND"/*
	sed -e "s|^CONFIG_DIR=.*|CONFIG_DIR='$ND/config'|" \
		-e "s|^PLUGINS_DIR=.*|PLUGINS_DIR='$ND/plugins'|" \
		-e "s|^STATE_DIR=.*|STATE_DIR='$ND/lib'|" \
		"$SCRIPT" >"$ND/plugins/anonymous-statistics.sh"
	[ "$(grep -c -e "^CONFIG_DIR='$ND/config'\$" -e "^PLUGINS_DIR='$ND/plugins'\$" \
		-e "^STATE_DIR='$ND/lib'\$" "$ND/plugins/anonymous-statistics.sh")" -eq 3 ] ||
		{ echo "could not set the script's directories" >&2; return 1; }
	cp "$SYSINFO" "$STATE_HELPER" "$ND/plugins/"
	chmod 755 "$ND/plugins"/*
	setpriv --reuid=netdata --regid=netdata --clear-groups -- \
		test -x "$ND/plugins/anonymous-statistics.sh" ||
		skip "user netdata cannot reach $ND (a parent directory is closed to it)"
	nd_config
}

# nd_config [ERROR_LOG]: netdata.conf, everything that is not needed for a
# start and a stop switched off; the database is dbengine, Debian's default.
nd_config() {
	cat >"$ND/config/netdata.conf" <<EOF
[global]
	run as user = netdata
[db]
	mode = dbengine
	update every = 1
[directories]
	config = $ND/config
	stock config = $ND/stock
	web = $ND/web
	plugins = $ND/plugins
	cache = $ND/cache
	lib = $ND/lib
	home = $ND/lib
	log = $ND/log
	lock = $ND/lock
[logs]
	error = ${1:-$ND/log/error.log}
	access = none
	debug = none
	health = none
[web]
	mode = none
[registry]
	enabled = no
[health]
	enabled = no
[ml]
	enabled = no
[statsd]
	enabled = no
[plugins]
	enable running new plugins = no
	timex = no
	idlejitter = no
	netdata monitoring = no
	tc = no
	diskspace = no
	proc = no
	cgroups = no
	statsd = no
	slabinfo = no
EOF
}

# nd_start [VAR=VALUE...]: start the daemon in the foreground, in the
# namespace, with the environment a service manager gives it (and the test
# endpoint); sets ND_PID.  Fails unless it runs in the test's namespace.
nd_start() {
	local i=0
	ns_exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
		ANONYMOUS_STATISTICS_URL="$CAPTURE_URL" ANONYMOUS_STATISTICS_KEY="$NETDATA_KEY" \
		"$@" "$NETDATA" -c "$ND/config/netdata.conf" -D >>"$ND/daemon.out" 2>&1 3>&- &
	ND_PID=$!
	ND_STARTED=$(date +%s%N)
	# nsenter enters the namespace, then execs env, which execs netdata.
	while [ "$(readlink "/proc/$ND_PID/exe" 2>/dev/null)" != "$NETDATA" ]; do
		i=$((i + 1))
		[ "$i" -lt 500 ] || { echo "the daemon did not start" >&2; return 1; }
		sleep 0.01
	done
	if [ "$(readlink "/proc/$ND_PID/ns/net")" != "$(readlink "/proc/$NS_PID/ns/net")" ]; then
		kill -KILL "$ND_PID"
		echo "the daemon is not in the test's network namespace" >&2
		return 1
	fi
}

# nd_children: remember the daemon's children (its spawn server), so that
# none outlives the test.
nd_children() {
	local c
	for c in $(cat "/proc/$ND_PID/task/"*/children 2>/dev/null); do
		ND_CHILDREN="${ND_CHILDREN:-} $c"
	done
}

# nd_wait_exit [SECONDS]: wait for the daemon to end; sets ND_STATUS (128+N
# for signal N) and ND_MS, the milliseconds since it was started or signalled.
nd_wait_exit() {
	local limit=$(( ${1:-15} * 20 )) i=0 state
	# Until it is a zombie (its state, the field after "(comm)").
	while state=$(sed -n 's/^.*) \([A-Za-z]\).*/\1/p' "/proc/$ND_PID/stat" 2>/dev/null) &&
		[ -n "$state" ] && [ "$state" != Z ]; do
		i=$((i + 1))
		[ "$i" -le "$limit" ] || { echo "the daemon did not exit" >&2; return 1; }
		sleep 0.05
	done
	ND_STATUS=0
	wait "$ND_PID" || ND_STATUS=$?
	ND_MS=$(( ($(date +%s%N) - ND_STARTED) / 1000000 ))
	ND_PID=
}

# nd_settled: wait until the daemon's main thread waits for signals in
# pause().  Netdata 1.37 blocks signals while it starts and unblocks them just
# before pause(): a SIGTERM that comes before is taken, and then pause()
# waits for another one (seen: the daemon never stopped).
nd_settled() {
	local i=0 wchan
	while :; do
		wchan=$(cat "/proc/$ND_PID/wchan" 2>/dev/null) || wchan=
		case $wchan in
		*pause*) return 0 ;;
		0) sleep 1; return 0 ;;  # a kernel that hides it: give it time
		esac
		i=$((i + 1))
		[ "$i" -lt 300 ] || { echo "the daemon never waited for signals ($wchan)" >&2; return 1; }
		sleep 0.05
	done
}

# nd_signal SIGNAL [SECONDS]: signal the daemon and wait for it to end (and
# for its children: a stalled log is opened first so that they can).
nd_signal() {
	[ "$1" != TERM ] || nd_settled
	nd_children
	ND_STARTED=$(date +%s%N)
	kill "-$1" "$ND_PID"
	nd_wait_exit "${2:-15}"
	valve_stop
	nd_reap_children
}

# nd_reap_children: wait (5 s at most) for the daemon's children to end, then
# kill any left that is still the daemon's spawn server.
nd_reap_children() {
	local c i
	for c in ${ND_CHILDREN:-}; do
		i=0
		while [ -e "/proc/$c" ] && [ "$i" -lt 100 ]; do
			i=$((i + 1))
			sleep 0.05
		done
		if [ "$(tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null)" = "$NETDATA --special-spawn-server " ]; then
			kill -KILL "$c" 2>/dev/null || true
		fi
	done
	ND_CHILDREN=
}

# valve_start PATTERN: the daemon's error log becomes a FIFO read by
# log-valve.py, which copies it to log/error.log and stalls the daemon on its
# next log write once a line holding PATTERN came.
valve_start() {
	mkfifo -m 600 "$ND/log/valve.fifo"
	chown netdata:netdata "$ND/log/valve.fifo"
	nd_config "$ND/log/valve.fifo"
	"$PYTHON3" "$BATS_TEST_DIRNAME/log-valve.py" --fifo "$ND/log/valve.fifo" \
		--out "$ND/log/error.log" --stall-on "$1" --lifetime 60 3>&- &
	VALVE_PID=$!
}

valve_stop() {
	if [ -n "${VALVE_PID:-}" ]; then
		kill "$VALVE_PID" 2>/dev/null || true
		wait "$VALVE_PID" 2>/dev/null || true
		VALVE_PID=
	fi
}

# nd_cleanup: end a daemon, its children and the capture server a failed
# test left behind (by pid: only what this test started).
nd_cleanup() {
	local c
	if [ -n "${ND_PID:-}" ]; then
		nd_children
		kill -KILL "$ND_PID" 2>/dev/null || true
		wait "$ND_PID" 2>/dev/null || true
		ND_PID=
	fi
	valve_stop
	nd_reap_children
	capture_stop
	ns_stop
}

# nd_log: the daemon's log (error log and its own output), for messages.
nd_log() {
	cat "$ND/log/error.log" "$ND/daemon.out" 2>/dev/null | tr -c '[:print:]\n' '?'
}

# wait_file PATH [SECONDS]: wait until PATH exists.
wait_file() {
	local limit=$(( ${2:-10} * 20 )) i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		[ "$i" -le "$limit" ] || { echo "$1 never appeared" >&2; return 1; }
		sleep 0.05
	done
}

# wait_log TEXT [SECONDS]: wait until the daemon's error log holds TEXT.
wait_log() {
	local limit=$(( ${2:-10} * 20 )) i=0
	while ! grep -a -q -F -e "$1" "$ND/log/error.log" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le "$limit" ] || { echo "the daemon never logged: $1" >&2; nd_log | tail -20 >&2; return 1; }
		sleep 0.05
	done
}

# wait_log_count TEXT N [SECONDS]: wait until the error log holds N lines
# with TEXT.
wait_log_count() {
	local limit=$(( ${3:-10} * 20 )) i=0
	while [ "$(grep -a -c -F -e "$1" "$ND/log/error.log" 2>/dev/null)" -lt "$2" ]; do
		i=$((i + 1))
		[ "$i" -le "$limit" ] || { echo "the daemon did not log $2 times: $1" >&2; nd_log | tail -20 >&2; return 1; }
		sleep 0.05
	done
}

# wait_events N [SECONDS]: wait until N requests arrived; print the log if not.
wait_events() {
	capture_wait "$1" "${2:-10}" && return 0
	echo "expected $1 requests, got $(capture_count); the daemon's log:" >&2
	nd_log | grep -a -e anonymous -e FATAL -e EXIT >&2
	return 1
}

# events: EVENT|RESULT|DATA of every request, in the order they arrived.
events() {
	local n
	for n in $(seq 1 "$(capture_count)"); do
		jq -r '[.event, .properties.action_result, .properties.action_data] | join("|")' "$(body "$n")"
	done
}

# every_request_clean [GUID]: each request is valid JSON with exactly the
# documented fields, GUID (default: the daemon's machine GUID, from its
# registry file), facts from our sysinfo, and nothing of the host name or of
# the analytics values the daemon passes.
every_request_clean() {
	local n f guid=${1:-} arch
	[ -n "$guid" ] || guid=$(cat "$ND/lib/registry/netdata.public.unique.id")
	arch=$("$SYSINFO" | sed -n 's/^NETDATA_SYSTEM_ARCHITECTURE=//p')
	[ "$(capture_count)" -gt 0 ]
	for n in $(seq 1 "$(capture_count)"); do
		f=$(body "$n")
		json_valid "$f"
		assert_equal "$(payload_fields "$f")" "$(documented_fields)"
		assert_equal "$(field "$f" .api_key)" "$NETDATA_KEY"
		assert_equal "$(field "$f" .distinct_id)" "$guid"
		assert_equal "$(prop "$f" netdata_version)" "$("$NETDATA" -v | awk '{ print $2 }')"
		assert_equal "$(prop "$f" system_architecture)" "$arch"
		assert_equal "$(sed -n 2p "$CAPTURE_DIR/$n.meta")" /capture/
		run grep -l -i -F -e "$PLANTED_HOST" -e planted-host -e corp.example \
			-e 'Native HTTPS' -e dbengine -e registry.my-netdata.io -e '"stable"' \
			"$f" "$CAPTURE_DIR/$n.meta"
		assert_failure
	done
	# The daemon read a status of 200 and an exit status of 0 every time.
	run grep -a 'Execution of anonymous statistics script returned' "$ND/log/error.log"
	assert_failure
}
