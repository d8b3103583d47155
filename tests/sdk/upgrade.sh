#!/bin/bash
# Issue 18's "done when": a server built against today's installed header
# and library keeps running after the library is rebuilt with a new field
# added to the options (and a new op added to struct vfsd_ops).
#
#  1. install this build into A; build tests/sdk/abi_probe.c against A
#     with pkg-config (the "old" server); it runs on A;
#  2. build libvfsd again from the same tree with -DVFSD_TEST_GROW_OPTS,
#     which appends test_grown to struct vfsd_session_opts and
#     test_grown_op to struct vfsd_ops (the "new" library, B);
#  3. run the old server on B (LD_LIBRARY_PATH): it must work, and B must
#     see the option and the op it has and the server lacks as unset (it
#     logs "grown option reads 0", "grown op is NULL"). The server's own
#     non-zero bytes right after its options are what B would see if it
#     read past opts.size: it then refuses the session and this fails;
#  4. the other way round: a server built against B's header runs on A
#     while it leaves the new option unset, and A refuses it (rather
#     than ignore it) once it sets it.
# usage: upgrade.sh SRCDIR BUILDDIR
. "$(dirname "$0")/lib.sh"

A=$TMP/a
say "1. install into $A, build the old server against it"
install_to "$A"
liba=$(libdir "$A")
# shellcheck disable=SC2086
"$CC" -std=gnu11 -Wall -Wextra -Werror -o "$TMP/old-server" \
	"$SRC/tests/sdk/abi_probe.c" $(pc "$A" --cflags --libs)
LD_LIBRARY_PATH=$liba LD_BIND_NOW=1 "$TMP/old-server" >"$TMP/old-on-a" ||
	{ cat "$TMP/old-on-a"; fail "the old server does not run on its own library"; }
cat "$TMP/old-on-a"

say "2. rebuild libvfsd with a grown struct vfsd_session_opts (B)"
B=$TMP/b
meson setup "$B" "$SRC" -Dkmod=false -Dtests=disabled \
	-Dc_args=-DVFSD_TEST_GROW_OPTS >"$TMP/setup-b.log" 2>&1 ||
	{ cat "$TMP/setup-b.log"; fail "meson setup of B"; }
meson compile -C "$B" vfsd:shared_library >"$TMP/build-b.log" 2>&1 ||
	{ cat "$TMP/build-b.log"; fail "building B"; }
libb=$B/libvfsd

say "3. the old server on the new library"
set +e
LD_LIBRARY_PATH=$libb LD_BIND_NOW=1 "$TMP/old-server" >"$TMP/old-on-b"
rc=$?
set -e
cat "$TMP/old-on-b"
deps=$(LD_LIBRARY_PATH=$libb ldd "$TMP/old-server")
grep -q "libvfsd.so.0 => $libb/" <<<"$deps" || fail "the old server did not load B"
grep -q "test: grown option reads 0$" "$TMP/old-on-b" ||
	fail "B did not see the new option as unset"
grep -q "test: grown op is NULL$" "$TMP/old-on-b" || fail "B did not see the new op as unset"
[[ $rc = 0 ]] && grep -q "^probe: ok$" "$TMP/old-on-b" ||
	fail "the old server stopped working on the new library (exit $rc)"

say "4. a server built against B's header on the old library A"
# shellcheck disable=SC2046
"$CC" -std=gnu11 -Wall -Wextra -Werror -DVFSD_TEST_GROW_OPTS -I"$SRC/include" \
	-o "$TMP/new-server" "$SRC/tests/sdk/abi_probe.c" -L"$libb" -lvfsd
LD_LIBRARY_PATH=$liba LD_BIND_NOW=1 "$TMP/new-server" >"$TMP/new-on-a" ||
	{ cat "$TMP/new-on-a"; fail "a newer server that uses nothing new does not run on A"; }
cat "$TMP/new-on-a"
set +e
PROBE_SET_GROWN=1 LD_LIBRARY_PATH=$liba "$TMP/new-server" >"$TMP/new-set-on-a"
rc=$?
set -e
cat "$TMP/new-set-on-a"
[[ $rc != 0 ]] && grep -q "need a newer libvfsd" "$TMP/new-set-on-a" ||
	fail "A did not refuse an option it does not have"
echo "PASS"
