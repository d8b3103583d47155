#!/bin/bash
# A broken server (bad ids, lengths, errnos, attributes, dirents, ring
# indices, a hang, touching pages after replying) gets errors, never a
# kernel crash; applications see EIO or ENOTCONN; umount works after.
set -euo pipefail
. "$(dirname "$0")/vfsd-test.sh"

MNT=$(make_tmpdir)
load_module
for c in $("$VFSD_BUILD/tests/guest/badserver" list); do
	# To a file: a stuck child must not hold a pipe open.
	timeout -k 5 60 "$VFSD_BUILD/tests/guest/badserver" "$c" "$MNT" \
		>"$VFSD_RESULTS/badserver.out" 2>&1 ||
		fail "badserver $c: $(cat "$VFSD_RESULTS/badserver.out")"
	log "$(cat "$VFSD_RESULTS/badserver.out")"
done
grep -qs " $MNT " /proc/mounts && fail "a bad-server mount was left behind"
pass "every broken-server case got an error and unmounted"
