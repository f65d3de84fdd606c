# Helpers for the package install tests (run by check-packages.sh): fresh
# Debian roots from the base tarball, commands run inside them, and skips
# that say why a test cannot run here.

# need_base_root: skip unless a base root tarball and root privileges exist.
need_base_root() {
	[ -n "${BASE_TAR:-}" ] && [ -s "$BASE_TAR" ] ||
		skip "no base root tarball (mmdebstrap missing or failed; BASE_TAR='${BASE_TAR:-}')"
	[ "$(id -u)" -eq 0 ] || skip "installing into a root needs root privileges"
	command -v unshare >/dev/null || skip "unshare is not installed"
}

# need_packages DIR...: skip unless every DIR holds packages.
need_packages() {
	local d f
	for d in "$@"; do
		for f in "$d"/*.deb "$d"/*.rpm; do
			[ -e "$f" ] && continue 2
		done
		skip "no packages in '$d' (their build was skipped or failed)"
	done
}

# make_root DIR: a fresh minimal Debian root in DIR.
make_root() {
	mkdir -p "$1"
	tar -xf "$BASE_TAR" -C "$1"
}

# in_root ROOT COMMAND...: COMMAND inside ROOT, with a /proc of its own
# (a private mount namespace: nothing stays mounted), in the host's network
# namespace so that it reaches the loopback capture server.  Only the
# variables named here get in.
in_root() {
	(exec_in_root "$@")
}

# exec_in_root ROOT COMMAND...: in_root, replacing the calling (sub)shell,
# so that $! of `(exec_in_root ...) &` is the command's own pid.
exec_in_root() {
	local root=$1
	shift
	exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
		${ANONYMOUS_STATISTICS_URL:+ANONYMOUS_STATISTICS_URL=$ANONYMOUS_STATISTICS_URL} \
		${ANONYMOUS_STATISTICS_KEY:+ANONYMOUS_STATISTICS_KEY=$ANONYMOUS_STATISTICS_KEY} \
		${DO_NOT_TRACK:+DO_NOT_TRACK=$DO_NOT_TRACK} \
		unshare --mount-proc="$root/proc" chroot "$root" "$@"
}

# copy_in ROOT DIR: the packages of DIR into ROOT's /tmp/DIR-basename.
copy_in() {
	local dest="$1/tmp/$(basename "$2")"
	mkdir -p "$dest"
	cp "$2"/*.*deb "$dest"/ 2>/dev/null || cp "$2"/*.rpm "$dest"/
	echo "/tmp/$(basename "$2")"
}

# dpkg_install ROOT DIR: dpkg -i every package of DIR (no debug symbols).
dpkg_install() {
	local inside
	inside=$(copy_in "$1" "$2")
	in_root "$1" sh -c 'dpkg -i $(ls "$1"/*.deb | grep -v -e -dbgsym_) </dev/null' sh "$inside"
}

# root_daemon ROOT [ARGS]: the installed daemon in ROOT, in the background,
# its log in $DAEMON_LOG; waits until it is ready.
root_daemon() {
	local root=$1 i=0
	shift
	DAEMON_LOG="$BATS_TEST_TMPDIR/daemon.log"
	(exec_in_root "$root" /usr/sbin/anonstats-daemon -f "$@") 2>"$DAEMON_LOG" 3>&- &
	DAEMON_PID=$!
	while ! grep -q 'ready (pid' "$DAEMON_LOG"; do
		kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$DAEMON_LOG" >&2; return 1; }
		i=$((i + 1))
		[ "$i" -lt 250 ] || { echo "daemon did not get ready" >&2; return 1; }
		sleep 0.02
	done
}

# root_daemon_stop: SIGTERM and wait (STOP is bounded to 2 s).
root_daemon_stop() {
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || return
	DAEMON_PID=
}

root_daemon_cleanup() {
	if [ -n "${DAEMON_PID:-}" ]; then
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
		DAEMON_PID=
	fi
}

# send_start ROOT: the installed script sends START to the capture server.
send_start() {
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL ANONYMOUS_STATISTICS_KEY=phc_package_test \
		in_root "$1" /usr/libexec/netdata/plugins.d/anonymous-statistics.sh START
}
