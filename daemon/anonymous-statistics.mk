# daemon/anonymous-statistics.sh: the event sender, paths substituted at make time.
plugins_SCRIPTS += daemon/anonymous-statistics.sh
CLEANFILES += daemon/anonymous-statistics.sh
EXTRA_DIST += daemon/anonymous-statistics.sh.in docs/payload.md

daemon/anonymous-statistics.sh: $(srcdir)/daemon/anonymous-statistics.sh.in Makefile
	$(AM_V_GEN)$(do_edit)

# Its tests: bats files run against the built script (make check orders
# them, see Makefile.am); the fault tests are split by transport so that
# `make -j` runs them side by side.
BATS_TESTS += \
	tests/script/actions.bats \
	tests/script/bounds.bats \
	tests/script/events.bats \
	tests/script/faults-busybox.bats \
	tests/script/faults-curl.bats \
	tests/script/faults-wget.bats \
	tests/script/hostile-args.bats \
	tests/script/hostile-env.bats \
	tests/script/hostile-state.bats \
	tests/script/leftovers.bats \
	tests/script/facts.bats \
	tests/script/netdata.bats \
	tests/script/optout.bats \
	tests/script/privacy.bats \
	tests/script/processes.bats \
	tests/script/shells.bats \
	tests/script/state.bats \
	tests/script/transport.bats
EXTRA_DIST += \
	tests/script/script-helpers.bash \
	tests/script/hostile.bash \
	tests/script/check-strings.py
