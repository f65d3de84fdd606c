# helpers/anonymous-statistics-state: the script's state files (the log of
# sent events, FATAL de-duplication), safe in a directory another account
# owns and consistent under concurrent runs; and the event: its JSON, the
# facts helper and the transport run within their bounds.  Installed beside
# the script.
# The primitives (hostile names, line keeping, the lock) in an archive the
# helper and the unit tests link.
noinst_LIBRARIES += helpers/libstatefile.a
helpers_libstatefile_a_SOURCES = helpers/statefile.c helpers/statefile.h helpers/monotonic.h
plugins_PROGRAMS += helpers/anonymous-statistics-state
helpers_anonymous_statistics_state_SOURCES = helpers/anonymous-statistics-state.c \
	helpers/boundedrun.c helpers/boundedrun.h helpers/logread.c helpers/logread.h \
	helpers/payload.c helpers/payload.h \
	helpers/transport.c helpers/transport.h
helpers_anonymous_statistics_state_LDADD = helpers/libstatefile.a

# C unit tests of the primitives.
UNIT_TEST_LIBS += helpers/libstatefile.a
UNIT_TESTS += tests/state/unit-statefile
