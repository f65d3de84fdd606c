#!/bin/sh
# The library's concurrency tests under ThreadSanitizer, when the compiler
# could build them (libanonstats.mk leaves no program otherwise): each
# tests/daemon/unit-NAME-tsan it built runs with ANONSTATS_TEST_ONLY=
# concurrency, and their TAP is one stream on stdout, numbered anew.  A data
# race ends a program with exit status 66, which the TAP driver reports as
# an error.
: "${top_builddir:?run through make check}"
TSAN_OPTIONS="exitcode=66 halt_on_error=0 second_deadlock_stack=1${TSAN_OPTIONS:+ $TSAN_OPTIONS}"
ANONSTATS_TEST_ONLY=concurrency ANONSTATS_TEST_SLOW=1
export TSAN_OPTIONS ANONSTATS_TEST_ONLY ANONSTATS_TEST_SLOW

# run_one PROG: its output, and its status in $rc.
run_one() {
	out=$("$1" 2>&1)
	rc=$?
	# Kernels with wide mmap randomization break older TSan runtimes:
	# again without address-space randomization.
	if [ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -q 'unexpected memory mapping' &&
		command -v setarch >/dev/null; then
		out=$(setarch "$(uname -m)" -R "$1" 2>&1)
		rc=$?
	fi
}

status=0 all='' found=''
for name in send queue runstate; do
	prog="$top_builddir/tests/daemon/unit-$name-tsan"
	[ -x "$prog" ] || continue
	found=yes
	run_one "$prog"
	[ "$rc" -eq 0 ] || status=$rc
	all="$all# unit-$name
$out
"
done
if [ -z "$found" ]; then
	echo "1..0 # SKIP the compiler cannot build with -fsanitize=thread"
	exit 0
fi
# One plan for all; every other line but a test point is a comment.
printf '%s' "$all" | awk '
	/^(not )?ok [0-9]+/ { n++; sub(/ok [0-9]+/, "ok " n); print; next }
	/^1\.\.[0-9]+/ { next }
	/^#/ { print; next }
	{ print "# " $0 }
	END { print "1.." n }'
exit "$status"
