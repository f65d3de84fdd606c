# Helpers for the dashboard tests: what they need, and the daemon with its
# dashboard on a free loopback port.

# need_dashboard: skip unless this build serves the dashboard.
need_dashboard() {
	grep -q '^#define HAVE_DASHBOARD 1' "$top_builddir/config.h" ||
		skip "anonstats-daemon is built without the dashboard (no libmicrohttpd-dev)"
}

# need_browser: skip unless Chromium, node and playwright-core are there.
need_browser() {
	CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
	[ -x "$CHROMIUM" ] || skip "no $CHROMIUM (Debian's chromium; ./dev.sh deps installs it)"
	command -v node >/dev/null || skip "no node (./dev.sh deps installs nodejs)"
	PLAYWRIGHT_DIR="$top_srcdir/web"
	[ -f "$PLAYWRIGHT_DIR/node_modules/playwright-core/package.json" ] ||
		skip "no playwright-core in web/node_modules (./dev.sh deps runs npm ci there)"
	export CHROMIUM PLAYWRIGHT_DIR
}

# dash_start [ARGS...]: the daemon (daemon_start) with its dashboard on a
# free port; sets DASH_PORT and DASH_URL.
dash_start() {
	daemon_start "$@" --port 0
	local i=0
	while ! grep -q 'dashboard on http://' "$DAEMON_LOG"; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { cat "$DAEMON_LOG" >&2; return 1; }
		sleep 0.02
	done
	DASH_PORT=$(sed -n 's|.*dashboard on http://[^ ]*:\([0-9]*\)/$|\1|p' "$DAEMON_LOG" | head -n 1)
	DASH_URL="http://127.0.0.1:$DASH_PORT"
}
