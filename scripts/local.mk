# scripts/: anonymous-statistics-ctl, the command a person uses to see and
# switch the statistics (installed to sbin, paths substituted at make time).
sbin_SCRIPTS += scripts/anonymous-statistics-ctl
CLEANFILES += scripts/anonymous-statistics-ctl
EXTRA_DIST += scripts/anonymous-statistics-ctl.in

scripts/anonymous-statistics-ctl: $(srcdir)/scripts/anonymous-statistics-ctl.in Makefile
	$(AM_V_GEN)$(do_edit)

# Their tests: the control command, and the statistics level it writes as
# the script reads it.
CTL_TESTS = \
	tests/scripts/ctl.bats \
	tests/scripts/level.bats
TESTS += $(CTL_TESTS)
EXTRA_DIST += $(CTL_TESTS) tests/scripts/ctl-helpers.bash
