#!/usr/bin/env bats
# Build and install behaviour a packager relies on: make-time path
# substitution, DESTDIR and prefix overrides, --disable-telemetry.
# Each file-level setup configures the source tree afresh in a VPATH build.

load ../helpers/common

# A nested make must not inherit the outer make's flags or overrides.
nested_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES ${MAKE:-make} "$@"
}

setup_file() {
	CUSTOM="$BATS_FILE_TMPDIR/custom"
	DEFAULT="$BATS_FILE_TMPDIR/default"
	export CUSTOM DEFAULT
	mkdir -p "$CUSTOM/build" "$DEFAULT/build"
	(
		cd "$CUSTOM/build" &&
		"$top_srcdir/configure" -q CFLAGS=-O0 --prefix=/usr \
			--with-configdir=/etc/custom-nd \
			--with-pluginsdir=/usr/lib/custom/plugins.d \
			--with-statedir=/var/lib/custom-nd \
			--with-posthog-url=https://ph.invalid/capture/ \
			--with-posthog-key=phc_TestKey-1 \
			--disable-telemetry &&
		nested_make -s -j2 install DESTDIR="$CUSTOM/stage"
	) >"$BATS_FILE_TMPDIR/custom.log" 2>&1 || { cat "$BATS_FILE_TMPDIR/custom.log" >&3; return 1; }
	(
		cd "$DEFAULT/build" &&
		"$top_srcdir/configure" -q CFLAGS=-O0 &&
		nested_make -s -j2 prefix=/opt/x &&
		nested_make -s install prefix=/opt/x DESTDIR="$DEFAULT/stage"
	) >"$BATS_FILE_TMPDIR/default.log" 2>&1 || { cat "$BATS_FILE_TMPDIR/default.log" >&3; return 1; }
}

@test "the script is installed executable into the configured plugins directory" {
	assert [ -f "$CUSTOM/stage/usr/lib/custom/plugins.d/anonymous-statistics.sh" ]
	assert [ -x "$CUSTOM/stage/usr/lib/custom/plugins.d/anonymous-statistics.sh" ]
}

@test "the sender is installed beside the script, and its old name links to it for one release" {
	plugins="$CUSTOM/stage/usr/lib/custom/plugins.d"
	assert [ -x "$plugins/anonymous-statistics-sender" ]
	assert [ -x "$plugins/sysinfo" ]
	run readlink "$plugins/anonymous-statistics-state"
	assert_success
	assert_output anonymous-statistics-sender
}

@test "the installed script carries the configured directories, URL and key" {
	script="$CUSTOM/stage/usr/lib/custom/plugins.d/anonymous-statistics.sh"
	run grep -c -e "'/etc/custom-nd'" -e "'/usr/lib/custom/plugins.d'" \
		-e "'/var/lib/custom-nd'" -e "'https://ph.invalid/capture/'" -e "'phc_TestKey-1'" "$script"
	assert_output 5
}

@test "no @...@ pattern survives in any installed file" {
	run grep -rIn '@[A-Za-z_][A-Za-z_]*@' "$CUSTOM/stage" "$DEFAULT/stage"
	assert_failure 1
	assert_output ""
}

@test "--disable-telemetry installs an empty opt-out file into the config directory" {
	f="$CUSTOM/stage/etc/custom-nd/.opt-out-from-anonymous-statistics"
	assert [ -f "$f" ]
	assert [ ! -s "$f" ]
}

@test "the default build installs no opt-out file" {
	run find "$DEFAULT/stage" -name '.opt-out-from-anonymous-statistics'
	assert_success
	assert_output ""
}

@test "make prefix=/opt/x moves the script and the paths inside it" {
	script="$DEFAULT/stage/opt/x/libexec/netdata/plugins.d/anonymous-statistics.sh"
	assert [ -x "$script" ]
	run grep -c -e "'/opt/x/etc/netdata'" -e "'/opt/x/libexec/netdata/plugins.d'" \
		-e "'/opt/x/var/lib/netdata'" "$script"
	assert_output 3
}

@test "the installed opt-out file makes the installed script send nothing" {
	# Point the script's config directory into the stage by editing a copy,
	# the way a packager would test a DESTDIR tree.
	script="$CUSTOM/stage/usr/lib/custom/plugins.d/anonymous-statistics.sh"
	sed "s|'/etc/custom-nd'|'$CUSTOM/stage/etc/custom-nd'|" "$script" >"$BATS_TEST_TMPDIR/as.sh"
	capture_start
	ANONYMOUS_STATISTICS_URL="$CAPTURE_URL" run sh "$BATS_TEST_TMPDIR/as.sh" START
	capture_stop
	assert_success
	assert_output ""
	assert_equal "$(capture_count)" 0
}

@test "make uninstall removes what make install put there, opt-out file included" {
	(cd "$CUSTOM/build" && nested_make -s uninstall DESTDIR="$CUSTOM/stage")
	run find "$CUSTOM/stage" -type f
	assert_output ""
}

@test "configure refuses a PostHog key that could break out of the script" {
	mkdir "$BATS_TEST_TMPDIR/bad" && cd "$BATS_TEST_TMPDIR/bad"
	run "$top_srcdir/configure" -q "--with-posthog-key=abc'def"
	assert_failure
	assert_output --partial "may hold only letters"
}

@test "configure applies the script's URL rule to --with-posthog-url" {
	mkdir "$BATS_TEST_TMPDIR/bad" && cd "$BATS_TEST_TMPDIR/bad"
	for url in http://127.0.0.08/capture/ 'http://[::1]1/' 'https://ph.example/a[1-40]/' \
		http://127.0.0.1.example.invalid/; do
		run "$top_srcdir/configure" -q "--with-posthog-url=$url"
		assert_failure
		assert_output --partial "--with-posthog-url"
	done
}
