#!/bin/bash
# A full server reports ENOSPC to the application: at write(2) when the
# data goes straight through (O_DIRECT), else at fsync(2) and close(2)
# after writeback failed; never EIO. The files that fit stay intact.
set -euo pipefail
. "$(dirname "$0")/vfsd-test.sh"

require_guest
MNT=$(make_tmpdir)
vfsd_start_server --backend=mem --size=8M "$MNT"

head -c $((4 << 20)) /dev/urandom >/tmp/vfsd-enospc.fit
cp /tmp/vfsd-enospc.fit "$MNT/fits" || fail "a 4 MiB file does not fit into 8 MiB"

# dd reports the error of write, fsync or close by name.
enospc_of() { # LABEL DD-ARGS...
	local label=$1 out
	shift
	if out=$(dd if=/dev/zero bs=1M count=16 "$@" 2>&1); then
		fail "$label: 16 MiB into an 8 MiB server succeeded"
	fi
	grep -q "No space left on device" <<<"$out" ||
		fail "$label: not ENOSPC: $(tail -1 <<<"$out")"
	pass "$label: ENOSPC"
}
enospc_of "buffered, fsync" of="$MNT/big1" conv=fsync
rm -f "$MNT/big1"
enospc_of "buffered, close" of="$MNT/big2"
rm -f "$MNT/big2"
enospc_of "O_DIRECT" of="$MNT/big3" oflag=direct
rm -f "$MNT/big3"

cmp "$MNT/fits" /tmp/vfsd-enospc.fit || fail "the file that fit changed"
# The space of the removed files came back.
cp /tmp/vfsd-enospc.fit "$MNT/again" || fail "space not freed by unlink"
pass "space freed by unlink, earlier file intact"
vfsd_stop_server "$MNT"
