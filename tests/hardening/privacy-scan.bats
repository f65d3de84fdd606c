#!/usr/bin/env bats
# Privacy scan: every event, run by the script and by the reference daemon,
# on a "machine" whose identifiers are planted and known: its own UTS,
# network and mount namespaces, a host name, a user name (root's entry in a
# private /etc/passwd, with its home under a private /home), an interface
# with an IPv4, an IPv6 and a MAC address (dummy, or veth), a working directory, and the
# variables a login sets.  The real sysinfo gathers the facts.  No marker,
# in any spelling, may appear in any byte a request carried (request line,
# headers, body: the capture server keeps them raw), in any state file (the
# log of sent events among them), or in the --dry-run output.
# tests/script/privacy.bats proves the cleaning of what callers pass.

load hardening-helpers
load ../daemon/daemon-helpers

setup() {
	local t tool
	[ "$(id -u)" -eq 0 ] || skip "needs root for the namespaces and the planted files"
	for tool in unshare nsenter ip; do
		command -v "$tool" >/dev/null || skip "needs $tool (util-linux, iproute2)"
	done
	unshare --uts --net --mount true 2>/dev/null ||
		skip "UTS, network or mount namespaces are not allowed here"
	script_setup
	ulimit -c 0
	# A token of letters g-z: never part of a hex GUID or a timestamp.
	t=$(tr -dc 'g-z' </dev/urandom | head -c 10)
	HOST_M="priv-host-$t.corp-$t.example"
	USER_M="privuser$t"
	HOME_M="/home/$USER_M"
	CWD_M="$BATS_TEST_TMPDIR/work-$t/src"
	read -r a b c d e f <<<"$(od -An -N6 -tu1 /dev/urandom)"
	IP4="10.77.$((a % 254 + 1)).$((b % 254 + 1))"
	IP6="fd77:$(printf '%02x%02x:%02x%02x' "$c" "$d" "$e" "$f")::7"
	MAC=$(printf '02:5a:%02x:%02x:%02x:%02x' "$c" "$d" "$e" "$f")
	TOKEN=$t
	mkdir -p "$CWD_M"
	ns_up
	serve_in_ns
	export ANONYMOUS_STATISTICS_URL="http://127.0.0.1:$(cat "$CAPTURE_DIR/port")/capture/"
	export ANONYMOUS_STATISTICS_SYSINFO=$SYSINFO
	export HOSTNAME=$HOST_M USER=$USER_M LOGNAME=$USER_M HOME=$HOME_M MAIL=/var/mail/$USER_M
	CFG="$BATS_TEST_TMPDIR/config"
	mkdir -p "$CFG"
}

