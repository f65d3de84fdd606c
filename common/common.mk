# common/: the code more than one program compiles in, each rule once:
# files in a directory another account owns (statefile), the event's JSON
# string writer (payload), the monotonic clock.  An archive: a program or a
# unit test gets only the objects it uses.
noinst_LIBRARIES += common/libcommon.a
common_libcommon_a_SOURCES = \
	common/statefile.c common/statefile.h \
	common/payload.c common/payload.h \
	common/monotonic.h

# C unit tests of the primitives.
UNIT_TEST_LIBS += common/libcommon.a
UNIT_TESTS += tests/common/unit-statefile
