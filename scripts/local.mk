# scripts/: the command a person uses to see and switch the statistics, and
# the installer.

# Their tests, and those of the statistics level as the script reads it.
CTL_TESTS = \
	tests/scripts/level.bats
TESTS += $(CTL_TESTS)
EXTRA_DIST += $(CTL_TESTS) tests/scripts/ctl-helpers.bash
