#!/bin/sh
# run-fuzzer.sh BIN SEEDS WORK SECONDS: run the libFuzzer target BIN for
# SECONDS on the seed corpus SEEDS (read only), growing the corpus
# WORK/corpus; a crashing input of this run is kept in WORK/artifacts.
# Prints one line,
#   fuzz-NAME: N executions in S s, C crashes, corpus K inputs
# and exits 0 only when the run ended without a finding.
set -eu

[ "$#" -eq 4 ] || { echo "usage: $0 BIN SEEDS WORK SECONDS" >&2; exit 2; }
bin=$1 seeds=$2 work=$3 seconds=$4
name=${bin##*/}

[ -x "$bin" ] || { echo "$name: $bin was not built" >&2; exit 1; }
[ -d "$seeds" ] || { echo "$name: no seed corpus $seeds" >&2; exit 1; }
rm -rf "$work/artifacts"
mkdir -p "$work/corpus" "$work/artifacts"
log=$work/log
start=$(date +%s)
status=0
"$bin" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" \
	"$work/corpus" "$seeds" >"$log" 2>&1 || status=$?
elapsed=$(($(date +%s) - start))
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
crashes=$(find "$work/artifacts" -type f | wc -l)
inputs=$(find "$work/corpus" -type f | wc -l)
printf '%s: %s executions in %s s, %s crashes, corpus %s inputs\n' \
	"$name" "${execs:-?}" "$elapsed" "$crashes" "$inputs"
if [ "$status" -ne 0 ] || [ -z "$execs" ] || ! grep -q '^Done [0-9]* runs' "$log"; then
	echo "$name: the run did not end cleanly (exit $status); its log, $log:" >&2
	tail -n 40 "$log" >&2
	exit 1
fi
