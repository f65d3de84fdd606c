# helpers/sender/: anonymous-statistics-sender, the script's C half.  Once
# the script has decided and cleaned the fields it execs the sender, which
# builds the one event (event, on common/json), takes the facts from the
# environment or sysinfo, posts it with curl or wget within the run's bound
# (boundedrun, transport), and keeps the state files (the log of sent events,
# FATAL de-duplication) safe in a directory another account owns
# (common/statefile).  Installed beside the script.
plugins_PROGRAMS += helpers/sender/anonymous-statistics-sender
helpers_sender_anonymous_statistics_sender_SOURCES = \
	helpers/sender/anonymous-statistics-sender.c \
	helpers/sender/boundedrun.c helpers/sender/boundedrun.h \
	helpers/sender/event.c helpers/sender/event.h \
	helpers/sender/logprint.c helpers/sender/logprint.h \
	helpers/sender/transport.c helpers/sender/transport.h
helpers_sender_anonymous_statistics_sender_LDADD = common/libcommon.a

# Its name until 0.1.0 was anonymous-statistics-state: a link by that name
# stays for one release, for anything outside the tree that calls it.
install-data-hook: install-sender-compat-link
uninstall-hook: uninstall-sender-compat-link
install-sender-compat-link:
	$(MKDIR_P) '$(DESTDIR)$(pluginsdir)' && cd '$(DESTDIR)$(pluginsdir)' && rm -f anonymous-statistics-state && \
		$(LN_S) anonymous-statistics-sender anonymous-statistics-state
uninstall-sender-compat-link:
	rm -f '$(DESTDIR)$(pluginsdir)/anonymous-statistics-state'
.PHONY: install-sender-compat-link uninstall-sender-compat-link
