# tests/hardening/: the whole project under bad networks, every opt-out and
# a machine full of planted identifiers.  Loopback only; the
# parts needing root, namespaces or strace skip with the reason.
BATS_TESTS += tests/hardening/net-faults.bats tests/hardening/optout-netdata.bats \
	tests/hardening/truth.bats \
	tests/hardening/optout-proof.bats tests/hardening/privacy-scan.bats
EXTRA_DIST += tests/hardening/hardening-helpers.bash \
	tests/hardening/daemon-events.sh
