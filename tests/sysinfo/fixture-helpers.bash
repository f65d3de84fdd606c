# The checks of fixtures.bats, which make-fixtures.py writes: one test per
# fixture calls check_fixture NAME.  sysinfo --root on fixtures/NAME must
# print exactly fixtures/NAME.expected.  NAME.args, when present, holds extra
# arguments (one per line), e.g. the --cpuid signature of that machine;
# NAME.links holds "PATH TARGET" symlinks to make in a copy of the tree (a
# tarball made by "make dist" cannot carry symlinks: tar -h follows them).
# Fixtures are found beside this file, so VPATH builds and distcheck work.

load ../helpers/common

setup() {
	SYSINFO="$top_builddir/helpers/sysinfo/sysinfo"
	FIXTURES="$BATS_TEST_DIRNAME/fixtures"
}

# check_fixture NAME: run sysinfo on fixtures/NAME, diff with NAME.expected.
check_fixture() {
	local name=$1 root=$FIXTURES/$1 arg path target
	if [ -f "$FIXTURES/$name.links" ]; then
		root=$BATS_TEST_TMPDIR/root
		mkdir -p "$root"
		cp -R "$FIXTURES/$name/." "$root/"
		chmod -R u+w "$root"
		while read -r path target; do
			mkdir -p "$root/$(dirname "$path")"
			ln -s "$target" "$root/$path"
		done <"$FIXTURES/$name.links"
	fi
	set --
	if [ -f "$FIXTURES/$name.args" ]; then
		while IFS= read -r arg; do
			set -- "$@" "$arg"
		done <"$FIXTURES/$name.args"
	fi
	run "$SYSINFO" --root "$root" "$@"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	diff -u "$FIXTURES/$name.expected" "$BATS_TEST_TMPDIR/got"
}

# check_fixture_files: every fixture directory has an expected output and a
# test in fixtures.bats, and every expected output a directory.
check_fixture_files() {
	local d name missing=
	for d in "$FIXTURES"/*/; do
		name=$(basename "$d")
		[ -f "$FIXTURES/$name.expected" ] || missing="$missing no-expected:$name"
		grep -q "^	check_fixture $name\$" "$BATS_TEST_FILENAME" || missing="$missing no-test:$name"
	done
	for d in "$FIXTURES"/*.expected; do
		name=$(basename "$d" .expected)
		[ -d "$FIXTURES/$name" ] || missing="$missing no-tree:$name"
	done
	[ -z "$missing" ] || { echo "$missing"; return 1; }
}

# check_fixture_paths: every fixture path fits the 99 bytes of a v7 tar.
check_fixture_paths() {
	local f long=
	while IFS= read -r f; do
		f=anonymous-statistics-0.1.0/tests/sysinfo/fixtures/${f#"$FIXTURES"/}
		[ "${#f}" -le 99 ] || long="$long $f"
	done < <(find "$FIXTURES" -type f)
	[ -z "$long" ] || { echo "too long:$long"; return 1; }
}
