#!/usr/bin/env bats
# scripts/install.sh with real builds of this source tree: the opt-out file
# exists at the moment the first file is installed and the service manager is
# first called (a fake systemctl and a wrapped install(1) on PATH record what
# they saw), an update never removes it, and the installed programs agree.
# No key is built in and the URL is a closed loopback port: nothing installed
# here could send anything anywhere.

bats_require_minimum_version 1.5.0
load ctl-helpers

# install_run NAME PREFIX [VAR=VALUE...] ARGS...: run the installer into
# PREFIX with the fakes first on PATH, in an environment without the outer
# make's flags and the opt-out variables, plus the VAR=VALUEs given; its
# stdout, stderr and exit status go to NAME.out, NAME.err and NAME.rc.
# INSTALL_TEST_CFG is where the fakes look.
install_run() {
	local name=$1 prefix=$2 rc=0 assignments=()
	shift 2
	while [[ ${1-} == [A-Z]*=* ]]; do
		assignments+=("$1")
		shift
	done
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u DO_NOT_TRACK -u DISABLE_TELEMETRY \
		PATH="$BATS_FILE_TMPDIR/bin:$PATH" TMPDIR="$BATS_FILE_TMPDIR/tmp" \
		INSTALL_TEST_CFG="$prefix/etc/netdata" INSTALL_TEST_PREFIX="$prefix" \
		INSTALL_TEST_LOG="$BATS_FILE_TMPDIR/$name.events" "${assignments[@]}" \
		sh "$INSTALLER" --prefix "$prefix" "$@" -- CFLAGS=-O0 \
		--cache-file="$BATS_FILE_TMPDIR/config.cache" \
		--with-posthog-url=http://127.0.0.1:1/ \
		>"$BATS_FILE_TMPDIR/$name.out" 2>"$BATS_FILE_TMPDIR/$name.err" || rc=$?
	echo "$rc" >"$BATS_FILE_TMPDIR/$name.rc"
}

