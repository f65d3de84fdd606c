# common/: the code more than one program compiles in, each rule once:
# files in a directory another account owns (statefile), the JSON buffer,
# UTF-8 decoder and string writer (json), the log's line reader (logline),
# the monotonic clock.  An archive: a program or a unit test gets only the
# objects it uses (an archive that needs it lists it again after itself).
noinst_LIBRARIES += common/libcommon.a
common_libcommon_a_SOURCES = \
	common/statefile.c common/statefile.h \
	common/json.c common/json.h \
	common/logline.c common/logline.h \
	common/monotonic.h

# C unit tests of the primitives.
UNIT_TEST_LIBS += common/libcommon.a
UNIT_TESTS += tests/common/unit-statefile tests/common/unit-json tests/common/unit-logline
