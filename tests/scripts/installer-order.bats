#!/usr/bin/env bats
# scripts/install.sh against a fake source tree: a configure that records its
# arguments and a Makefile whose make and make install record whether the
# opt-out file exists, a fake systemctl and a fake daemon that do the same.
# Every step appends to one event log, so the order is what the log says.
# (install.bats runs the real build.)

bats_require_minimum_version 1.5.0
load ctl-helpers

setup() {
	T=$BATS_TEST_TMPDIR
	SRC=$T/src
	PREFIX=$T/prefix
	export INSTALL_TEST_LOG=$T/events
	export INSTALL_TEST_CFG=$PREFIX/etc/netdata
	OUT=$INSTALL_TEST_CFG/$OPT_OUT_NAME
	unset DO_NOT_TRACK DISABLE_TELEMETRY MAKEFLAGS MFLAGS MAKELEVEL
	: >"$INSTALL_TEST_LOG"
	mkdir -p "$SRC/scripts" "$T/bin" "$T/tmp"
	export TMPDIR=$T/tmp
	cp "$INSTALLER" "$SRC/scripts/install.sh"
	: >"$SRC/configure.ac"

	# state: "present" or "absent", the opt-out file at this moment.
	cat >"$T/state.sh" <<'EOF'
if [ -e "$INSTALL_TEST_CFG/.opt-out-from-anonymous-statistics" ]; then echo present; else echo absent; fi
EOF
	cat >"$SRC/configure" <<'EOF'
#!/bin/sh
{ printf 'configure'; for a in "$@"; do printf ' [%s]' "$a"; done; echo; } >>"$INSTALL_TEST_LOG"
prefix=/usr/local
for a in "$@"; do case $a in --prefix=*) prefix=${a#*=} ;; esac; done
srcdir=$(cd "$(dirname "$0")" && pwd)
printf 'prefix = %s\nsrcdir = %s\n' "$prefix" "$srcdir" >config.fake
cp "$srcdir/Makefile.fake" Makefile
EOF
	cat >"$SRC/Makefile.fake" <<EOF
include config.fake
STATE = sh '$T/state.sh'
all:
	@echo "make: opt-out \$\$(\$(STATE))" >>'\$(INSTALL_TEST_LOG)'
	@test ! -e '\$(srcdir)/make-fails'
installer-dirs:
	@printf 'configdir=%s\n' '\$(prefix)/etc/netdata'
	@printf 'sbindir=%s\n' '\$(prefix)/sbin'
	@printf 'unitdir=%s\n' '\$(prefix)/lib/systemd/system'
	@printf 'docdir=%s\n' '\$(prefix)/share/doc/anonymous-statistics'
install:
	@echo "make install: opt-out \$\$(\$(STATE))" >>'\$(INSTALL_TEST_LOG)'
	@mkdir -p '\$(prefix)/sbin'
	@cp '\$(srcdir)/fake-daemon' '\$(prefix)/sbin/anonstats-daemon'
EOF
	cat >"$SRC/fake-daemon" <<EOF
#!/bin/sh
echo "anonstats-daemon \$*: opt-out \$(sh '$T/state.sh')" >>"\$INSTALL_TEST_LOG"
EOF
	cat >"$T/bin/systemctl" <<EOF
#!/bin/sh
echo "systemctl \$*: opt-out \$(sh '$T/state.sh')" >>"\$INSTALL_TEST_LOG"
echo "systemctl \$*"
EOF
	chmod +x "$SRC/configure" "$SRC/fake-daemon" "$T/bin/systemctl"
	export PATH="$T/bin:$PATH"
}

# installer ARGS...: run the fake tree's installer, stderr apart.
installer() {
	run --separate-stderr sh "$SRC/scripts/install.sh" --prefix "$PREFIX" "$@"
}

