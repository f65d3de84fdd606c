#!/bin/sh
# Run the library's unit tests under valgrind: their TAP, plus one test
# point for valgrind's verdict (memory errors, definite leaks).
: "${top_builddir:?run through make check}"
: "${VALGRIND:=valgrind}"
if [ "${TEST_SANITIZERS:-no}" = yes ]; then
	echo "1..0 # SKIP sanitizer build: valgrind cannot run programs built with ASan"
	exit 0
fi

out=$(mktemp) || exit 1
trap 'rm -f "$out" "$out.vg"' EXIT
ANONSTATS_TEST_SLOW=1 "$VALGRIND" -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-possibly-lost=no --log-file="$out.vg" \
	"$top_builddir/tests/daemon/unit-anonstats" >"$out"
rc=$?
grep -v '^1\.\.[0-9]*$' "$out"
n=$(grep -c -E '^(not )?ok ' "$out")
sed 's/^/# /' "$out.vg"
# Forked children (FATAL, crash tests) report to the same log; "possibly
# lost" thread stacks they inherit are not ours.
if [ "$rc" -eq 99 ] ||
	grep -q -E 'are definitely lost|Invalid (read|write|free)|uninitialised|Mismatched|Syscall param' "$out.vg"; then
	printf 'not ok %d - valgrind: memory errors or leaks (exit %d)\n' $((n + 1)) "$rc"
else
	printf 'ok %d - valgrind: no memory errors, no definite leaks\n' $((n + 1))
fi
printf '1..%d\n' $((n + 1))