teardown() {
	local p
	for p in ${CAPTURE_PID:-} ${NS_PID:-}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# ns CMD...: CMD on the planted machine, in the marked working directory.
ns() {
	nsenter --target "$NS_PID" --net --uts --mount --wd="$CWD_M" -- "$@"
}

# ns_up: the namespaces (a holder process keeps them), loopback, the
# planted interface, host name and files; fails unless they took.
ns_up() {
	local ours i=0
	ours=$(readlink /proc/self/ns/net)
	unshare --uts --net --mount --propagation private -- "$PYTHON3" -c 'import time; time.sleep(120)' 3>&- &
	NS_PID=$!
	while [ "$(readlink "/proc/$NS_PID/ns/net" 2>/dev/null)" = "$ours" ]; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { echo "the namespace did not come up" >&2; return 1; }
		sleep 0.01
	done
	ns ip link set lo up
	# A dummy interface, or where the kernel has none, a veth pair whose
	# other end stays in the namespace too.
	ns ip link add priv0 type dummy 2>/dev/null || {
		ns ip link add priv0 type veth peer name priv1 && ns ip link set priv1 up
	} || skip "no dummy or veth interfaces in this kernel"
	ns ip link set priv0 address "$MAC"
	ns ip addr add "$IP4/24" dev priv0
	ns ip addr add "$IP6/64" dev priv0 nodad
	ns ip link set priv0 up
	ns hostname "$HOST_M"
	local etc="$BATS_TEST_TMPDIR/etc"
	mkdir -p "$etc"
	{ echo "$USER_M:x:0:0:$USER_M:$HOME_M:/bin/sh"; cat /etc/passwd; } >"$etc/passwd"
	echo "$HOST_M" >"$etc/hostname"
	{ cat /etc/hosts; echo "$IP4 $HOST_M ${HOST_M%%.*}"; } >"$etc/hosts"
	chmod 644 "$etc"/*
	ns sh -c 'for f in passwd hostname hosts; do mount --bind "$1/$f" "/etc/$f" || exit 1; done
		mount -t tmpfs -o mode=755 priv-home /home && mkdir -m 700 "$2"' - "$etc" "$HOME_M"
	# The machine is what it claims: whoami, uname -n, the interface.
	[ "$(ns id -un)" = "$USER_M" ] || { echo "the user name was not planted" >&2; return 1; }
	[ "$(ns uname -n)" = "$HOST_M" ] || { echo "the host name was not planted" >&2; return 1; }
	ns ip addr show dev priv0 | grep -q -F "$IP4" || return 1
	ns ip link show dev priv0 | grep -q -F "$MAC" || return 1
	# The link-local address the kernel derives from the MAC is one more.
	LINK6=$(ns ip -6 -o addr show dev priv0 scope link | awk '{ sub("/.*", "", $4); print $4 }')
}

# serve_in_ns: the capture server on the planted machine's loopback.
serve_in_ns() {
	local i=0
	CAPTURE_DIR="$BATS_TEST_TMPDIR/capture"
	mkdir -p "$CAPTURE_DIR"
	nsenter --target "$NS_PID" --net -- "$PYTHON3" "$top_srcdir/tests/helpers/capture-server.py" \
		--dir "$CAPTURE_DIR" --mode ok --lifetime 120 3>&- &
	CAPTURE_PID=$!
	while [ ! -s "$CAPTURE_DIR/port" ]; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { echo "capture server did not start" >&2; return 1; }
		sleep 0.025
	done
}

# markers: every planted identifier, one a line, in every spelling a
# program might print it in (grep -i takes care of case).
markers() {
	local ip4=$IP4 mac=$MAC
	printf '%s\n' "$TOKEN" "$HOST_M" "${HOST_M%%.*}" "$USER_M" "$HOME_M" "$CWD_M" \
		"$ip4" "${ip4//./-}" "${ip4//./,}" "${ip4//./_}" "$IP6" "${IP6%%::*}" \
		"$mac" "${mac//:/}" "${mac//:/-}" "${mac//:/.}" "${mac#02:5a:}"
	[ -z "${LINK6:-}" ] || printf '%s\n' "$LINK6" "${LINK6#fe80::}"
}

# leaks WHAT FILE...: fail when any marker is in any FILE.
leaks() {
	local what=$1 found
	shift
	markers >"$BATS_TEST_TMPDIR/markers"
	found=$(grep -a -i -F -o -f "$BATS_TEST_TMPDIR/markers" "$@" | sort -u) || true
	[ -z "$found" ] || fail "$what: planted markers found: $found"
}

# scanned_files STATE_DIR...: every request the server kept (raw) and every
# file of STATE_DIR...
scanned_files() {
	find "$CAPTURE_DIR" -name '*.raw'
	find "$@" -type f 2>/dev/null
}

@test "control: the scan finds a marker where one is" {
	ns sh -c 'echo "x $(uname -n) y" >"$1"' - "$BATS_TEST_TMPDIR/control"
	run leaks control "$BATS_TEST_TMPDIR/control"
	assert_failure
	assert_output --partial "${HOST_M%%.*}"
	printf '%s\n' "$MAC" | tr 'a-f:' 'A-F-' >"$BATS_TEST_TMPDIR/control"
	run leaks control "$BATS_TEST_TMPDIR/control"
	assert_failure
}

@test "the script, every event, on the planted machine: no marker in any request, log or dry run" {
	local n=${#EVENTS[@]} staged
	staged=$(staged_script "$CFG")
	# And a FATAL whose arguments carry the planted address and path.
	EVENTS+=("FATAL netdata:STREAM_RECEIVER[$IP4:19999] main:$CWD_M/main.c:12")
	n=$((n + 1))
	# The dry runs first (a FATAL sent is not built again for 24 h).
	# Only what the script printed: the driver's own "EVENT: STATUS" goes.
	ns bash -c "$EACH_EVENT" - "$staged" "$n" --dry-run "${EVENTS[@]}" |
		sed -n 's/^.*: 0 {/{/p' >"$BATS_TEST_TMPDIR/dry-run"
	assert_equal "$(grep -c '"api_key"' "$BATS_TEST_TMPDIR/dry-run")" "$n"
	run ns bash -c "$EACH_EVENT" - "$staged" "$n" "" "${EVENTS[@]}"
	assert_success
	[ "$(grep -c -E ': 0 200$' <<<"$output")" -eq "$n" ] || fail "not every event was sent: $output"
	assert_equal "$(requests "$CAPTURE_DIR")" "$n"
	# The real sysinfo ran, on this machine.
	assert_equal "$(prop "$CAPTURE_DIR/1.body" system_kernel_name)" Linux
	assert [ -s "$ANONYMOUS_STATISTICS_STATE_DIR/anonymous-statistics.log" ]
	mapfile -t files < <(scanned_files "$ANONYMOUS_STATISTICS_STATE_DIR")
	leaks script "${files[@]}" "$BATS_TEST_TMPDIR/dry-run"
}

@test "the reference daemon, every event, on the planted machine: no marker in any request or state file" {
	local staged
	staged=$(staged_script "$CFG")
	run ns "$BATS_TEST_DIRNAME/daemon-events.sh" "$DAEMON" "$SEND" "$staged" "$CFG" \
		"$BATS_TEST_TMPDIR/dstate" http://127.0.0.1:9/ all
	assert_success
	# Every kind arrived (a START just before a kill or a crash may not).
	sleep 0.5
	run captured_events
	local a
	for a in START CLOUD_CONNECT_FAIL STOP META_START META CLOUD_DISABLED CLOUD_BUILD_FAIL \
		FATAL CRASH INCOMPLETE_SHUTDOWN; do
		assert_line --regexp "^$a	"
	done
	# ANONSTATS_FATAL and the crash handler (which UBSan pre-empts).
	assert_equal "$(grep -c '^FATAL' <<<"$output")" "$([ "$SEGV_HANDLED" = yes ] && echo 2 || echo 1)"
	assert [ -s "$ANONYMOUS_STATISTICS_STATE_DIR/anonymous-statistics.log" ]
	mapfile -t files < <(scanned_files "$ANONYMOUS_STATISTICS_STATE_DIR" "$BATS_TEST_TMPDIR/dstate")
	leaks daemon "${files[@]}"
}
