# tests/netdata/: the real Netdata 1.37 daemon (Debian's netdata-core,
# /usr/sbin/netdata) reporting through our script, in a network namespace
# holding only loopback.  Skips where the daemon or namespaces are missing.
NETDATA_TESTS = tests/netdata/real-daemon.bats
TESTS += $(NETDATA_TESTS)
EXTRA_DIST += $(NETDATA_TESTS) \
	tests/netdata/netdata-helpers.bash \
	tests/netdata/log-valve.py
