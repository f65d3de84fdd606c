# bench/: benchmarks against peers measured in the same run; run by hand,
# never by make check (machines are noisy).
EXTRA_DIST += bench/sysinfo-bench.py bench/peak-rss.c

bench-sysinfo: helpers/sysinfo/sysinfo$(EXEEXT)
	$(PYTHON3) $(srcdir)/bench/sysinfo-bench.py --sysinfo helpers/sysinfo/sysinfo$(EXEEXT)
.PHONY: bench-sysinfo

# A whole event against Netdata 1.37's script and the floor (one shell, one
# sysinfo, one curl), interleaved; prints programs per event.
EXTRA_DIST += bench/script-bench.py
bench-script: daemon/anonymous-statistics.sh helpers/sysinfo/sysinfo$(EXEEXT) helpers/sender/anonymous-statistics-sender$(EXEEXT)
	$(PYTHON3) $(srcdir)/bench/script-bench.py --script daemon/anonymous-statistics.sh \
		--sysinfo helpers/sysinfo/sysinfo$(EXEEXT) --state-helper helpers/sender/anonymous-statistics-sender$(EXEEXT) \
		--capture-server $(srcdir)/tests/helpers/capture-server.py $(SCRIPT_BENCH_FLAGS)
.PHONY: bench-script

# Every benchmark above, and spawn-latency's, in one table (bench/report.py):
# what docs/performance.md shows.  BENCH_FLAGS=--quick for a rough one.
EXTRA_DIST += bench/report.py bench/benchlib.py docs/performance.md
bench: daemon/anonymous-statistics.sh helpers/sysinfo/sysinfo$(EXEEXT) \
		helpers/sender/anonymous-statistics-sender$(EXEEXT) bench/spawn-latency$(EXEEXT)
	$(PYTHON3) $(srcdir)/bench/report.py --srcdir $(srcdir) $(BENCH_FLAGS)
.PHONY: bench

# Netdata's scripts fetched once by bench/benchlib.py (when no
# netdata-plugins-bash is installed): kept across make clean, so that later
# runs need no network.
distclean-local: distclean-bench
distclean-bench:
	rm -rf bench/netdata-plugins-bash
.PHONY: distclean-bench
