#!/bin/sh
# dev.sh: the README's quick start, for a Debian machine.
#   ./dev.sh demo   install what is missing, build, run the demo
#   ./dev.sh test   install what is missing, build, run every test (make check)
#   ./dev.sh deps   only install what is missing
#   ./dev.sh packages  also install the packaging tools, build, then build,
#                   lint and install the .debs, RPMs and container image
#                   (make check-packages; root, about 6 minutes)
# The build lives in ./build (a VPATH build), installed under ./build/inst.
set -eu

# Debian packages the build, the tests and the demo need.  netdata-core is
# the real Netdata 1.37 daemon for tests/netdata, run in a network namespace
# of its own (set up with iproute2's ip).  Its postinst starts no daemon where
# systemd is not running (a container); on a systemd host it starts the
# system service, which uses /etc/netdata (where Debian ships the opt-out
# file) and which the tests never touch.
DEPS='build-essential autoconf automake libtool pkg-config
bats bats-assert bats-support shellcheck jq python3 curl wget openssl ca-certificates
dash busybox gawk valgrind strace procps util-linux clang libclang-rt-14-dev clang-format netdata-core iproute2
groff-base man-db
libmicrohttpd-dev chromium nodejs'

# npm comes with nodejs from some sources (NodeSource's package conflicts
# with Debian's npm): Debian's npm is asked for only when no npm is there.
# `npm ci` in web/ then installs what package-lock.json pins: posthog-js,
# which make install puts beside the dashboard page, and playwright-core,
# which drives /usr/bin/chromium in tests/web (it downloads no browser).

# Debian packages make check-packages needs on top: the Debian and RPM
# package tools, a minimal root for the install tests, podman for the image.
PACKAGING_DEPS='debhelper dpkg-dev fakeroot lintian rpm rpmlint mmdebstrap
piuparts podman runc uidmap'

top=$(cd "$(dirname "$0")" && pwd)
build="$top/build"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'dev.sh: %s\n' "$*" >&2; exit 1; }

missing_deps() {
	for pkg in $DEPS ${WITH_PACKAGING:+$PACKAGING_DEPS}; do
		status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) || status=
		case "$status" in
		*" installed") ;;
		*) printf '%s\n' "$pkg" ;;
		esac
	done
	command -v npm >/dev/null 2>&1 || printf '%s\n' npm
}

# The dashboard's npm packages, as web/package-lock.json pins them.
install_npm() {
	command -v npm >/dev/null 2>&1 || die "npm is missing: install it (Debian: npm)"
	if [ -f "$top/web/node_modules/.package-lock.json" ] &&
		cmp -s "$top/web/package-lock.json" "$top/web/node_modules/.lock-installed"; then
		return 0
	fi
	say "npm ci in web/"
	(cd "$top/web" && npm ci --no-audit --no-fund --ignore-scripts) &&
		cp "$top/web/package-lock.json" "$top/web/node_modules/.lock-installed"
}

install_deps() {
	command -v dpkg-query >/dev/null 2>&1 || die "not a Debian system: install these by hand: $DEPS"
	missing=$(missing_deps)
	[ -n "$missing" ] || { install_npm; return 0; }
	say "installing: $(printf '%s' "$missing" | tr '\n' ' ')"
	if [ "$(id -u)" -eq 0 ]; then
		set -- env
	elif command -v sudo >/dev/null 2>&1; then
		set -- sudo env
	else
		die "run as root, or install these first: $missing"
	fi
	"$@" DEBIAN_FRONTEND=noninteractive apt-get update -q
	# shellcheck disable=SC2086 # one word per package
	"$@" DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
	install_npm
}

build() {
	if [ ! -x "$top/configure" ]; then
		say "autoreconf"
		(cd "$top" && autoreconf -fi)
	fi
	mkdir -p "$build"
	if [ ! -f "$build/Makefile" ]; then
		say "configure"
		# --enable-fuzzing: fail here, not skip later, if clang lacks libFuzzer
		(cd "$build" && "$top/configure" --enable-werror --enable-fuzzing --prefix="$build/inst")
	fi
	say "make"
	make -C "$build" -j2
}

run_tests() {
	status=0
	make -C "$build" -j2 check VERBOSE=1 || status=$?
	log="$build/test-suite.log"
	if [ -f "$log" ]; then
		pass=$(sed -n 's/^# PASS: *//p' "$log" | head -n 1)
		fail=$(sed -n 's/^# FAIL: *//p' "$log" | head -n 1)
		skip=$(sed -n 's/^# SKIP: *//p' "$log" | head -n 1)
		err=$(sed -n 's/^# ERROR: *//p' "$log" | head -n 1)
		printf 'tests: %s passed, %s failed, %s skipped\n' \
			"${pass:-0}" "$(( ${fail:-0} + ${err:-0} ))" "${skip:-0}"
	fi
	return "$status"
}

case "${1-}" in
deps) install_deps ;;
test) install_deps; build; run_tests ;;
packages) WITH_PACKAGING=yes install_deps; build; make -C "$build" check-packages ;;
demo) install_deps; build; make -C "$build" install >/dev/null; sh "$top/demo/demo.sh" "$build/inst" ;;
*) printf 'usage: %s demo|test|deps|packages\n' "$0" >&2; exit 2 ;;
esac
