#!/usr/bin/env bats
# One truth about opt-out and level (issue 21): one table of cases run
# through the four views of one machine: `anonymous-statistics.sh --status`,
# `anonstats-daemon --status`, `anonymous-statistics-ctl status` and the
# dashboard's hello.  The first three print the same "anonymous
# statistics:", "decided by:", "reason:" and "level:" lines, word for word;
# the hello's answer, level and reason say the same.  The built-in config
# directory is a temporary one bound over the compiled-in path in a mount
# namespace of each view's own (root, unshare).  Left out of the table:
# the library's owner and link rule for level files and the script's URL
# rule (docs/anonymous-statistics.md says why).

load ../helpers/common
load ../daemon/daemon-helpers
load ../web/web-helpers

DAEMON="$top_builddir/daemon/reference/anonstats-daemon"
SCRIPT="$top_builddir/daemon/anonymous-statistics.sh"
CTL="$top_builddir/scripts/anonymous-statistics-ctl"
OPT_OUT_NAME=.opt-out-from-anonymous-statistics
LEVEL_NAME=anonymous-statistics.level

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root: a mount namespace for the built-in config directory"
	command -v unshare >/dev/null && command -v setpriv >/dev/null || skip "needs unshare and setpriv"
	id nobody >/dev/null 2>&1 || skip "needs the account nobody"
	unshare -m true 2>/dev/null || skip "cannot create a mount namespace here"
	need_dashboard
	command -v curl >/dev/null || skip "no curl"
	unset DO_NOT_TRACK DISABLE_TELEMETRY NETDATA_USER_CONFIG_DIR
	export ANONYMOUS_STATISTICS_KEY=phc_truth
	BUILTIN_PATH=$(sed -n "s/^CONFIG_DIR='\(.*\)'\$/\1/p" "$SCRIPT")
	if [ ! -d "$BUILTIN_PATH" ]; then
		case $BUILTIN_PATH in
		"$top_builddir"/*) mkdir -p "$BUILTIN_PATH" ;;
		*) skip "the built-in config directory $BUILTIN_PATH does not exist" ;;
		esac
	fi
	local d=$BATS_TEST_TMPDIR
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d=${d%/*}
		[ -n "$d" ] || d=/
	done
	T=$BATS_TEST_TMPDIR
	BUILTIN="$T/builtin"
	USERDIR="$T/user"
	# The views, each in a mount namespace where $BUILTIN is the built-in
	# config directory; as nobody when AS is nobody.
	cat >"$T/in-ns" <<EOF
#!/bin/sh
mount --bind '$BUILTIN' '$BUILTIN_PATH' || exit 99
if [ "\$AS" = nobody ]; then
	exec setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups -- "\$@"
fi
exec "\$@"
EOF
	sed -e "s|^SCRIPT=.*|SCRIPT='$SCRIPT'|" "$CTL" >"$T/ctl"
	chmod 755 "$T/in-ns" "$T/ctl"
	SCRIPT_BODY=$(canary_script)
	chmod 755 "$SCRIPT_BODY"
}

teardown() {
	daemon_cleanup
}

# in_ns CMD...: CMD in a mount namespace of its own (see setup).
in_ns() {
	unshare -m --propagation private -- "$T/in-ns" "$@"
}

# fresh: empty config directories and state for the next row.
fresh() {
	rm -rf "$BUILTIN" "$USERDIR" "$T/state"
	mkdir -m 755 "$BUILTIN" "$USERDIR" "$T/state"
	chown nobody "$T/state"
}

# prepare CASE: the files of one row.
prepare() {
	case $1 in
	none | key-none) ;;
	optout-builtin) : >"$BUILTIN/$OPT_OUT_NAME" ;;
	optout-user) : >"$USERDIR/$OPT_OUT_NAME" ;;
	optout-both) : >"$BUILTIN/$OPT_OUT_NAME"; : >"$USERDIR/$OPT_OUT_NAME" ;;
	optout-dangling) ln -s "$T/nowhere" "$USERDIR/$OPT_OUT_NAME" ;;
	builtin-*) printf '%s\n' "${1#builtin-}" >"$BUILTIN/$LEVEL_NAME" ;;
	user-*) printf '%s\n' "${1#user-}" >"$USERDIR/$LEVEL_NAME" ;;
	two-crashes-all) echo crashes >"$BUILTIN/$LEVEL_NAME"; echo all >"$USERDIR/$LEVEL_NAME" ;;
	two-all-off) echo all >"$BUILTIN/$LEVEL_NAME"; echo off >"$USERDIR/$LEVEL_NAME" ;;
	two-crashes-crashes) echo crashes >"$BUILTIN/$LEVEL_NAME"; echo crashes >"$USERDIR/$LEVEL_NAME" ;;
	garbage) echo everything >"$USERDIR/$LEVEL_NAME" ;;
	nul) printf 'al\0l\n' >"$USERDIR/$LEVEL_NAME" ;;
	symlink) echo all >"$T/target" && ln -s "$T/target" "$USERDIR/$LEVEL_NAME" ;;
	fifo) mkfifo "$USERDIR/$LEVEL_NAME" ;;
	directory) mkdir "$USERDIR/$LEVEL_NAME" ;;
	too-large) { echo all; head -c 100 /dev/zero | tr '\0' x; } >"$USERDIR/$LEVEL_NAME" ;;
	unreadable) echo all >"$USERDIR/$LEVEL_NAME" && chmod 600 "$USERDIR/$LEVEL_NAME" ;;
	unsearchable) echo all >"$USERDIR/$LEVEL_NAME" && chmod 700 "$USERDIR" ;;
	esac
}

# the_lines: the lines every status view shares, from standard input.
the_lines() {
	grep -E '^(anonymous statistics:|decided by:|reason:|level:)' || true
}

# hello_answer STATUS_TEXT: what the hello must say for that status, as
# "BOOL|LEVEL|REASON".
hello_answer() {
	local first level decided
	first=$(printf '%s\n' "$1" | sed -n 1p)
	level=$(printf '%s\n' "$1" | sed -n 's/^level: \([a-z]*\).*/\1/p')
	decided=$(printf '%s\n' "$1" | sed -n 's/^decided by: //p' | head -n 1)
	case $first in
	'anonymous statistics: enabled')
		if [ "$level" = all ]; then
			echo "true|all|enabled (level all)"
		else
			echo "false|crashes|enabled for crashes only (level crashes)"
		fi
		;;
	'anonymous statistics: enabled, but not configured'*)
		echo "false|$level|enabled, but not configured: nothing is sent"
		;;
	*)
		case $decided in
		*DO_NOT_TRACK*) echo "false|off|disabled by DO_NOT_TRACK" ;;
		*DISABLE_TELEMETRY*) echo "false|off|disabled by DISABLE_TELEMETRY" ;;
		"level off"*) echo "false|off|disabled by the statistics level" ;;
		file*) echo "false|off|disabled by the opt-out file $OPT_OUT_NAME" ;;
		esac
		;;
	esac
}

