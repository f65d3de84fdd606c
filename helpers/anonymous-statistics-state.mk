# helpers/anonymous-statistics-state: the script's state files (the log of
# sent events, FATAL de-duplication), safe in a directory another account
# owns and consistent under concurrent runs, and the facts helper's output
# read within a bound.  Installed beside the script.
plugins_PROGRAMS += helpers/anonymous-statistics-state
helpers_anonymous_statistics_state_SOURCES = \
	helpers/anonymous-statistics-state.c \
	helpers/boundedrun.c helpers/boundedrun.h \
	helpers/statefile.c helpers/statefile.h

# C unit tests of the primitives: hostile names, line keeping, the lock.
check_PROGRAMS += tests/state/unit-statefile
TESTS += tests/state/unit-statefile
tests_state_unit_statefile_SOURCES = tests/state/unit-statefile.c \
	helpers/statefile.c helpers/statefile.h
