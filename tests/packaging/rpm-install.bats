#!/usr/bin/env bats
# The RPMs installed for real with `rpm --root` into minimal bookworm roots
# (rpm runs their scriptlets chrooted there).  --nodeps: the root's
# libraries are Debian packages, which rpm's database does not know.
# check-packages.sh sets BASE_TAR, RPM_DEFAULT, RPM_OPT_IN, RPM_UPGRADE.

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
	command -v rpm >/dev/null || skip "rpm is not installed"
	need_packages "${RPM_DEFAULT:-}" "${RPM_OPT_IN:-}" "${RPM_UPGRADE:-}"
}

teardown() {
	root_daemon_cleanup
	capture_stop
}

# rpm_in ROOT ARGS...: rpm acting on ROOT's own database.
rpm_in() {
	local root=$1
	shift
	rpm --root "$root" --dbpath /var/lib/rpm "$@" 2> >(grep -v -e 'use Alien' -e 'what you are doing' >&2)
}

@test "default: rpm -i installs the four packages; the files are in place" {
	make_root "$DEFAULT_ROOT"
	run rpm_in "$DEFAULT_ROOT" -i --nodeps "$RPM_DEFAULT"/*.rpm
	assert_success
	run rpm_in "$DEFAULT_ROOT" -qa --qf '%{NAME}\n'
	assert_line anonymous-statistics
	assert_line anonymous-statistics-libs
	assert_line anonymous-statistics-devel
	assert_line anonstats-daemon
	assert [ -x "$DEFAULT_ROOT/$PLUGINS/anonymous-statistics.sh" ]
	assert [ -x "$DEFAULT_ROOT/$PLUGINS/sysinfo" ]
	assert [ -x "$DEFAULT_ROOT/usr/sbin/anonstats-daemon" ]
	assert [ ! -e "$DEFAULT_ROOT/$OPT_OUT" ]
}

@test "default: the installed daemon sends START and STOP" {
	[ -x "$DEFAULT_ROOT/usr/sbin/anonstats-daemon" ] || skip "the install test did not run"
	capture_start
	ANONYMOUS_STATISTICS_URL=$CAPTURE_URL ANONYMOUS_STATISTICS_KEY=phc_package_test root_daemon "$DEFAULT_ROOT"
	capture_wait 1
	root_daemon_stop
	capture_wait 2
	run captured_events
	assert_output "START		
STOP	OK	"
	assert [ -s "$DEFAULT_ROOT/var/lib/netdata/machine-guid" ]
}

@test "default: erasing removes the GUID, the log and the state directory" {
	[ -e "$DEFAULT_ROOT/var/lib/netdata/machine-guid" ] || skip "the daemon test did not run"
	run rpm_in "$DEFAULT_ROOT" -e anonstats-daemon anonymous-statistics-devel anonymous-statistics-libs anonymous-statistics
	assert_success
	assert [ ! -e "$DEFAULT_ROOT/var/lib/netdata" ]
	assert [ ! -e "$DEFAULT_ROOT/$PLUGINS" ]
}

@test "opt-in: the opt-out file is there on the first install, statistics are off" {
	make_root "$OPT_IN_ROOT"
	run rpm_in "$OPT_IN_ROOT" -i --nodeps "$RPM_OPT_IN"/*.rpm
	assert_success
	assert [ -f "$OPT_IN_ROOT/$OPT_OUT" ]
	run rpm_in "$OPT_IN_ROOT" -qc anonymous-statistics
	assert_output "/$OPT_OUT"
	capture_start
	run send_start "$OPT_IN_ROOT"
	assert_success
	assert_equal "$(capture_count)" 0
	run in_root "$OPT_IN_ROOT" "/$PLUGINS/anonymous-statistics.sh" --status
	assert_output --partial "decided by: file /$OPT_OUT"
}

@test "opt-in: an opt-out file the user deleted stays deleted after an upgrade" {
	[ -e "$OPT_IN_ROOT/$OPT_OUT" ] || skip "the opt-in install test did not run"
	rm "$OPT_IN_ROOT/$OPT_OUT"
	run rpm_in "$OPT_IN_ROOT" -U --nodeps "$RPM_UPGRADE"/*.rpm
	assert_success
	run rpm_in "$OPT_IN_ROOT" -q --qf '%{RELEASE}\n' anonymous-statistics
	assert_output 1.1
	assert [ ! -e "$OPT_IN_ROOT/$OPT_OUT" ]
}

@test "opt-in: a reinstall keeps one the user created again; erase leaves no state" {
	[ -e "$OPT_IN_ROOT/$PLUGINS/anonymous-statistics.sh" ] || skip "the opt-in install test did not run"
	printf 'mine\n' >"$OPT_IN_ROOT/$OPT_OUT"
	run rpm_in "$OPT_IN_ROOT" -U --replacepkgs --nodeps "$RPM_UPGRADE"/*.rpm
	assert_success
	assert_equal "$(cat "$OPT_IN_ROOT/$OPT_OUT")" mine
	ANONYMOUS_STATISTICS_URL=http://127.0.0.1:9/capture/ ANONYMOUS_STATISTICS_KEY=phc_package_test root_daemon "$OPT_IN_ROOT"
	root_daemon_stop
	assert [ -s "$OPT_IN_ROOT/var/lib/netdata/machine-guid" ]
	run rpm_in "$OPT_IN_ROOT" -e anonstats-daemon anonymous-statistics-devel anonymous-statistics-libs anonymous-statistics
	assert_success
	assert [ ! -e "$OPT_IN_ROOT/var/lib/netdata" ]
}