@test "an unknown or misspelled option is exit 2 before anything runs" {
	for args in --disable-telemtry --disable_telemetry --disable-telemetry=yes --dont_start \
		--dont-start=1 --prefx --enable-telemetry -x bogus "$(printf -- '--\033[2J')"; do
		run --separate-stderr sh "$SRC/scripts/install.sh" "$args"
		assert_failure 2
		assert_output ""
		[[ $stderr == *"unknown option '"* ]] || fail "$args: $stderr"
		[[ $stderr != *$'\033'* ]] || fail "an escape byte reached stderr"
	done
	run --separate-stderr sh "$SRC/scripts/install.sh" --prefix
	assert_failure 2
	run --separate-stderr sh "$SRC/scripts/install.sh" --prefix relative/dir
	assert_failure 2
	# A bad option anywhere stops it, after good ones too.
	run --separate-stderr sh "$SRC/scripts/install.sh" --disable-telemetry --dont-start --bogus
	assert_failure 2
	assert_equal "$(cat "$INSTALL_TEST_LOG")" ""
	run ls -A "$T/tmp"
	assert_output ""
	assert [ ! -e "$PREFIX" ]
}

@test "--help says every option and exits 0, running nothing" {
	run sh "$SRC/scripts/install.sh" --help
	assert_success
	for opt in --prefix --disable-telemetry --dont-start --help --; do
		assert_line --regexp "^  $opt( |$)"
	done
	assert_equal "$(cat "$INSTALL_TEST_LOG")" ""
}

@test "--disable-telemetry: the opt-out file exists before make, before make install, before systemctl" {
	installer --disable-telemetry
	assert_success
	run cat "$INSTALL_TEST_LOG"
	assert_line --index 0 "configure [--prefix=$PREFIX] [--disable-telemetry]"
	assert_line --index 1 "make: opt-out present"
	assert_line --index 2 "make install: opt-out present"
	assert_line --index 3 "systemctl daemon-reload: opt-out present"
	assert_line --index 4 "systemctl enable --now $PREFIX/lib/systemd/system/anonstats-daemon.service: opt-out present"
	assert_equal "${#lines[@]}" 5
	assert [ -f "$OUT" ]
	assert [ ! -s "$OUT" ]
	refute_output --partial "Anonymous statistics are ON"
}

@test "DO_NOT_TRACK or DISABLE_TELEMETRY, any non-empty value, opt out the same way" {
	for how in DO_NOT_TRACK=1 DO_NOT_TRACK=0 DISABLE_TELEMETRY=false; do
		rm -rf "$PREFIX"
		: >"$INSTALL_TEST_LOG"
		run --separate-stderr env "$how" sh "$SRC/scripts/install.sh" --prefix "$PREFIX"
		assert_success
		[[ $stderr == *"created $OUT (${how%%=*} is set)"* ]] || fail "$how: $stderr"
		run cat "$INSTALL_TEST_LOG"
		assert_line --index 0 "configure [--prefix=$PREFIX] [--disable-telemetry]"
		assert_line --index 1 "make: opt-out present"
		assert_line --index 2 "make install: opt-out present"
		assert_line --index 3 "systemctl daemon-reload: opt-out present"
	done
}

@test "empty DO_NOT_TRACK and DISABLE_TELEMETRY do not opt out" {
	run --separate-stderr env DO_NOT_TRACK= DISABLE_TELEMETRY= sh "$SRC/scripts/install.sh" --prefix "$PREFIX"
	assert_success
	assert [ ! -e "$OUT" ]
	run cat "$INSTALL_TEST_LOG"
	assert_line --index 0 "configure [--prefix=$PREFIX]"
	assert_line --index 1 "make: opt-out absent"
}

@test "--disable-telemetry given to configure after -- opts out before make too" {
	for opt in --disable-telemetry --enable-telemetry=no; do
		rm -rf "$PREFIX"
		: >"$INSTALL_TEST_LOG"
		installer --dont-start -- "$opt"
		assert_success
		run cat "$INSTALL_TEST_LOG"
		assert_line --index 1 "make: opt-out present"
	done
}

@test "options after -- reach configure word for word" {
	installer --dont-start -- 'CFLAGS=-O0 -g' '--with-configdir=/a dir/it'"'"'s' '--weird=$(x)`y`;z'
	assert_success
	run head -n 1 "$INSTALL_TEST_LOG"
	assert_output "configure [--prefix=$PREFIX] [CFLAGS=-O0 -g] [--with-configdir=/a dir/it's] [--weird=\$(x)\`y\`;z]"
}

@test "--dont-start installs and starts nothing" {
	installer --dont-start --disable-telemetry
	assert_success
	run cat "$INSTALL_TEST_LOG"
	refute_output --partial systemctl
	refute_output --partial anonstats-daemon
	assert_equal "${#lines[@]}" 3
}

