#!/bin/bash
# A broken server (bad ids, lengths, errnos, attributes, dirents, ring
# indices, a hang, touching pages after replying) gets errors, never a
# kernel crash; applications see EIO or ENOTCONN; umount works after.
set -euo pipefail
. "$(dirname "$0")/vfsd-test.sh"

MNT=$(mktemp -d /tmp/vfsd-bad.XXXXXX)
for c in $("$VFSD_BUILD/tests/guest/badserver" list); do
	out=$(timeout 60 "$VFSD_BUILD/tests/guest/badserver" "$c" "$MNT" 2>&1) ||
		fail "badserver $c: $out"
	log "$out"
done
grep -qs " $MNT " /proc/mounts && fail "a bad-server mount was left behind"
pass "every broken-server case got an error and unmounted"
