#!/usr/bin/env bats
# The Debian packages installed for real, with dpkg, into minimal bookworm
# roots made by mmdebstrap (check-packages.sh builds both and sets BASE_TAR,
# DEB_DEFAULT, DEB_OPT_IN, DEB_UPGRADE).  One root per variant; the tests of
# each run in order, as an administrator would: install, use, upgrade, purge.

load ../helpers/common
load ../daemon/daemon-helpers
load packaging-helpers

OPT_OUT=etc/netdata/.opt-out-from-anonymous-statistics
PLUGINS=usr/libexec/netdata/plugins.d

setup_file() {
	DEFAULT_ROOT="$BATS_FILE_TMPDIR/default-root"
	OPT_IN_ROOT="$BATS_FILE_TMPDIR/opt-in-root"
	export DEFAULT_ROOT OPT_IN_ROOT
}

setup() {
	unset DO_NOT_TRACK DISABLE_TELEMETRY
	need_base_root
	need_packages "${DEB_DEFAULT:-}" "${DEB_OPT_IN:-}" "${DEB_UPGRADE:-}"
}

teardown() {
	root_daemon_cleanup
	capture_stop
}

@test "default: dpkg -i installs the four packages into a minimal bookworm root" {
	make_root "$DEFAULT_ROOT"
	run dpkg_install "$DEFAULT_ROOT" "$DEB_DEFAULT"
	assert_success
	run in_root "$DEFAULT_ROOT" dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' \
		anonymous-statistics libanonstats0 libanonstats-dev anonstats-daemon
	assert_line "anonymous-statistics ii "
	assert_line "libanonstats0 ii "
	assert_line "libanonstats-dev ii "
	assert_line "anonstats-daemon ii "
}

@test "default: the files are where Netdata keeps its own, and no opt-out file is shipped" {
	[ -e "$DEFAULT_ROOT/var/lib/dpkg/status" ] || skip "the install test did not run"
	assert [ -x "$DEFAULT_ROOT/$PLUGINS/anonymous-statistics.sh" ]
	assert [ -x "$DEFAULT_ROOT/$PLUGINS/sysinfo" ]
	assert [ -x "$DEFAULT_ROOT/usr/sbin/anonstats-daemon" ]
	assert [ -f "$DEFAULT_ROOT/lib/systemd/system/anonstats-daemon.service" ]
	assert [ -f "$DEFAULT_ROOT/usr/include/anonstats.h" ]
	run sh -c 'readelf -d "$1"/usr/lib/*/libanonstats.so.0 | grep SONAME' sh "$DEFAULT_ROOT"
	assert_output --partial '[libanonstats.so.0]'
	assert [ ! -e "$DEFAULT_ROOT/$OPT_OUT" ]
	run in_root "$DEFAULT_ROOT" "/$PLUGINS/sysinfo"
	assert_success
	assert_line --regexp '^NETDATA_SYSTEM_KERNEL_NAME=Linux$'
}

@test "default: the installed script is on and sends START to a loopback endpoint" {
	[ -e "$DEFAULT_ROOT/var/lib/dpkg/status" ] || skip "the install test did not run"
	run in_root "$DEFAULT_ROOT" "/$PLUGINS/anonymous-statistics.sh" --status
	assert_success
	assert_line --index 0 --partial 'anonymous statistics: enabled'
	capture_start
	run send_start "$DEFAULT_ROOT"
	assert_success
	assert_output 200
	run captured_events
	assert_output "START		"
}

@test "default: the package's anonymous-statistics-ctl says status on" {
	[ -e "$DEFAULT_ROOT/var/lib/dpkg/status" ] || skip "the install test did not run"
	assert [ -x "$DEFAULT_ROOT/usr/sbin/anonymous-statistics-ctl" ]
	run in_root "$DEFAULT_ROOT" anonymous-statistics-ctl status
	assert_output --partial on
}

@test "default: the installed daemon sends START and STOP and keeps its GUID in /var/lib/netdata" {
	[ -e "$DEFAULT_ROOT/var/lib/dpkg/status" ] || skip "the install test did not run"
	capture_start
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL ANONYMOUS_STATISTICS_KEY=phc_package_test root_daemon "$DEFAULT_ROOT"
	capture_wait 1
	root_daemon_stop
	capture_wait 2
	run captured_events
	assert_output "START		
STOP	OK	"
	assert [ -s "$DEFAULT_ROOT/var/lib/netdata/machine-guid" ]
	assert [ -s "$DEFAULT_ROOT/var/lib/netdata/anonymous-statistics.log" ]
}

