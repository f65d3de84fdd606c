# man/: the manual pages, written in man(7) with the installation paths
# substituted at make time (as in the scripts), installed by make install;
# docs/: what is sent and how to switch it off, installed into docdir.
MAN8_PAGES = \
	man/anonymous-statistics.sh.8 \
	man/sysinfo.8 \
	man/anonymous-statistics-ctl.8 \
	man/anonstats-daemon.8
MAN3_PAGES = man/libanonstats.3
nodist_man8_MANS = $(MAN8_PAGES)
nodist_man3_MANS = $(MAN3_PAGES)
CLEANFILES += $(MAN8_PAGES) $(MAN3_PAGES)
EXTRA_DIST += $(MAN8_PAGES:=.in) $(MAN3_PAGES:=.in)

# The paths are as long as the build makes them: a break point (\:) after
# each slash lets troff wrap them instead of warning that it cannot.
man_edit = $(do_edit) && $(SED) -e '/^\.\\"/!s|/|/\\:|g' $@ >$@.tmp && \
	mv $@.tmp $@ && chmod a-x $@
man/anonymous-statistics.sh.8: $(srcdir)/man/anonymous-statistics.sh.8.in Makefile
	$(AM_V_GEN)$(man_edit)
man/sysinfo.8: $(srcdir)/man/sysinfo.8.in Makefile
	$(AM_V_GEN)$(man_edit)
man/anonymous-statistics-ctl.8: $(srcdir)/man/anonymous-statistics-ctl.8.in Makefile
	$(AM_V_GEN)$(man_edit)
man/anonstats-daemon.8: $(srcdir)/man/anonstats-daemon.8.in Makefile
	$(AM_V_GEN)$(man_edit)
man/libanonstats.3: $(srcdir)/man/libanonstats.3.in Makefile
	$(AM_V_GEN)$(man_edit)

dist_doc_DATA = docs/anonymous-statistics.md
doc_DATA = docs/payload.md

# Each page renders without a warning and names every option of its
# program's --help; libanonstats(3) names every identifier of anonstats.h.
check_SCRIPTS += $(MAN8_PAGES) $(MAN3_PAGES)
BATS_TESTS += tests/man/man.bats tests/man/docs.bats
