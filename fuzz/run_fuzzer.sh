#!/usr/bin/env bash
# run_fuzzer.sh BUILD TARGET SECONDS [libFuzzer flags...]
#
# Runs BUILD/fuzz_TARGET for SECONDS on the committed seeds (fuzz/corpus/TARGET) plus the
# working corpus BUILD/corpus/TARGET (where new inputs go; not committed). Prints one line
# of figures (executions, exec/s, coverage, corpus); on a crash, timeout, leak or
# sanitizer report prints the log's tail and the reproducer's path, and fails.
# The whole libFuzzer log is BUILD/TARGET.log.
set -uo pipefail
build=$1 target=$2 seconds=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
seeds=$here/corpus/$target
work=$build/corpus/$target
log=$build/$target.log
mkdir -p "$work" "$build/artifacts"
extra=()
[ -f "$here/$target/$target.dict" ] && extra+=("-dict=$here/$target/$target.dict")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
# The Swift runtime's own crash handler would race ASan's and libFuzzer's reports.
export SWIFT_BACKTRACE=enable=no
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$build/fuzz_$target" -max_total_time="$seconds" -artifact_prefix="$build/artifacts/$target-" \
    "${extra[@]}" "$@" "$work" "$seeds" > "$log" 2>&1
rc=$?
stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1)
echo "fuzz $target: ${seconds}s, rc $rc, executions $(stat number_of_executed_units), $(stat average_exec_per_sec) exec/s, $cov, peak rss $(stat peak_rss_mb) MB"
if [ $rc -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|fuzz check failed' "$log"; then
    echo "fuzz $target FAILED; the end of $log:"
    tail -60 "$log"
    ls -1 "$build/artifacts/$target-"* 2>/dev/null | sed 's/^/reproducer: /'
    exit 1
fi
