# tests/netdata/: the real Netdata 1.37 daemon (Debian's netdata-core,
# /usr/sbin/netdata) reporting through our script, in a network namespace
# holding only loopback.  Skips where the daemon or namespaces are missing.
BATS_TESTS += tests/netdata/real-daemon.bats
EXTRA_DIST += \
	tests/netdata/netdata-helpers.bash \
	tests/netdata/log-valve.py
