# bench/: benchmarks against peers measured in the same run; run by hand,
# never by make check (machines are noisy).
EXTRA_DIST += bench/sysinfo-bench.py bench/peak-rss.c

bench-sysinfo: helpers/sysinfo$(EXEEXT)
	$(PYTHON3) $(srcdir)/bench/sysinfo-bench.py --sysinfo helpers/sysinfo$(EXEEXT)
.PHONY: bench-sysinfo
