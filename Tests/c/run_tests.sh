#!/usr/bin/env bash
# run_tests.sh WRAPPER BINDIR REFERENCE SCENARIO... -- EXTRA_COMMAND...
#
# Runs every C test binary in BINDIR (under WRAPPER, e.g. valgrind, if not empty), then
# each EXTRA_COMMAND; each prints "N passed, N failed" as its last line. Prints the
# total and exits nonzero if any test failed or any program exited with an error.
set -u
wrapper=$1 bindir=$2 reference=$3
shift 3
scenarios=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do scenarios+=("$1"); shift; done
[ $# -gt 0 ] && shift
extras=("$@")

passed=0 failed=0 broken=0
run_one() {  # NAME COMMAND...
    local name=$1 out rc line p f
    shift
    out=$("$@" 2>&1); rc=$?
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
    if [ -z "$line" ] || [ $rc -ne 0 ]; then
        printf '%s\n' "$out" | grep -v '^parity ' | tail -40
    fi
    if [ -z "$line" ]; then
        echo "$name: no result line (exit status $rc)"
        broken=$((broken + 1))
        return
    fi
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
    passed=$((passed + p)); failed=$((failed + f))
    [ $rc -ne 0 ] && [ "$f" -eq 0 ] && broken=$((broken + 1))
    printf '%-14s %s%s\n' "$name" "$line" "$([ $rc -ne 0 ] && echo " (exit status $rc)")"
}

for t in test_api test_misuse test_stress test_stream test_no_alloc; do
    [ -x "$bindir/$t" ] || continue
    run_one "$t" $wrapper "$bindir/$t"
done
run_one test_parity $wrapper "$bindir/test_parity" "$reference" "${scenarios[@]}"
for e in "${extras[@]}"; do
    name=${e##*./}; name=${name%% *}; name=${name%.sh}
    run_one "$name" bash -c "$e"
done
echo "total: $passed passed, $failed failed"
[ $failed -eq 0 ] && [ $broken -eq 0 ]
