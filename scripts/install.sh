#!/bin/sh
# install.sh: build anonymous-statistics from this source tree and install it.
#
#   scripts/install.sh [--prefix DIR] [--disable-telemetry] [--dont-start] [-- CONFIGURE-OPTIONS]
#
# The order is the point: every option is checked before anything runs; when
# statistics are to be off (--disable-telemetry, DO_NOT_TRACK or
# DISABLE_TELEMETRY non-empty, or --disable-telemetry among the configure
# options) the opt-out file is created in the configured config directory
# right after configure, before make, before the first file is installed and
# before anything is started.  An update (a daemon already running) thus
# never runs a new script that has not seen the file.  No run ever removes an
# opt-out file.

PROG=install.sh
OPT_OUT_FILE=.opt-out-from-anonymous-statistics
EX_USAGE=2

LC_ALL=C
export LC_ALL
IFS='
	 '
umask 022

usage() {
	cat <<EOF
Usage: scripts/install.sh [OPTIONS] [-- CONFIGURE-OPTIONS]

Build anonymous-statistics from this source tree (configure, make, make
install) and start its daemon.

Options:
  --prefix DIR         install under DIR [/usr/local]
  --disable-telemetry  switch anonymous statistics off: the opt-out file is
                       created before anything is installed or started
                       (DO_NOT_TRACK or DISABLE_TELEMETRY set to any non-empty
                       value in the environment does the same)
  --dont-start         install only; start nothing
  --help               this text
  --                   what follows goes to configure as it is
                       (e.g. -- --with-configdir=/etc/netdata)

An unknown option is an error (exit 2) before anything is built.
EOF
}

say() {
	printf '==> %s\n' "$*" >&2
}

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

# printable VALUE: VALUE cut short and with unusual bytes masked, for messages.
printable() {
	printf '%.60s' "$1" | tr -c 'A-Za-z0-9_.:/=+-' '?'
}

usage_error() {
	printf '%s: %s\n' "$PROG" "$1" >&2
	printf 'Options: --prefix DIR, --disable-telemetry, --dont-start, --help; configure options go after --\n' >&2
	exit "$EX_USAGE"
}

# run_logged WHAT COMMAND...: run COMMAND with its output in the build log;
# on failure show the end of the log and stop.
run_logged() {
	say "$1"
	shift
	if ! "$@" >>"$BUILD_LOG" 2>&1; then
		tail -n 40 "$BUILD_LOG" >&2
		die "failed: $*; the build is kept in $BUILD_DIR"
	fi
}

