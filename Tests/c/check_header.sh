#!/usr/bin/env bash
# check_header.sh — rtrl.h compiles warning-free with gcc and clang as C99, C11, C++11
# and C++17 (-Wall -Wextra -pedantic -Werror). Prints "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
include=$here/../../include
passed=0 failed=0
try() {  # COMPILER FLAGS...
    local out
    if out=$("$@" -I"$include" -Wall -Wextra -pedantic -Werror -c "$here/test_header.c" -o /dev/null 2>&1); then
        passed=$((passed + 1))
        echo "header: ok   $*"
    else
        failed=$((failed + 1))
        echo "header: FAIL $*"
        echo "$out"
    fi
}
for cc in gcc clang; do
    for std in c99 c11; do try "$cc" -std=$std -Wstrict-prototypes; done
    for std in c++11 c++17; do try "$cc" -x c++ -std=$std; done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
