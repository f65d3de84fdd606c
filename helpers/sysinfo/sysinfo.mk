# helpers/: sysinfo, its unit tests and fixtures (its fuzz targets are in
# tests/fuzz/fuzz.mk, built with clang).

# The parsers and detectors, in a convenience library that sysinfo and the
# unit tests link (plain ar: no libtool wrapper, so valgrind runs the test
# programs directly), before common/ (UTF-8 and JSON) it builds on.
noinst_LIBRARIES += helpers/sysinfo/libsysinfo.a
helpers_sysinfo_libsysinfo_a_SOURCES = \
	helpers/sysinfo/envfile.c helpers/sysinfo/envfile.h \
	helpers/sysinfo/procfile.c helpers/sysinfo/procfile.h \
	helpers/sysinfo/rootfs.c helpers/sysinfo/rootfs.h \
	helpers/sysinfo/text.c helpers/sysinfo/text.h \
	helpers/sysinfo/virt.c helpers/sysinfo/virt.h \
	helpers/sysinfo/xalloc.c helpers/sysinfo/xalloc.h

# sysinfo itself, installed beside the script.
plugins_PROGRAMS += helpers/sysinfo/sysinfo
helpers_sysinfo_sysinfo_SOURCES = helpers/sysinfo/sysinfo.c
helpers_sysinfo_sysinfo_LDADD = helpers/sysinfo/libsysinfo.a common/libcommon.a

# Fixture trees: sysinfo --root on each must print the expected output;
# make-fixtures.py writes the trees and fixtures.bats, one test per tree.
BATS_TESTS += tests/sysinfo/fixtures.bats
EXTRA_DIST += \
	tests/sysinfo/fixtures \
	tests/sysinfo/fixture-helpers.bash \
	tests/sysinfo/make-fixtures.py

# The command line, JSON, hostile input, systemd-detect-virt agreement, and
# the rules: no child process, network, write or identifying read (strace).
BATS_TESTS += tests/sysinfo/sysinfo.bats

# C unit tests (TAP through tests/helpers/tap.h): the parsers, the normalizer,
# the root-confined file access and the detection tables.
UNIT_TEST_LIBS += helpers/sysinfo/libsysinfo.a common/libcommon.a
UNIT_TESTS += \
	tests/sysinfo/unit-envfile \
	tests/sysinfo/unit-procfile \
	tests/sysinfo/unit-rootfs \
	tests/sysinfo/unit-text \
	tests/sysinfo/unit-virt

# sysinfo under valgrind, on this machine and on edge-case fixtures (the
# unit tests run under valgrind through valgrind-wrapper).
BATS_TESTS += tests/sysinfo/valgrind.bats

# What sysinfo prints and how it decides.
EXTRA_DIST += helpers/sysinfo/sysinfo.md
