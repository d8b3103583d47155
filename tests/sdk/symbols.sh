#!/bin/bash
# The exported symbols are exactly the functions of <vfsd/vfsd.h>: every
# one listed in libvfsd/libvfsd.map, every one exported by the built
# library with a symbol version, and nothing else (libvfsd's internals
# stay local).
# usage: symbols.sh SRCDIR BUILDDIR
. "$(dirname "$0")/lib.sh"

# Between "global:" and "local:", without comments.
sed -n '/global:/,/local:/p' "$SRC/libvfsd/libvfsd.map" |
	grep -oE '^\s*vfsd_[a-z0-9_]+;' | tr -d ' \t;' | sort >"$TMP/map"
"$CC" -E -P -I"$SRC/include" "$SRC/include/vfsd/vfsd.h" |
	grep -oE '\bvfsd_[a-z0-9_]+ *\(' | tr -d ' (' | sort -u >"$TMP/header"
nm -D --defined-only "$BUILD/libvfsd/libvfsd.so" |
	awk '$2 != "A" { print $3 }' | sort >"$TMP/lib.versioned"
sed 's/@.*//' "$TMP/lib.versioned" >"$TMP/lib"

diff -u "$TMP/header" "$TMP/map" || fail "libvfsd.map and <vfsd/vfsd.h> differ"
diff -u "$TMP/map" "$TMP/lib" || fail "the library exports other symbols than libvfsd.map"
if grep -v '@@VFSD_0\.[0-9]*$' "$TMP/lib.versioned"; then
	fail "exported without a VFSD_ symbol version"
fi
echo "$(wc -l <"$TMP/map") symbols, all in <vfsd/vfsd.h>, libvfsd.map and the library"
echo "PASS"
