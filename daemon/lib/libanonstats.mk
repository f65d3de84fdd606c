# daemon/lib/: libanonstats, the library a daemon links to run the statistics
# script without ever blocking (the reference daemon that uses it is in
# daemon/reference/).

# Compile-time defaults; every one can be overridden at run time.
ANONSTATS_PATH_FLAGS = \
	-DPLUGINSDIR="\"$(pluginsdir)\"" \
	-DCONFIGDIR="\"$(configdir)\"" \
	-DSTATEDIR="\"$(statedir)\"" \
	-DANONSTATS_POSTHOG_KEY="\"$(POSTHOG_KEY)\"" \
	-DANONSTATS_TELEMETRY="\"$(enable_telemetry)\""

# In the order of their dependencies (see anonstats-internal.h); first what
# the library shares with the sender: every file in the state directory is
# opened through common/statefile (its symbols stay internal: see the
# -export-symbols-regex below).
ANONSTATS_SOURCES = \
	common/statefile.c common/statefile.h common/monotonic.h \
	daemon/lib/anonstats-internal.h \
	daemon/lib/anonstats-config.c \
	daemon/lib/anonstats-optout.c \
	daemon/lib/anonstats-guid.c \
	daemon/lib/anonstats-runstate.c \
	daemon/lib/anonstats-child.c \
	daemon/lib/anonstats-helper.c \
	daemon/lib/anonstats-fatal.c \
	daemon/lib/anonstats-crash.c \
	daemon/lib/anonstats.c

# The library: only the documented API is exported.
lib_LTLIBRARIES += daemon/lib/libanonstats.la
include_HEADERS += daemon/lib/anonstats.h
daemon_lib_libanonstats_la_SOURCES = $(ANONSTATS_SOURCES) daemon/lib/anonstats.h
daemon_lib_libanonstats_la_CPPFLAGS = $(AM_CPPFLAGS) $(ANONSTATS_PATH_FLAGS)
daemon_lib_libanonstats_la_LDFLAGS = -version-info 1:0:1 -no-undefined \
	-export-symbols-regex '^anonstats_(init|status|status_string|status_details|status_text|configured|level_string|machine_guid|send|start|stop|cloud_disabled|cloud_build_fail|cloud_connect_fail|in_flight|counters|fatal_|install_crash_handlers|free)$$'

# pkg-config file, paths substituted at make time like the script's.
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = daemon/lib/libanonstats.pc
CLEANFILES += daemon/lib/libanonstats.pc
EXTRA_DIST += daemon/lib/libanonstats.pc.in
daemon/lib/libanonstats.pc: $(srcdir)/daemon/lib/libanonstats.pc.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && rm -f $@ $@.tmp && \
	$(SED) -e 's|@prefix[@]|$(prefix)|g' -e 's|@libdir[@]|$(libdir)|g' \
		-e 's|@includedir[@]|$(includedir)|g' \
		-e 's|@PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g' \
		$(srcdir)/daemon/lib/libanonstats.pc.in > $@.tmp && mv $@.tmp $@

# Unit tests of the library, internals too: they link its sources from an
# archive of their own (the shared library exports only the API).
check_LIBRARIES += daemon/lib/libanonstats-internal.a
daemon_lib_libanonstats_internal_a_SOURCES = $(ANONSTATS_SOURCES)
daemon_lib_libanonstats_internal_a_CPPFLAGS = $(AM_CPPFLAGS) $(ANONSTATS_PATH_FLAGS)
# One test per file of the library; what they share (the fake script, the
# log capture, init) is an archive of its own, linked before the library.
check_LIBRARIES += tests/daemon/libunit-helpers.a
tests_daemon_libunit_helpers_a_SOURCES = tests/daemon/unit-helpers.c tests/daemon/unit-helpers.h
UNIT_TEST_LIBS += tests/daemon/libunit-helpers.a daemon/lib/libanonstats-internal.a
UNIT_TESTS += tests/daemon/unit-guid tests/daemon/unit-optout tests/daemon/unit-runstate \
	tests/daemon/unit-send tests/daemon/unit-queue tests/daemon/unit-fatal \
	tests/daemon/unit-crash tests/daemon/unit-runstate-hostile