@test "default: purge removes the GUID, the log and the state directory" {
	[ -e "$DEFAULT_ROOT/var/lib/netdata/machine-guid" ] || skip "the daemon test did not run"
	run in_root "$DEFAULT_ROOT" dpkg --purge anonstats-daemon libanonstats-dev libanonstats0 anonymous-statistics
	assert_success
	assert [ ! -e "$DEFAULT_ROOT/var/lib/netdata" ]
	assert [ ! -e "$DEFAULT_ROOT/etc/netdata" ]
	assert [ ! -e "$DEFAULT_ROOT/$PLUGINS" ]
	run in_root "$DEFAULT_ROOT" sh -c 'dpkg -l | grep -e anonstats -e anonymous-statistics'
	assert_output ""
}

@test "default: an opt-out file the user created survives an upgrade (to the opt-in build)" {
	root="$BATS_TEST_TMPDIR/root"
	make_root "$root"
	run dpkg_install "$root" "$DEB_DEFAULT"
	assert_success
	mkdir -p "$root/etc/netdata"
	: >"$root/$OPT_OUT"
	run dpkg_install "$root" "$DEB_UPGRADE"
	assert_success
	assert [ -e "$root/$OPT_OUT" ]
	run in_root "$root" "/$PLUGINS/anonymous-statistics.sh" --status
	assert_output --partial 'disabled'
}

@test "opt-in: the opt-out file is a conffile, so statistics are off from the first moment" {
	make_root "$OPT_IN_ROOT"
	run dpkg_install "$OPT_IN_ROOT" "$DEB_OPT_IN"
	assert_success
	assert [ -f "$OPT_IN_ROOT/$OPT_OUT" ]
	run in_root "$OPT_IN_ROOT" dpkg-query -W -f '${Conffiles}\n' anonymous-statistics
	assert_output --partial "/$OPT_OUT "
	run in_root "$OPT_IN_ROOT" "/$PLUGINS/anonymous-statistics.sh" --status
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 --partial "decided by: file /$OPT_OUT"
	capture_start
	run send_start "$OPT_IN_ROOT"
	assert_success
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL ANONYMOUS_STATISTICS_KEY=phc_package_test root_daemon "$OPT_IN_ROOT"
	sleep 3 # START would leave at once; give it the script's whole bound
	root_daemon_stop
	assert_equal "$(capture_count)" 0
	run grep -c 'START not sent: disabled by' "$DAEMON_LOG"
	assert_output 1
}

@test "opt-in: an opt-out file the user deleted stays deleted after an upgrade to a rebuilt version" {
	[ -e "$OPT_IN_ROOT/$OPT_OUT" ] || skip "the opt-in install test did not run"
	rm "$OPT_IN_ROOT/$OPT_OUT"
	run dpkg_install "$OPT_IN_ROOT" "$DEB_UPGRADE"
	assert_success
	run in_root "$OPT_IN_ROOT" dpkg-query -W -f '${Version}\n' anonymous-statistics
	assert_output --partial '+upgrade1'
	assert [ ! -e "$OPT_IN_ROOT/$OPT_OUT" ]
	capture_start
	run send_start "$OPT_IN_ROOT"
	assert_success
	assert_equal "$(capture_count)" 1
}

@test "opt-in: remove keeps the conffile's state; purge completes past planted names, no GUID" {
	[ -e "$OPT_IN_ROOT/var/lib/dpkg/status" ] || skip "the opt-in install test did not run"
	ANONYMOUS_STATISTICS_URL=http://127.0.0.1:9/capture/ ANONYMOUS_STATISTICS_KEY=phc_package_test root_daemon "$OPT_IN_ROOT"
	root_daemon_stop
	assert [ -s "$OPT_IN_ROOT/var/lib/netdata/machine-guid" ]
	run in_root "$OPT_IN_ROOT" dpkg --remove anonstats-daemon libanonstats-dev libanonstats0 anonymous-statistics
	assert_success
	# Removed, not purged: the deleted conffile is not put back either.
	assert [ ! -e "$OPT_IN_ROOT/$OPT_OUT" ]
	# What the state directory's owner may plant by our names: the purge
	# completes, removes the link (not its target), leaves the rest.
	state="$OPT_IN_ROOT/var/lib/netdata"
	mkdir "$state/anonymous-statistics.log.d" "$state/.anonstats.run-state.x.tmp"
	mkfifo "$state/.anonymous-statistics.fifo"
	ln -s /etc/os-release "$state/anonymous-statistics.link"
	run in_root "$OPT_IN_ROOT" dpkg --purge anonstats-daemon libanonstats-dev libanonstats0 anonymous-statistics
	assert_success
	assert [ -s "$OPT_IN_ROOT/usr/lib/os-release" ]
	run sh -c 'cd "$1" && LC_ALL=C ls -A' sh "$state"
	assert_output ".anonstats.run-state.x.tmp
.anonymous-statistics.fifo
anonymous-statistics.log.d"
	rm -rf "$state"
	assert [ ! -e "$OPT_IN_ROOT/etc/netdata" ]
}