# read_dirs: the installation directories of the configured tree, as the
# Makefile computes them (KEY=VALUE lines, read as data).
read_dirs() {
	CONFIGDIR=''
	SBINDIR=''
	UNITDIR=''
	DOCDIR=''
	dirs=$("$MAKE_CMD" -s -C "$BUILD_DIR" installer-dirs) || die "cannot read the installation directories"
	while IFS= read -r line; do
		case $line in
		configdir=/*) CONFIGDIR=${line#*=} ;;
		sbindir=/*) SBINDIR=${line#*=} ;;
		unitdir=/*) UNITDIR=${line#*=} ;;
		docdir=/*) DOCDIR=${line#*=} ;;
		esac
	done <<EOF
$dirs
EOF
	if [ -z "$CONFIGDIR" ] || [ -z "$SBINDIR" ] || [ -z "$UNITDIR" ] || [ -z "$DOCDIR" ]; then
		die "cannot read the installation directories"
	fi
}

# opt_out: create the opt-out file (never truncating or replacing one).
opt_out() {
	file=$CONFIGDIR/$OPT_OUT_FILE
	if [ -e "$file" ] || [ -L "$file" ]; then
		say "anonymous statistics stay off: $file exists"
		return 0
	fi
	mkdir -p "$CONFIGDIR" || die "cannot create $CONFIGDIR"
	(set -C && : >"$file") || [ -e "$file" ] || die "cannot create $file"
	say "anonymous statistics are off: created $file ($WHY_OFF)"
}

# notice: what a person should know when statistics stay on.
notice() {
	cat <<EOF

Anonymous statistics are ON.
  The daemon sends one anonymous event when it starts, stops, crashes or fails
  to reach its cloud: the event, its version, and the OS, kernel, architecture,
  virtualization and container it runs on. Never a host name, IP address, MAC,
  user name or path.
  Documented in:  $DOCDIR/anonymous-statistics.md, man anonymous-statistics-ctl
  See it:         $SBINDIR/anonymous-statistics-ctl preview
  Switch it off:  $SBINDIR/anonymous-statistics-ctl off
                  (or level crashes: crash reports only; or DO_NOT_TRACK=1)

EOF
}

# start_daemon: through systemd when there is a systemctl, else directly.
start_daemon() {
	if command -v systemctl >/dev/null 2>&1; then
		say "starting anonstats-daemon (systemctl)"
		if ! systemctl daemon-reload ||
			! systemctl enable --now "$UNITDIR/anonstats-daemon.service"; then
			die "installed, but systemctl could not start anonstats-daemon"
		fi
	else
		say "starting anonstats-daemon"
		"$SBINDIR/anonstats-daemon" || die "installed, but anonstats-daemon did not start"
	fi
}

main() {
	prefix=/usr/local
	disable=no
	start=yes
	while [ $# -gt 0 ]; do
		case $1 in
		--prefix)
			[ $# -ge 2 ] || usage_error '--prefix needs a directory'
			prefix=$2
			shift
			;;
		--prefix=*) prefix=${1#*=} ;;
		--disable-telemetry) disable=yes ;;
		--dont-start) start=no ;;
		--help | -h) usage; exit 0 ;;
		--) shift; break ;;
		*) usage_error "unknown option '$(printable "$1")'" ;;
		esac
		shift
	done
	case $prefix in
	/*) ;;
	*) usage_error "--prefix must be an absolute directory: '$(printable "$prefix")'" ;;
	esac
	# What is left goes to configure; an opt-out given there counts too.
	WHY_OFF='--disable-telemetry'
	for arg in "$@"; do
		case $arg in
		--disable-telemetry | --enable-telemetry=no) disable=yes ;;
		esac
	done
	if [ "$disable" = no ] && [ -n "${DO_NOT_TRACK-}" ]; then
		disable=yes WHY_OFF='DO_NOT_TRACK is set'
	fi
	if [ "$disable" = no ] && [ -n "${DISABLE_TELEMETRY-}" ]; then
		disable=yes WHY_OFF='DISABLE_TELEMETRY is set'
	fi
	[ "$disable" = no ] || set -- --disable-telemetry "$@"

	SRC_DIR=$(cd "$(dirname "$0")/.." && pwd) || die "cannot find the source tree"
	[ -f "$SRC_DIR/configure.ac" ] || die "$SRC_DIR is not the source tree"
	MAKE_CMD=${MAKE:-make}
	command -v "$MAKE_CMD" >/dev/null 2>&1 || die "make is not installed"
	jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || jobs=1
	case $jobs in '' | *[!0-9]*) jobs=1 ;; esac

	BUILD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/anonymous-statistics-build.XXXXXX") ||
		die "cannot create a build directory"
	BUILD_LOG=$BUILD_DIR/install.log
	if [ ! -x "$SRC_DIR/configure" ]; then
		run_logged 'autoreconf' autoreconf -fi "$SRC_DIR"
	fi
	(cd "$BUILD_DIR" && run_logged "configure --prefix=$prefix" "$SRC_DIR/configure" --prefix="$prefix" "$@") ||
		exit 1
	read_dirs
	# Before make: nothing built or installed can run without seeing it.
	[ "$disable" = no ] || opt_out
	run_logged 'make' "$MAKE_CMD" -C "$BUILD_DIR" -j "$jobs"
	run_logged 'make install' "$MAKE_CMD" -C "$BUILD_DIR" install
	rm -rf "$BUILD_DIR"

	if [ "$disable" = no ]; then
		if [ -e "$CONFIGDIR/$OPT_OUT_FILE" ] || [ -L "$CONFIGDIR/$OPT_OUT_FILE" ]; then
			say "anonymous statistics stay off: $CONFIGDIR/$OPT_OUT_FILE exists (anonymous-statistics-ctl on switches them on)"
		else
			notice
		fi
	fi
	if [ "$start" = yes ]; then
		start_daemon
	else
		say "installed; nothing started (--dont-start)"
	fi
}

main "$@"
