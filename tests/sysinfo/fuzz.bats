#!/usr/bin/env bats
# A short libFuzzer run of each parser target (ASan+UBSan, leak checks), seeded
# with the fixture files.  Bounded: 20000 runs or 30 seconds each.

load ../helpers/common

setup() {
	FIXTURES="$BATS_TEST_DIRNAME/fixtures"
	CORPUS="$BATS_TEST_TMPDIR/corpus"
	mkdir -p "$CORPUS"
}

# seed PATTERN...: copy the fixture files named by each find -path pattern.
seed() {
	local pat i=0 f
	for pat in "$@"; do
		while IFS= read -r f; do
			i=$((i + 1))
			cp "$f" "$CORPUS/seed-$i"
		done < <(find "$FIXTURES" -type f -path "$pat")
	done
	[ "$i" -gt 0 ]
}

# fuzz NAME: run target NAME on the corpus.
fuzz() {
	local bin="$top_builddir/tests/sysinfo/fuzz-$1"
	[ -x "$bin" ] || { echo "$bin was not built"; return 1; }
	run "$bin" -runs=20000 -max_total_time=30 -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$CORPUS"
	echo "$output" | tail -n 15
	assert_success
	# 20000 runs, or fewer when a loaded machine hits the time bound first:
	# either way the run must end with its summary, not a crash report.
	assert_output --regexp "Done [0-9]+ runs"
}

@test "fuzz the os-release parser" {
	seed '*/etc/os-release' '*/usr/lib/os-release' '*/run/host/os-release'
	fuzz osrelease
}

@test "fuzz the lsb-release parser" {
	seed '*/etc/lsb-release' '*/etc/os-release'
	fuzz lsbrelease
}

@test "fuzz the environ parser" {
	seed '*/proc/1/environ'
	fuzz environ
}

@test "fuzz the cpuinfo parser" {
	seed '*/proc/cpuinfo' '*/proc/sysinfo' '*/proc/self/status'
	fuzz cpuinfo
}
