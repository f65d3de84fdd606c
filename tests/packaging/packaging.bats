#!/usr/bin/env bats
# The packaging files agree with the build (make check): versions, the
# library's symbols, and a reason written down for every lint override.
# Building and installing the packages is make check-packages.

load ../helpers/common

DEBIAN="$top_srcdir/packaging/debian"
RPM_SPEC_IN="$top_srcdir/packaging/rpm/anonymous-statistics.spec.in"

package_version() {
	sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile"
}

@test "debian/changelog's upstream version is the one configure.ac sets" {
	version=$(package_version)
	[ -n "$version" ]
	run sed -n '1s/^anonymous-statistics (\([^)-]*\)-[^)]*).*/\1/p' "$DEBIAN/changelog"
	assert_output "$version"
}

@test "the spec's newest %changelog entry is for the version configure.ac sets" {
	version=$(package_version)
	run sh -c "sed -n '/^%changelog/,\$p' '$RPM_SPEC_IN' | sed -n '2s/.* - \\([^ ]*\\)-[0-9][^ ]*\$/\\1/p'"
	assert_output "$version"
	run grep -c '^Version: *@PACKAGE_VERSION@$' "$RPM_SPEC_IN"
	assert_output 1
}

@test "the symbols file lists exactly what the built library exports" {
	lib="$top_builddir/daemon/lib/.libs/libanonstats.so.0"
	[ -f "$lib" ] || skip "no shared library in this build (--disable-shared?)"
	command -v nm >/dev/null || skip "nm is not installed"
	run sh -c "nm -D --defined-only '$lib' | awk '\$2 ~ /^[TDBRVW]\$/ { print \$3 }' | LC_ALL=C sort"
	exported=$output
	[ -n "$exported" ]
	run sh -c "sed -n 's/^ \\([^@ ]*\\)@Base .*/\\1/p' '$DEBIAN/libanonstats0.symbols' | LC_ALL=C sort"
	assert_output "$exported"
	# The SONAME the symbols file and the package name carry.
	run sh -c "readelf -d '$lib' | sed -n 's/.*Library soname: \\[\\(.*\\)\\]/\\1/p'"
	assert_output libanonstats.so.0
	run head -n 1 "$DEBIAN/libanonstats0.symbols"
	assert_output 'libanonstats.so.0 libanonstats0 #MINVER#'
	run grep -c '^Package: libanonstats0$' "$DEBIAN/control"
	assert_output 1
}

# no_reason FILE PATTERN: lines matching PATTERN not directly under a
# comment or another such line (one comment may head a group).
no_reason() {
	awk -v pat="$2" '
		/^#/ { reason = 1; next }
		/^[[:space:]]*$/ { reason = 0; next }
		$0 ~ pat { if (!reason) print FILENAME ":" FNR ": " $0; next }
		{ reason = 0 }' "$1"
}

@test "every lintian override says why, in a comment above it" {
	for f in "$DEBIAN"/*.lintian-overrides "$DEBIAN"/source/lintian-overrides; do
		[ -f "$f" ] || continue
		run no_reason "$f" '.'
		assert_output ""
	done
}

@test "every rpmlint filter says why, in a comment above it" {
	run no_reason "$top_srcdir/packaging/rpm/anonymous-statistics.rpmlintrc" '^addFilter'
	assert_output ""
}

@test "the reason check itself finds an override without a comment" {
	printf '# why\nfoo-tag\n\nbar-tag\n' >"$BATS_TEST_TMPDIR/x.lintian-overrides"
	run no_reason "$BATS_TEST_TMPDIR/x.lintian-overrides" '.'
	assert_output --partial ':4: bar-tag'
	refute_output --partial 'foo-tag'
}

@test "debian/rules is executable and uses the dh sequencer with debhelper 13" {
	assert [ -x "$DEBIAN/rules" ]
	run grep -c -e '^	dh \$@' "$DEBIAN/rules"
	assert_output 1
	run grep -c -e 'debhelper-compat (= 13)' -e '^Rules-Requires-Root: no$' "$DEBIAN/control"
	assert_output 2
	run grep -c '^export DEB_BUILD_MAINT_OPTIONS = hardening=+all$' "$DEBIAN/rules"
	assert_output 1
}