# hello: the daemon's hello, as "BOOL|LEVEL|REASON".
hello() {
	curl -s --max-time 5 "$DASH_URL/api/v1/registry?action=hello" |
		sed -n 's/.*"anonymous_statistics":\([a-z]*\),"anonymous_statistics_level":"\([a-z]*\)","anonymous_statistics_reason":"\([^"]*\)".*/\1|\2|\3/p'
}

# check_row NAME AS CASE [VAR=VALUE...]: the four views of one row agree.
check_row() {
	local name=$1 as=$2 case=$3 script_out daemon_out ctl_out rc_daemon rc_ctl want got
	shift 3
	fresh
	prepare "$case"
	[ "$case" != key-none ] || set -- "$@" ANONYMOUS_STATISTICS_KEY=
	script_out=$(AS=$as in_ns env "$@" NETDATA_USER_CONFIG_DIR="$USERDIR" "$SCRIPT" --status 2>&1 | the_lines)
	rc_daemon=0
	daemon_out=$(AS=$as in_ns env "$@" "$DAEMON" --status --config-dir "$USERDIR" \
		--state-dir "$T/state" --script "$SCRIPT_BODY" 2>&1) || rc_daemon=$?
	rc_ctl=0
	ctl_out=$(AS=$as in_ns env "$@" NETDATA_USER_CONFIG_DIR="$USERDIR" "$T/ctl" status 2>&1) || rc_ctl=$?
	[ -n "$script_out" ] || fail "$name: the script said nothing"
	[ "$script_out" = "$daemon_out" ] ||
		fail "$name: the script and the daemon differ:"$'\n'"$script_out"$'\n--- daemon:\n'"$daemon_out"
	[ "$script_out" = "$(printf '%s\n' "$ctl_out" | the_lines)" ] ||
		fail "$name: the script and the ctl differ:"$'\n'"$script_out"$'\n--- ctl:\n'"$ctl_out"
	case $script_out in
	'anonymous statistics: disabled'*) [ "$rc_daemon" = 1 ] && [ "$rc_ctl" = 1 ] ;;
	'anonymous statistics: enabled, but'*) [ "$rc_daemon" = 3 ] && [ "$rc_ctl" = 3 ] ;;
	*) [ "$rc_daemon" = 0 ] && [ "$rc_ctl" = 0 ] ;;
	esac || fail "$name: exit statuses: daemon $rc_daemon, ctl $rc_ctl for: $script_out"
	# The hello: the running daemon's own decision.
	{
		printf '#!/bin/sh\nexec env AS=%s' "$as"
		for a in "$@"; do printf " '%s'" "$a"; done
		printf ' unshare -m --propagation private -- %s %s "$@"\n' "$T/in-ns" "$DAEMON"
	} >"$T/daemon-row"
	chmod 755 "$T/daemon-row"
	dash_start "$T/daemon-row" --config-dir "$USERDIR" --state-dir "$T/state" \
		--script "$SCRIPT_BODY" --web-dir "$T" --posthog-key phc_truth
	want=$(hello_answer "$script_out")
	got=$(hello)
	daemon_stop
	[ "$got" = "$want" ] || fail "$name: the hello says '$got', the status '$want': $script_out"
	printf '# %-28s %s\n' "$name" "$(printf '%s\n' "$script_out" | head -n 2 | tr '\n' ' ')" >&3
}