# The concurrency tests under ThreadSanitizer, when the compiler links
# -fsanitize=thread: the unit tests named in TSAN_TESTS, each built as
# NAME-tsan from its file, the helpers and the library's sources (run with
# ANONSTATS_TEST_ONLY=concurrency by unit-tsan.sh).  Built by this rule
# rather than as check programs (configure does not probe for it): when the
# compiler cannot, no program is left and unit-tsan.sh skips.  TSan cannot
# share a program with ASan: the flags of --enable-sanitizers are taken out
# of CFLAGS and LDFLAGS here.
TSAN_FLAGS = -fsanitize=thread -g -O1
TSAN_TESTS = tests/daemon/unit-send tests/daemon/unit-queue tests/daemon/unit-runstate
check_SCRIPTS += tests/daemon/unit-tsan-built
CLEANFILES += $(TSAN_TESTS:=-tsan) tests/daemon/unit-tsan-built
tsan_sources = tests/daemon/unit-helpers.c $(ANONSTATS_SOURCES)
tests/daemon/unit-tsan-built: $(TSAN_TESTS:%=$(srcdir)/%.c) $(tsan_sources:%=$(srcdir)/%) \
		$(srcdir)/tests/daemon/unit-helpers.h $(srcdir)/daemon/lib/anonstats.h \
		$(srcdir)/tests/helpers/tap.h config.h
	$(AM_V_CCLD)$(MKDIR_P) tests/daemon && for t in $(TSAN_TESTS); do \
		rm -f $$t-tsan; \
		if $(CC) $(DEFS) $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) $(CPPFLAGS) $(ANONSTATS_PATH_FLAGS) \
			-I$(top_srcdir)/tests/helpers $(AM_CFLAGS) $(filter-out $(SANITIZER_FLAGS),$(CFLAGS)) $(TSAN_FLAGS) \
			$(filter-out $(SANITIZER_FLAGS),$(LDFLAGS)) \
			-o $$t-tsan $(srcdir)/$$t.c \
			$(filter %.c,$(tsan_sources:%=$(srcdir)/%)) $(LIBS) \
			>$$t-tsan.log 2>&1; then :; \
		else rm -f $$t-tsan; fi; \
		rm -f $$t-tsan.log; \
	done; touch $@
TESTS += tests/daemon/unit-tsan.sh
EXTRA_DIST += tests/daemon/unit-tsan.sh

# A test tool that hands arbitrary strings to the library.
check_PROGRAMS += tests/daemon/anonstats-send
tests_daemon_anonstats_send_SOURCES = tests/daemon/anonstats-send.c
tests_daemon_anonstats_send_LDADD = daemon/lib/libanonstats.la
tests_daemon_anonstats_send_LDFLAGS = -static

# bats tests: the daemon with fake scripts, then end to end with the
# installed script and a loopback capture server.
BATS_TESTS += tests/daemon/daemon.bats tests/daemon/e2e.bats
EXTRA_DIST += tests/daemon/daemon-helpers.bash

# Benchmark (run by hand, see bench/README.md): the library's send call
# against popen()+pclose() while the endpoint hangs.  Built by make check so
# it keeps compiling; never run as a test.
check_PROGRAMS += bench/spawn-latency
bench_spawn_latency_SOURCES = bench/spawn-latency.c
bench_spawn_latency_LDADD = daemon/lib/libanonstats.la
bench_spawn_latency_LDFLAGS = -static
EXTRA_DIST += bench/README.md daemon/lib/libanonstats.md

bench-spawn: bench/spawn-latency$(EXEEXT) daemon/anonymous-statistics.sh helpers/sysinfo/sysinfo$(EXEEXT) \
		helpers/sender/anonymous-statistics-sender$(EXEEXT)
	./bench/spawn-latency$(EXEEXT) --script daemon/anonymous-statistics.sh \
		--state-helper helpers/sender/anonymous-statistics-sender$(EXEEXT) \
		--sysinfo helpers/sysinfo/sysinfo$(EXEEXT)
.PHONY: bench-spawn
