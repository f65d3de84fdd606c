# web/: the dashboard channel of anonstats-daemon: the HTTP server
# (daemon/dashboard*.c, libmicrohttpd), the page, its telemetry module and
# transparency panel, and posthog-js from npm, installed beside the page.

# The server is part of the daemon when configure found libmicrohttpd; the
# check of host names is in every build (the options are).
daemon_anonstats_daemon_SOURCES += daemon/dashboard-host.c daemon/dashboard-host.h
if HAVE_DASHBOARD
daemon_anonstats_daemon_SOURCES += \
	daemon/dashboard.c daemon/dashboard.h \
	daemon/dashboard-deadline.c daemon/dashboard-deadline.h \
	daemon/dashboard-json.c daemon/dashboard-json.h \
	daemon/dashboard-log.c daemon/dashboard-log.h
daemon_anonstats_daemon_LDADD += $(MHD_LIBS)
else
daemon_anonstats_daemon_SOURCES += daemon/dashboard-none.c daemon/dashboard.h
endif
daemon_anonstats_daemon_CPPFLAGS += $(MHD_CFLAGS) \
	-DWEBDIR="\"$(webdir)\"" \
	-DDASHBOARD_POSTHOG_HOST="\"$(DASHBOARD_POSTHOG_HOST)\"" \
	-DDASHBOARD_POSTHOG_KEY="\"$(POSTHOG_KEY)\""

# The page: plain files, no build step.
dist_web_DATA = \
	web/index.html \
	web/dashboard.css \
	web/telemetry.js \
	web/panel.js
EXTRA_DIST += web/package.json web/package-lock.json

# posthog-js: its browser build that loads no further script, its licence
# and its package.json (name, version), copied from $(POSTHOG_JS_DIR).
posthogjsdir = $(webdir)/posthog-js
POSTHOG_JS_FILES = \
	web/posthog-js/array.no-external.js \
	web/posthog-js/LICENSE \
	web/posthog-js/package.json
if HAVE_POSTHOG_JS
nodist_posthogjs_DATA = $(POSTHOG_JS_FILES)
endif
CLEANFILES += $(POSTHOG_JS_FILES)
web/posthog-js/array.no-external.js: $(POSTHOG_JS_DIR)/dist/array.no-external.js
	$(AM_V_GEN)$(MKDIR_P) $(@D) && cp $(POSTHOG_JS_DIR)/dist/array.no-external.js $@
web/posthog-js/LICENSE: $(POSTHOG_JS_DIR)/LICENSE
	$(AM_V_GEN)$(MKDIR_P) $(@D) && cp $(POSTHOG_JS_DIR)/LICENSE $@
web/posthog-js/package.json: $(POSTHOG_JS_DIR)/package.json
	$(AM_V_GEN)$(MKDIR_P) $(@D) && cp $(POSTHOG_JS_DIR)/package.json $@

# Tests: the JSON and log readers in C; the HTTP server's robustness; the
# telemetry module's decision in node; the page in headless Chromium with
# the real posthog-js against the loopback capture server.
# The readers and the host check, in an archive the unit tests link (as
# UNIT_TESTS do).
noinst_LIBRARIES += daemon/libdashboard-readers.a
daemon_libdashboard_readers_a_SOURCES = \
	daemon/dashboard-json.c daemon/dashboard-json.h \
	daemon/dashboard-log.c daemon/dashboard-log.h \
	daemon/dashboard-host.c daemon/dashboard-host.h
UNIT_TEST_LIBS += daemon/libdashboard-readers.a
UNIT_TESTS += tests/web/unit-dashboard tests/web/unit-dashboard-host
BATS_TESTS += tests/web/browser.bats tests/web/http.bats tests/web/telemetry.bats
EXTRA_DIST += tests/web/web-helpers.bash tests/web/browser.mjs tests/web/telemetry-unit.mjs
CLEANFILES += tests/web/screenshots/*.png