@test "one table of cases: the script, the daemon, the ctl and the hello agree on every row" {
	check_row "no file, a key" root none
	check_row "no key" root key-none
	check_row "opt-out in the built-in dir" root optout-builtin
	check_row "opt-out in the daemon's dir" root optout-user
	check_row "opt-out in both dirs" root optout-both
	check_row "opt-out a dangling symlink" root optout-dangling
	for v in 1 0 false ''; do
		check_row "DO_NOT_TRACK='$v'" root none DO_NOT_TRACK="$v"
		check_row "DISABLE_TELEMETRY='$v'" root none DISABLE_TELEMETRY="$v"
	done
	check_row "DO_NOT_TRACK and files" root optout-both DO_NOT_TRACK=1
	for l in off crashes all; do
		check_row "level $l, built-in dir" root "builtin-$l"
		check_row "level $l, daemon's dir" root "user-$l"
	done
	check_row "levels crashes and all" root two-crashes-all
	check_row "levels all and off" root two-all-off
	check_row "levels crashes twice" root two-crashes-crashes
	check_row "level garbage" root garbage
	check_row "level with a NUL byte" root nul
	check_row "level a symlink" root symlink
	check_row "level a FIFO" root fifo
	check_row "level a directory" root directory
	check_row "level too large" root too-large
	check_row "level unreadable" nobody unreadable
	check_row "config dir not searchable" nobody unsearchable
	check_row "level crashes, as nobody" nobody user-crashes
}
