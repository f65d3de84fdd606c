# daemon/anonymous-statistics.sh: the event sender, paths substituted at make time.
plugins_SCRIPTS += daemon/anonymous-statistics.sh
CLEANFILES += daemon/anonymous-statistics.sh
EXTRA_DIST += daemon/anonymous-statistics.sh.in

daemon/anonymous-statistics.sh: $(srcdir)/daemon/anonymous-statistics.sh.in Makefile
	$(AM_V_GEN)$(do_edit)
