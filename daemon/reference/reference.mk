# daemon/reference/: anonstats-daemon, the reference daemon that uses
# libanonstats, and its dashboard server (libmicrohttpd) for the page in web/.

# The reference daemon, linked with the library statically: it runs from
# the build tree as itself (no libtool wrapper script, whose pid would not be
# the daemon's: signals must reach the daemon), for the tests and the demo.
sbin_PROGRAMS += daemon/reference/anonstats-daemon
daemon_reference_anonstats_daemon_SOURCES = daemon/reference/anonstats-daemon.c
daemon_reference_anonstats_daemon_CPPFLAGS = $(AM_CPPFLAGS) $(ANONSTATS_PATH_FLAGS)
daemon_reference_anonstats_daemon_LDADD = daemon/lib/libanonstats.la
daemon_reference_anonstats_daemon_LDFLAGS = -static

# Its systemd unit, ExecStart substituted at make time.
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemdsystemunit_DATA = packaging/systemd/anonstats-daemon.service
CLEANFILES += packaging/systemd/anonstats-daemon.service
EXTRA_DIST += packaging/systemd/anonstats-daemon.service.in
packaging/systemd/anonstats-daemon.service: $(srcdir)/packaging/systemd/anonstats-daemon.service.in Makefile
	$(AM_V_GEN)$(do_edit) && chmod a-x $@

# The server is part of the daemon when configure found libmicrohttpd; the
# check of host names is in every build (the options are).
daemon_reference_anonstats_daemon_SOURCES += daemon/reference/dashboard-host.c daemon/reference/dashboard-host.h
if HAVE_DASHBOARD
daemon_reference_anonstats_daemon_SOURCES += \
	daemon/reference/dashboard.c daemon/reference/dashboard.h \
	daemon/reference/dashboard-deadline.c daemon/reference/dashboard-deadline.h \
	daemon/reference/dashboard-json.c daemon/reference/dashboard-json.h \
	daemon/reference/dashboard-log.c daemon/reference/dashboard-log.h
daemon_reference_anonstats_daemon_LDADD += common/libcommon.a $(MHD_LIBS)
else
daemon_reference_anonstats_daemon_SOURCES += daemon/reference/dashboard-none.c daemon/reference/dashboard.h
endif
daemon_reference_anonstats_daemon_CPPFLAGS += $(MHD_CFLAGS) \
	-DWEBDIR="\"$(webdir)\"" \
	-DDASHBOARD_POSTHOG_HOST="\"$(DASHBOARD_POSTHOG_HOST)\"" \
	-DDASHBOARD_POSTHOG_KEY="\"$(POSTHOG_KEY)\""

# The dashboard's JSON and log readers and its host check, in an archive
# their unit tests link (as UNIT_TESTS do), before common/ they build on.
noinst_LIBRARIES += daemon/reference/libdashboard-readers.a
daemon_reference_libdashboard_readers_a_SOURCES = \
	daemon/reference/dashboard-json.c daemon/reference/dashboard-json.h \
	daemon/reference/dashboard-log.c daemon/reference/dashboard-log.h \
	daemon/reference/dashboard-host.c daemon/reference/dashboard-host.h
UNIT_TEST_LIBS += daemon/reference/libdashboard-readers.a common/libcommon.a
UNIT_TESTS += tests/web/unit-dashboard tests/web/unit-dashboard-host