@test "statistics on: the notice (what, where documented, preview, off) comes before the daemon starts" {
	installer
	assert_success
	assert [ ! -e "$OUT" ]
	assert_line "Anonymous statistics are ON."
	assert_output --partial "$PREFIX/share/doc/anonymous-statistics/anonymous-statistics.md"
	assert_output --partial "man anonymous-statistics-ctl"
	assert_output --partial "$PREFIX/sbin/anonymous-statistics-ctl preview"
	assert_output --partial "$PREFIX/sbin/anonymous-statistics-ctl off"
	assert_output --partial "Never a host name"
	# The notice is all printed before systemctl runs (it prints its arguments).
	notice_at=$(grep -n 'Anonymous statistics are ON' <<<"$output" | cut -d: -f1)
	off_at=$(grep -n 'anonymous-statistics-ctl off' <<<"$output" | cut -d: -f1)
	systemctl_at=$(grep -n '^systemctl daemon-reload' <<<"$output" | cut -d: -f1)
	assert [ "$notice_at" -lt "$off_at" ]
	assert [ "$off_at" -lt "$systemctl_at" ]
}

@test "re-running or updating without the flag never removes an opt-out file (of any type)" {
	installer --disable-telemetry --dont-start
	assert_success
	assert [ -f "$OUT" ]
	installer --dont-start
	assert_success
	assert [ -f "$OUT" ]
	[[ $stderr == *"anonymous statistics stay off: $OUT exists"* ]] || fail "stderr: $stderr"
	refute_output --partial "Anonymous statistics are ON"
	printf 'keep me\n' >"$OUT"
	installer --disable-telemetry --dont-start
	assert_equal "$(cat "$OUT")" "keep me"
	rm "$OUT"
	ln -s "$T/nowhere" "$OUT"
	installer --disable-telemetry --dont-start
	assert_success
	assert [ -L "$OUT" ]
	assert [ ! -e "$T/nowhere" ]
}

@test "without systemctl the installed daemon is started directly, after the opt-out file" {
	local tools=$T/tools
	tool_path "$tools" sh make dirname mktemp getconf tail rm mkdir tr cat cp
	# Programs, not the shell's builtins: make runs simple commands itself.
	ln -s "$(type -P printf)" "$tools/printf"
	ln -s "$(type -P test)" "$tools/test"
	run --separate-stderr env PATH="$tools" sh "$SRC/scripts/install.sh" --prefix "$PREFIX" --disable-telemetry
	assert_success
	run cat "$INSTALL_TEST_LOG"
	assert_line --index 3 "anonstats-daemon : opt-out present"
}

@test "an opt-out file that cannot be created stops everything before make" {
	mkdir -p "$PREFIX"
	: >"$PREFIX/etc"
	installer --disable-telemetry
	assert_failure
	run cat "$INSTALL_TEST_LOG"
	assert_equal "${#lines[@]}" 1
	assert_line --index 0 --partial "configure"
}

@test "a failing build stops before install and start, shows the log and keeps the build" {
	: >"$SRC/make-fails"
	installer
	assert_failure 1
	run cat "$INSTALL_TEST_LOG"
	refute_output --partial "make install"
	refute_output --partial systemctl
	[[ $stderr == *"the build is kept in $T/tmp/anonymous-statistics-build."* ]] || fail "stderr: $stderr"
}

@test "a successful run leaves no build directory behind" {
	installer --dont-start
	assert_success
	run ls -A "$T/tmp"
	assert_output ""
}

@test "the installer works under dash, bash --posix and BusyBox ash" {
	local shell
	for shell in dash "bash --posix" "busybox ash"; do
		command -v "${shell%% *}" >/dev/null || continue
		rm -rf "$PREFIX"
		: >"$INSTALL_TEST_LOG"
		# shellcheck disable=SC2086
		run --separate-stderr $shell "$SRC/scripts/install.sh" --prefix "$PREFIX" --disable-telemetry -- 'A=b c'
		assert_success
		run cat "$INSTALL_TEST_LOG"
		assert_line --index 0 "configure [--prefix=$PREFIX] [--disable-telemetry] [A=b c]"
		assert_line --index 1 "make: opt-out present"
		# shellcheck disable=SC2086
		run --separate-stderr $shell "$SRC/scripts/install.sh" --disable-telemtry
		assert_failure 2
	done
}
