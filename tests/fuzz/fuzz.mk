# tests/fuzz/: libFuzzer targets for every parser and encoder in C, and the
# property fuzzer of the event's JSON encoder (docs/fuzzing.md).
#
# Automake cannot switch compilers per target, so the targets are plain
# rules with $(FUZZ_CC) (clang): the helpers' sources are compiled once into
# an archive, then linked with the driver of each target.  Every target in
# FUZZ_PARSER_TARGETS is tests/fuzz/fuzz-parser.c built with
# -DFUZZ_TARGET=NAME; FUZZ_OWN_TARGETS have a source of their own (an oracle
# that needs a file tree, or the state helper compiled in whole).  Each target's seeds are in tests/fuzz/corpus/NAME.
FUZZ_PARSER_TARGETS = osrelease lsbrelease environ cpuinfo text lastlines json logline
FUZZ_OWN_TARGETS = dmi rootfs state
FUZZ_PARSER_BINS = $(FUZZ_PARSER_TARGETS:%=tests/fuzz/fuzz-%)
FUZZ_BINS = $(FUZZ_PARSER_BINS) $(FUZZ_OWN_TARGETS:%=tests/fuzz/fuzz-%)

# `make fuzz`: each target for FUZZ_SECONDS, then the JSON property fuzzer
# on FUZZ_JSON_STRINGS strings; make check runs both briefly.
FUZZ_SECONDS = 300
FUZZ_JSON_STRINGS = 1000000

fuzz_cflags = -g -O1 -std=c11 $(WARN_CFLAGS) -fno-sanitize-recover=all \
	-include $(top_builddir)/config.h -I$(top_srcdir)/common -I$(top_srcdir)/helpers/sysinfo \
	-I$(top_srcdir)/helpers/sender -I$(top_srcdir)/tests/fuzz
fuzz_lib_srcs = \
	$(top_srcdir)/helpers/sender/boundedrun.c $(top_srcdir)/helpers/sysinfo/envfile.c $(top_srcdir)/common/logline.c $(top_srcdir)/helpers/sender/logprint.c $(top_srcdir)/helpers/sysinfo/procfile.c \
	$(top_srcdir)/common/json.c $(top_srcdir)/helpers/sender/event.c $(top_srcdir)/helpers/sysinfo/rootfs.c $(top_srcdir)/common/statefile.c \
	$(top_srcdir)/helpers/sysinfo/text.c $(top_srcdir)/helpers/sender/transport.c $(top_srcdir)/helpers/sysinfo/virt.c $(top_srcdir)/helpers/sysinfo/xalloc.c
fuzz_lib_hdrs = \
	$(top_srcdir)/helpers/sender/boundedrun.h $(top_srcdir)/common/monotonic.h $(top_srcdir)/helpers/sysinfo/envfile.h $(top_srcdir)/common/logline.h $(top_srcdir)/helpers/sender/logprint.h $(top_srcdir)/helpers/sysinfo/procfile.h \
	$(top_srcdir)/common/json.h $(top_srcdir)/helpers/sender/event.h $(top_srcdir)/helpers/sysinfo/rootfs.h $(top_srcdir)/common/statefile.h \
	$(top_srcdir)/helpers/sysinfo/text.h $(top_srcdir)/helpers/sender/transport.h $(top_srcdir)/helpers/sysinfo/virt.h $(top_srcdir)/helpers/sysinfo/xalloc.h
fuzz_hdrs = $(top_srcdir)/tests/fuzz/fuzz-check.h $(top_srcdir)/tests/fuzz/fuzz-tree.h
fuzz_lib = tests/fuzz/libfuzz-helpers.a
fuzz_link = $(MKDIR_P) $(@D) && \
	$(FUZZ_CC) $(fuzz_cflags) -fsanitize=fuzzer,address,undefined -o $@