setup_file() {
	local bin="$BATS_FILE_TMPDIR/bin" real_install
	mkdir -p "$bin" "$BATS_FILE_TMPDIR/tmp"
	real_install=$(command -v install)
	# What the opt-out file is at this moment.
	cat >"$bin/opt-out-state" <<'EOF'
#!/bin/sh
if [ -e "$INSTALL_TEST_CFG/.opt-out-from-anonymous-statistics" ]; then echo present; else echo absent; fi
EOF
	# install(1), recording each call that installs into the prefix.
	cat >"$bin/install" <<EOF
#!/bin/sh
for a in "\$@"; do
	case \$a in
	"\$INSTALL_TEST_PREFIX"/*) echo "install: opt-out \$(opt-out-state)" >>"\$INSTALL_TEST_LOG"; break ;;
	esac
done
exec '$real_install' "\$@"
EOF
	cat >"$bin/systemctl" <<'EOF'
#!/bin/sh
echo "systemctl $*: opt-out $(opt-out-state)" >>"$INSTALL_TEST_LOG"
EOF
	chmod +x "$bin"/*
	# Two installs here; the update of the first runs in the last test.
	# (DISABLE_TELEMETRY, and everything else install.sh decides, are
	# covered by installer-order.bats without a real build.)
	export OFF="$BATS_FILE_TMPDIR/off" ON="$BATS_FILE_TMPDIR/on"
	install_run off "$OFF" DO_NOT_TRACK=1 --disable-telemetry
	install_run on "$ON"
}

# ran NAME: the run NAME succeeded (else show what it printed).
ran() {
	[ "$(cat "$BATS_FILE_TMPDIR/$1.rc")" = 0 ] ||
		fail "install.sh ($1) failed: $(tail -n 30 "$BATS_FILE_TMPDIR/$1.err")"
}

@test "--disable-telemetry (and DO_NOT_TRACK): the opt-out file exists when the first file is installed and when systemctl is called" {
	ran off
	run cat "$BATS_FILE_TMPDIR/off.events"
	assert_line --index 0 "install: opt-out present"
	refute_line --partial "opt-out absent"
	assert_line "systemctl daemon-reload: opt-out present"
	assert_line "systemctl enable --now $OFF/lib/systemd/system/anonstats-daemon.service: opt-out present"
	assert [ -f "$OFF/etc/netdata/$OPT_OUT_NAME" ]
}

@test "the recording fakes can tell: the statistics-on install saw no opt-out file" {
	ran on
	run cat "$BATS_FILE_TMPDIR/on.events"
	assert_line --index 0 "install: opt-out absent"
	assert_line "systemctl daemon-reload: opt-out absent"
	assert [ ! -e "$ON/etc/netdata/$OPT_OUT_NAME" ]
}

@test "the installed script and control command say off, and name the build's --disable-telemetry" {
	ran off
	run env -u DO_NOT_TRACK -u DISABLE_TELEMETRY "$OFF/libexec/netdata/plugins.d/anonymous-statistics.sh" --status
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 "decided by: file $OFF/etc/netdata/$OPT_OUT_NAME (installed by the build's --disable-telemetry)"
	run env -u DO_NOT_TRACK -u DISABLE_TELEMETRY "$OFF/sbin/anonymous-statistics-ctl" status
	assert_failure 1
	assert_line --index 0 "anonymous statistics: disabled"
}

@test "statistics on: the notice, the control command in sbin, and statistics really on" {
	ran on
	run cat "$BATS_FILE_TMPDIR/on.out"
	assert_line "Anonymous statistics are ON."
	assert_output --partial "$ON/sbin/anonymous-statistics-ctl preview"
	assert [ -x "$ON/sbin/anonymous-statistics-ctl" ]
	run env -u DO_NOT_TRACK -u DISABLE_TELEMETRY -u ANONYMOUS_STATISTICS_KEY "$ON/sbin/anonymous-statistics-ctl" status
	# No key was built in: on, but not configured.
	assert_failure 3
	assert_line --index 0 "anonymous statistics: enabled, but not configured: nothing is sent"
	run env -u DO_NOT_TRACK -u DISABLE_TELEMETRY "$ON/sbin/anonymous-statistics-ctl" off
	assert_success
	assert [ -e "$ON/etc/netdata/$OPT_OUT_NAME" ]
}

@test "make install put the man pages and the statistics page in place" {
	ran on
	local page
	for page in man8/anonymous-statistics.sh.8 man8/sysinfo.8 man8/anonymous-statistics-ctl.8 \
		man8/anonstats-daemon.8 man3/libanonstats.3; do
		assert [ -f "$ON/share/man/$page" ]
	done
	assert [ -f "$ON/share/doc/anonymous-statistics/anonymous-statistics.md" ]
	assert [ -f "$ON/share/doc/anonymous-statistics/payload.md" ]
}

@test "no build directory is left behind" {
	ran off
	run ls -A "$BATS_FILE_TMPDIR/tmp"
	assert_output ""
}

@test "re-running (an update) without the flag keeps the opt-out file, and says so" {
	ran off
	# The last test: the update replaces what the tests above looked at.
	install_run update "$OFF" --dont-start
	ran update
	assert [ -f "$OFF/etc/netdata/$OPT_OUT_NAME" ]
	run cat "$BATS_FILE_TMPDIR/update.err"
	assert_output --partial "anonymous statistics stay off: $OFF/etc/netdata/$OPT_OUT_NAME exists"
	run cat "$BATS_FILE_TMPDIR/update.out"
	refute_output --partial "Anonymous statistics are ON"
	run cat "$BATS_FILE_TMPDIR/update.events"
	refute_output --partial systemctl
	# The new build is a default one; the file it kept still decides.
	run env -u DO_NOT_TRACK -u DISABLE_TELEMETRY "$OFF/libexec/netdata/plugins.d/anonymous-statistics.sh" --status
	assert_line --index 0 "anonymous statistics: disabled"
	assert_line --index 1 "decided by: file $OFF/etc/netdata/$OPT_OUT_NAME"
}
