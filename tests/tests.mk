# tests/: shared helpers, the build and install tests.
EXTRA_DIST += \
	tests/helpers/capture-server.py \
	tests/helpers/common.bash \
	tests/helpers/tap.h \
	tests/helpers/valgrind-wrapper \
	tests/helpers/valgrind.supp

BATS_TESTS += tests/build/bench.bats tests/build/install.bats tests/build/lint.bats
