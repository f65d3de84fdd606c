# scripts/: anonymous-statistics-ctl, the command a person uses to see and
# switch the statistics (installed to sbin, paths substituted at make time),
# and install.sh, the installer run from the source tree (not installed).
sbin_SCRIPTS += scripts/anonymous-statistics-ctl
CLEANFILES += scripts/anonymous-statistics-ctl
EXTRA_DIST += scripts/anonymous-statistics-ctl.in scripts/install.sh

scripts/anonymous-statistics-ctl: $(srcdir)/scripts/anonymous-statistics-ctl.in Makefile
	$(AM_V_GEN)$(do_edit)

# What install.sh needs to know of a configured tree before it builds
# anything: where the opt-out file goes and where things are installed.
# KEY=VALUE lines, read as data.
installer-dirs:
	@printf 'configdir=%s\n' '$(configdir)'
	@printf 'sbindir=%s\n' '$(sbindir)'
	@printf 'unitdir=%s\n' '$(systemdsystemunitdir)'
	@printf 'docdir=%s\n' '$(docdir)'
.PHONY: installer-dirs

# Their tests: the installer with real builds and against a fake source
# tree, the control command, and the statistics level it writes as the
# script reads it.
BATS_TESTS += \
	tests/scripts/ctl.bats \
	tests/scripts/install.bats \
	tests/scripts/installer-order.bats \
	tests/scripts/level.bats
EXTRA_DIST += tests/scripts/ctl-helpers.bash
