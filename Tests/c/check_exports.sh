#!/usr/bin/env bash
# check_exports.sh LIBDIR [PREFIX] — the shape of the shipped library:
#   1. nm -D --defined-only: every global (exported) symbol starts with rtrl_;
#   2. every function declared in rtrl.h is exported, and every exported one declared;
#   3. every function declared in rtrl.h is exercised by the misuse suite;
#   4. SONAME librtrl.so.0; ldd shows no Swift library and nothing missing;
#   5. `make -f mk/install.mk install PREFIX=...` (default /tmp/rtrl-prefix), then the
#      examples build through pkg-config and run without LD_LIBRARY_PATH.
# Prints "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
libdir=${1:-$root/.build/release}
prefix=${2:-/tmp/rtrl-prefix}
lib=$libdir/librtrl.so
header=$root/include/rtrl.h
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "exports: ok   $1"; }
bad() { failed=$((failed + 1)); echo "exports: FAIL $1"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Exported symbols: nm's type letter is upper case for global symbols. gold (the
#    Swift toolchain's default linker) also leaves the symbols the version script made
#    local in .dynsym (lower case: not exported, cannot be linked against, but listed
#    by nm -D); lld does not. Both must be absent: nm -D lists only rtrl_*.
nm -D --defined-only "$lib" > "$tmp/nm"
awk '$2 ~ /^[A-Z]$/ { print $3 }' "$tmp/nm" | sort > "$tmp/exported"
awk '$2 ~ /^[a-z]$/ { print $3 }' "$tmp/nm" | sort > "$tmp/local"
foreign=$(grep -v '^rtrl_' "$tmp/exported" | tr '\n' ' ')
check "only rtrl_* exported ($(wc -l < "$tmp/exported") global symbols)" test -z "$foreign"
[ -n "$foreign" ] && echo "  not rtrl_: $foreign"
check "nm -D --defined-only lists only rtrl_* ($(wc -l < "$tmp/local") local entries in .dynsym)" test ! -s "$tmp/local"
[ -s "$tmp/local" ] && echo "  local entries (link with lld: -use-ld=lld): $(head -3 "$tmp/local" | tr '\n' ' ')..."

# 2. Header <-> exports. Declarations start at the beginning of a line (comments do not).
sed -nE 's/^[a-z][a-z0-9_ ]*[ *](rtrl_[a-z0-9_]+)\(.*/\1/p' "$header" | sort -u > "$tmp/declared"
missing=$(comm -23 "$tmp/declared" "$tmp/exported" | tr '\n' ' ')
undeclared=$(comm -13 "$tmp/declared" "$tmp/exported" | tr '\n' ' ')
check "all $(wc -l < "$tmp/declared") header functions exported" test -z "$missing"
[ -n "$missing" ] && echo "  not exported: $missing"
check "every exported function declared in rtrl.h" test -z "$undeclared"
[ -n "$undeclared" ] && echo "  undeclared: $undeclared"

# 3. The misuse suites call every function (the stream adapter's in test_stream.c).
untested=$(while read -r f; do grep -q "\b$f(" "$here/test_misuse.c" "$here/test_stream.c" || echo "$f"; done < "$tmp/declared" | tr '\n' ' ')
check "the misuse suites (test_misuse.c, test_stream.c) call every header function" test -z "$untested"
[ -n "$untested" ] && echo "  not called: $untested"

# 4. SONAME and dependencies.
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
check "SONAME $soname" test "$soname" = librtrl.so.0
ldd "$lib" > "$tmp/ldd"
check "ldd: no Swift library ($(awk '{print $1}' "$tmp/ldd" | grep -v vdso | tr '\n' ' '))" \
    bash -c "! grep -Eiq 'swift|libFoundation|libdispatch|BlocksRuntime' '$tmp/ldd'"
check "ldd: every dependency found" bash -c "! grep -q 'not found' '$tmp/ldd'"

# 5. Install, build the examples through pkg-config, run them without LD_LIBRARY_PATH.
rm -rf "$prefix"
if make -s -C "$root" -f mk/install.mk install PREFIX="$prefix" RELEASE_DIR="$libdir" > "$tmp/install.log" 2>&1; then
    ok "make install PREFIX=$prefix"
else
    bad "make install PREFIX=$prefix"; cat "$tmp/install.log"
fi
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
check "pkg-config --modversion rtrl = $(pkg-config --modversion rtrl 2>/dev/null)" \
    test "$(pkg-config --modversion rtrl 2>/dev/null)" = "$(sed -n 's/^#define RTRL_VERSION_STRING "\(.*\)"/\1/p' "$header")"
if make -s -C "$root/examples/c" BUILD="$tmp/examples" > "$tmp/build.log" 2>&1; then
    ok "examples build through pkg-config"
else
    bad "examples build through pkg-config"; cat "$tmp/build.log"
fi
check "sine runs without LD_LIBRARY_PATH" \
    bash -c "env -u LD_LIBRARY_PATH '$tmp/examples/sine' 2000 50 > '$tmp/sine.out' && grep -q 'free run' '$tmp/sine.out'"
check "online_csv runs without LD_LIBRARY_PATH" \
    bash -c "printf 'a,b\n1,2\n2,3\n3,4\n' | env -u LD_LIBRARY_PATH '$tmp/examples/online_csv' 2>/dev/null | grep -q '^3,'"
check "the examples load the installed library" \
    bash -c "env -u LD_LIBRARY_PATH ldd '$tmp/examples/sine' | grep -q '$prefix/lib/librtrl.so.0'"
echo "library: $(stat -c %s "$lib") bytes ($(strip --strip-debug -o "$tmp/s.so" "$lib" && stat -c %s "$tmp/s.so") without debug info)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
