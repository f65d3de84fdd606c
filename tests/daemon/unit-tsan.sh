#!/bin/sh
# The library's concurrency tests under ThreadSanitizer, when the compiler
# could build them (libanonstats.mk leaves no program otherwise): TAP on stdout; a
# data race ends the program with exit status 66, which the TAP driver
# reports as an error.
: "${top_builddir:?run through make check}"
prog="$top_builddir/tests/daemon/unit-anonstats-tsan"
if [ ! -x "$prog" ]; then
	echo "1..0 # SKIP the compiler cannot build with -fsanitize=thread"
	exit 0
fi
TSAN_OPTIONS="exitcode=66 halt_on_error=0 second_deadlock_stack=1${TSAN_OPTIONS:+ $TSAN_OPTIONS}"
ANONSTATS_TEST_ONLY=concurrency ANONSTATS_TEST_SLOW=1
export TSAN_OPTIONS ANONSTATS_TEST_ONLY ANONSTATS_TEST_SLOW
out=$("$prog" 2>&1)
rc=$?
# Kernels with wide mmap randomization break older TSan runtimes: again
# without address-space randomization.
if [ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -q 'unexpected memory mapping' &&
	command -v setarch >/dev/null; then
	out=$(setarch "$(uname -m)" -R "$prog" 2>&1)
	rc=$?
fi
printf '%s\n' "$out" | sed -e '/^\(not \)\{0,1\}ok \|^1\.\.\|^#/!s/^/# /'
exit "$rc"
