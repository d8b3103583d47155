#!/bin/bash
# An example built out of tree against the installed library, the way a
# server author builds: `meson install` into a temporary DESTDIR, then
# cc examples/hello.c $(pkg-config --cflags --libs vfsd), and run it
# with every symbol bound at start (LD_BIND_NOW) far enough to prove it
# links and finds the library it was built against.
# usage: out-of-tree.sh SRCDIR BUILDDIR
. "$(dirname "$0")/lib.sh"

A=$TMP/destdir
say "meson install --destdir $A"
install_to "$A"
for f in vfsd/vfsd.h linux/vfsd.h; do
	[[ -n $(find "$A" -path "*/include/$f") ]] || fail "$f is not installed"
done

flags=$(pc "$A" --cflags --libs)
say "pkg-config --cflags --libs vfsd: $flags"
version=$(sed -n 's/^ *version: .\([0-9.]*\).,$/\1/p' "$SRC/meson.build" | head -1)
[[ $(pc "$A" --modversion) = "$version" ]] ||
	fail "vfsd.pc's version is not the project's"

say "cc hello.c"
# shellcheck disable=SC2086
"$CC" -std=gnu11 -Wall -Wextra -Werror -o "$TMP/hello" "$SRC/examples/hello.c" $flags
# The ABI header a server needs for VFSD_PCI_DEV() and VFSD_FEAT_*.
# shellcheck disable=SC2086
"$CC" -std=gnu11 -Wall -Wextra -Werror -o "$TMP/probe" "$SRC/tests/sdk/abi_probe.c" $flags

lib=$(libdir "$A")
grep -q 'SONAME.*\[libvfsd\.so\.0\]' <<<"$(readelf -d "$lib/libvfsd.so.0")" ||
	fail "the soname is not libvfsd.so.0"
grep -q 'VFSD_0\.1' <<<"$(readelf -V "$TMP/hello")" ||
	fail "hello does not bind to the symbol version VFSD_0.1"

say "hello --version"
out=$(LD_LIBRARY_PATH=$lib LD_BIND_NOW=1 "$TMP/hello" --version) || fail "hello --version failed"
echo "$out"
grep -qF "built with libvfsd $version, running on $version" <<<"$out" ||
	fail "unexpected version line (want $version both)"
# Not piped into grep -q: under pipefail its early exit would fail ldd.
deps=$(LD_LIBRARY_PATH=$lib ldd "$TMP/hello")
grep -q "libvfsd.so.0 => $lib/" <<<"$deps" || fail "hello does not load the installed library"

say "abi_probe"
LD_LIBRARY_PATH=$lib LD_BIND_NOW=1 "$TMP/probe" || fail "abi_probe failed"
echo "PASS"
