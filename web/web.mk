# web/: the dashboard page of anonstats-daemon (its server is
# daemon/reference/dashboard*.c): the page, its telemetry module and
# transparency panel, and posthog-js from npm, installed beside the page.

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

# Tests: the HTTP server's robustness; the telemetry module's decision in
# node; the page in headless Chromium with the real posthog-js against the
# loopback capture server (the readers' unit test is in reference.mk).
BATS_TESTS += tests/web/browser.bats tests/web/http.bats tests/web/telemetry.bats
EXTRA_DIST += tests/web/web-helpers.bash tests/web/browser.mjs tests/web/telemetry-unit.mjs
CLEANFILES += tests/web/screenshots/*.png
