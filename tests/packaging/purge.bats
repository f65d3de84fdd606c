#!/usr/bin/env bats
# The purge scripts (the Debian postrm files, the RPM %postun scriptlets
# taken from the spec) run against a temporary state directory in which
# the directory's owner planted directories, FIFOs and symlinks by our
# names: they always complete, remove only our regular files and symlinks
# (never a link's target), and touch nothing else.  The packages installed
# for real are make check-packages (deb-install.bats, rpm-install.bats).

load ../helpers/common

DEBIAN="$top_srcdir/packaging/debian"
RPM_SPEC_IN="$top_srcdir/packaging/rpm/anonymous-statistics.spec.in"

setup() {
	STATE="$BATS_TEST_TMPDIR/state"
	OUTSIDE="$BATS_TEST_TMPDIR/outside"
	mkdir -p "$STATE" "$OUTSIDE/dir"
	printf 'keep\n' >"$OUTSIDE/target"
	printf 'keep\n' >"$OUTSIDE/dir/inner"
}

# debian_script NAME: the postrm NAME with its state directory pointed at
# $STATE, in $BATS_TEST_TMPDIR/NAME.postrm (the one line it changes is
# checked to be there).
debian_script() {
	local out="$BATS_TEST_TMPDIR/$1.postrm"
	[ "$(grep -c '^STATE_DIR=/var/lib/netdata$' "$DEBIAN/$1.postrm")" = 1 ]
	sed "s|^STATE_DIR=/var/lib/netdata\$|STATE_DIR='$STATE'|" "$DEBIAN/$1.postrm" >"$out"
	echo "$out"
}

# rpm_script HEADER: the body of the spec's scriptlet HEADER ("%postun" or
# "%postun -n anonstats-daemon"), its macros lines dropped and %{statedir}
# set to $STATE.
rpm_script() {
	local out="$BATS_TEST_TMPDIR/rpm.$$.$RANDOM.sh"
	awk -v h="$1" '
		$0 == h { on = 1; next }
		on && /^%[a-z]/ { exit }
		on && /^%\{\?/ { next }
		on { print }' "$RPM_SPEC_IN" | sed "s|%{statedir}|'$STATE'|g" >"$out"
	grep -q purge_files "$out"
	! grep -q '%{' "$out"
	echo "$out"
}

# plant: what the other account may leave by our names, and ours.
plant() {
	mkdir "$STATE/machine-guid"
	printf 'x\n' >"$STATE/machine-guid/inner"
	mkfifo "$STATE/anonymous-statistics.log" "$STATE/.anonstats.run-state.a.tmp"
	ln -s "$OUTSIDE/target" "$STATE/anonymous-statistics.fatal"
	ln -s "$OUTSIDE/dir" "$STATE/.anonymous-statistics.d"
	ln -s "$OUTSIDE/target" "$STATE/.machine-guid.b"
	mkdir "$STATE/anonstats.run-state" "$STATE/.anonymous-statistics.e"
	: >"$STATE/anonymous-statistics.lock"
	: >"$STATE/.machine-guid.c"
	: >"$STATE/registry.db"
}

# The planted directories, FIFOs and the file not ours are all still there,
# every target outside is untouched, every symlink of ours is gone.
assert_only_ours_went() {
	assert [ -d "$STATE/machine-guid" ]
	assert [ -f "$STATE/machine-guid/inner" ]
	assert [ -p "$STATE/anonymous-statistics.log" ]
	assert [ -p "$STATE/.anonstats.run-state.a.tmp" ]
	assert [ -d "$STATE/anonstats.run-state" ]
	assert [ -d "$STATE/.anonymous-statistics.e" ]
	assert [ -f "$STATE/registry.db" ]
	assert_equal "$(cat "$OUTSIDE/target")" keep
	assert_equal "$(cat "$OUTSIDE/dir/inner")" keep
	assert [ ! -L "$STATE/.machine-guid.b" ]
	assert [ ! -e "$STATE/.machine-guid.c" ]
}

@test "the Debian postrm files: purge completes past planted directories, FIFOs, symlinks" {
	for shell in sh dash "busybox sh"; do
		command -v "${shell%% *}" >/dev/null || continue
		for pkg in anonymous-statistics anonstats-daemon; do
			rm -rf "$STATE"
			mkdir "$STATE"
			plant
			# shellcheck disable=SC2086
			run $shell "$(debian_script "$pkg")" purge
			assert_success
			assert_only_ours_went
			case $pkg in
			anonymous-statistics)
				assert [ ! -L "$STATE/anonymous-statistics.fatal" ]
				assert [ ! -L "$STATE/.anonymous-statistics.d" ]
				assert [ ! -e "$STATE/anonymous-statistics.lock" ] ;;
			esac
		done
	done
}

@test "the RPM %postun scriptlets: erase completes past planted directories, FIFOs, symlinks" {
	for header in "%postun" "%postun -n anonstats-daemon"; do
		rm -rf "$STATE"
		mkdir "$STATE"
		plant
		run sh "$(rpm_script "$header")" 0
		assert_success
		assert_only_ours_went
		[ "$header" != "%postun" ] || assert [ ! -L "$STATE/anonymous-statistics.fatal" ]
	done
}

@test "purge of a directory holding only our files removes it; an upgrade keeps them" {
	printf 'x\n' >"$STATE/machine-guid"
	: >"$STATE/anonymous-statistics.log"
	: >"$STATE/anonstats.run-state"
	run sh "$(rpm_script "%postun")" 1
	assert_success
	assert [ -f "$STATE/machine-guid" ]
	run sh "$(debian_script anonymous-statistics)" remove
	assert_success
	assert [ -f "$STATE/machine-guid" ]
	run sh "$(debian_script anonymous-statistics)" purge
	assert_success
	assert [ -f "$STATE/anonstats.run-state" ]
	run sh "$(debian_script anonstats-daemon)" purge
	assert_success
	assert [ ! -e "$STATE" ]
}
