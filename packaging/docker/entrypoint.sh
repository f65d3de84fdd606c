#!/bin/sh
# entrypoint.sh: the container image's entrypoint.
#
# When DO_NOT_TRACK or DISABLE_TELEMETRY is set to any non-empty value at
# container start, the opt-out file is created in the config directory
# before anything else runs, so that the daemon, the script and the control
# command inside agree that statistics are off, whatever environment a later
# `docker exec` has. Then:
#   no arguments, or options first   run anonstats-daemon in the foreground
#                                    with those options;
#   a command                        run it (sysinfo, a shell, the control
#                                    command...).

# The image's layout (the container tests edit these two lines in a copy).
CONFIG_DIR=/etc/netdata
DAEMON=/usr/sbin/anonstats-daemon

OPT_OUT_FILE=$CONFIG_DIR/.opt-out-from-anonymous-statistics

say() {
	printf 'entrypoint: %s\n' "$*" >&2
}

opt_out_requested() {
	[ -n "${DO_NOT_TRACK-}" ] || [ -n "${DISABLE_TELEMETRY-}" ]
}

# Anything already at the path (file, link, directory, FIFO) opts out by
# itself, so it is left alone: no link is followed, nothing is opened.  A
# new file is created with O_EXCL (noclobber), never through a link.
create_opt_out_file() {
	if [ -e "$OPT_OUT_FILE" ] || [ -L "$OPT_OUT_FILE" ]; then
		return 0
	fi
	mkdir -p "$CONFIG_DIR" 2>/dev/null || return 1
	(set -C && : >"$OPT_OUT_FILE") 2>/dev/null
}

main() {
	if opt_out_requested; then
		# The variable itself still reaches the daemon and keeps it opted
		# out, so a read-only config directory is no reason not to start.
		create_opt_out_file ||
			say "cannot create $OPT_OUT_FILE; statistics stay off through DO_NOT_TRACK/DISABLE_TELEMETRY alone"
	fi
	case ${1-} in
	'' | -*) exec "$DAEMON" --foreground --config-dir "$CONFIG_DIR" "$@" ;;
	*) exec "$@" ;;
	esac
}

main "$@"
