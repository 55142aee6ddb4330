#!/usr/bin/env bash
# run_examples.sh BINDIR — runs the C examples built in BINDIR on small inputs (under
# $EXAMPLE_WRAPPER, e.g. valgrind, if set) and checks their output. Prints
# "N passed, N failed".
set -u
bindir=$1
wrapper=${EXAMPLE_WRAPPER:-}
passed=0 failed=0
check() {  # DESCRIPTION CONDITION-COMMAND...
    local what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "examples: FAILED: $what"; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# sine: a short training run, then a free run.
$wrapper "$bindir/sine" 3000 60 > "$tmp/sine.out" 2> "$tmp/sine.err"
check "sine exits 0" test $? -eq 0
check "sine reports its training" grep -q "step   3000  mean squared error" "$tmp/sine.out"
check "sine reports its free run" grep -q "free run: RMS error" "$tmp/sine.out"

# online_csv: a header, 400 rows of two columns, a bad row; then --save and --load.
awk 'BEGIN { print "temperature,humidity";
             for (t = 0; t < 400; t++) printf "%.4f,%.4f\n", 20 + 5 * sin(t / 15), 60 + 10 * cos(t / 40);
             print "1,2,3" }' > "$tmp/series.csv"
$wrapper "$bindir/online_csv" --hidden 8 --save "$tmp/learner.rtrl" < "$tmp/series.csv" > "$tmp/csv.out" 2> "$tmp/csv.err"
check "online_csv exits 0" test $? -eq 0
check "online_csv prints a header" grep -q "^step,pred_1,pred_2,error,running_rmse$" "$tmp/csv.out"
check "online_csv prints one row per input row" test "$(grep -c '^[0-9]' "$tmp/csv.out")" -eq 400
check "online_csv skips the header and the bad row" grep -q "2 lines skipped" "$tmp/csv.err"
check "online_csv saves the learner" test -s "$tmp/learner.rtrl"
$wrapper "$bindir/online_csv" --load "$tmp/learner.rtrl" < "$tmp/series.csv" > "$tmp/csv2.out" 2> "$tmp/csv2.err"
check "online_csv --load continues" test $? -eq 0 -a "$(grep -c '^[0-9]' "$tmp/csv2.out")" -eq 400
if [ "$failed" -ne 0 ]; then cat "$tmp/sine.err" "$tmp/csv.err" "$tmp/csv2.err"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