$(fuzz_lib): $(fuzz_lib_srcs) $(fuzz_lib_hdrs) config.h
	$(AM_V_AR)rm -rf $@.o.d && $(MKDIR_P) $@.o.d && \
	for src in $(fuzz_lib_srcs); do \
		obj=$@.o.d/$$(basename "$$src" .c).o; \
		$(FUZZ_CC) $(fuzz_cflags) -fsanitize=fuzzer-no-link,address,undefined -c -o "$$obj" "$$src" || exit 1; \
	done && rm -f $@ && $(AR) cr $@ $@.o.d/*.o && rm -rf $@.o.d

$(FUZZ_PARSER_BINS): $(top_srcdir)/tests/fuzz/fuzz-parser.c $(fuzz_hdrs) $(fuzz_lib)
	$(AM_V_CCLD)name=$$(basename $@); $(fuzz_link) -DFUZZ_TARGET="$${name#fuzz-}" \
		$(top_srcdir)/tests/fuzz/fuzz-parser.c $(fuzz_lib)
tests/fuzz/fuzz-dmi: $(top_srcdir)/tests/fuzz/fuzz-dmi.c $(fuzz_hdrs) $(fuzz_lib)
	$(AM_V_CCLD)$(fuzz_link) $(top_srcdir)/tests/fuzz/fuzz-dmi.c $(fuzz_lib)
tests/fuzz/fuzz-rootfs: $(top_srcdir)/tests/fuzz/fuzz-rootfs.c $(fuzz_hdrs) $(fuzz_lib)
	$(AM_V_CCLD)$(fuzz_link) $(top_srcdir)/tests/fuzz/fuzz-rootfs.c $(fuzz_lib)
tests/fuzz/fuzz-state: $(top_srcdir)/tests/fuzz/fuzz-state.c $(fuzz_hdrs) $(fuzz_lib) \
		$(top_srcdir)/helpers/sender/anonymous-statistics-sender.c
	$(AM_V_CCLD)$(fuzz_link) $(top_srcdir)/tests/fuzz/fuzz-state.c $(fuzz_lib)

if HAVE_LIBFUZZER
check_SCRIPTS += $(FUZZ_BINS)
TESTS += tests/fuzz/fuzz.bats
endif
# The JSON property fuzzer needs only python3 and the built state helper;
# it must catch a mutant encoder that keeps 127 characters.
BATS_TESTS += tests/fuzz/json-property.bats
check_PROGRAMS += tests/fuzz/payload-cut127
tests_fuzz_payload_cut127_SOURCES = $(helpers_sender_anonymous_statistics_sender_SOURCES)
tests_fuzz_payload_cut127_CPPFLAGS = $(AM_CPPFLAGS) -DPAYLOAD_MAX_CHARS=127
tests_fuzz_payload_cut127_LDADD = $(helpers_sender_anonymous_statistics_sender_LDADD)
CLEANFILES += $(FUZZ_BINS) $(fuzz_lib)
EXTRA_DIST += \
	docs/fuzzing.md \
	tests/fuzz/corpus \
	tests/fuzz/fuzz.bats \
	tests/fuzz/fuzz-check.h \
	tests/fuzz/fuzz-tree.h \
	tests/fuzz/fuzz-parser.c \
	tests/fuzz/fuzz-dmi.c \
	tests/fuzz/fuzz-rootfs.c \
	tests/fuzz/fuzz-state.c \
	tests/fuzz/json-property.py \
	tests/fuzz/make-corpus.py \
	tests/fuzz/run-fuzzer.sh

# The long runs: what they found stays in tests/fuzz/work/NAME (the grown
# corpus, and artifacts/ with any crashing input).
fuzz: fuzz-libfuzzer fuzz-json
if HAVE_LIBFUZZER
fuzz-libfuzzer: $(FUZZ_BINS)
	@for t in $(FUZZ_PARSER_TARGETS) $(FUZZ_OWN_TARGETS); do \
		nice $(SHELL) $(top_srcdir)/tests/fuzz/run-fuzzer.sh tests/fuzz/fuzz-$$t \
			$(top_srcdir)/tests/fuzz/corpus/$$t tests/fuzz/work/$$t $(FUZZ_SECONDS) || exit 1; \
	done
else
fuzz-libfuzzer:
	@echo "make fuzz: no clang with libFuzzer; configure --enable-fuzzing says what is missing" >&2; exit 1
endif
fuzz-json: helpers/sender/anonymous-statistics-sender
	nice $(PYTHON3) $(top_srcdir)/tests/fuzz/json-property.py \
		--encoder helpers/sender/anonymous-statistics-sender --strings $(FUZZ_JSON_STRINGS)
.PHONY: fuzz fuzz-libfuzzer fuzz-json

clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/work
.PHONY: clean-fuzz
