#!/bin/bash
# Misused ioctls, mmaps and mount options get clear errors; the kernel
# explains bad mount options in its log.
set -euo pipefail
. "$(dirname "$0")/vfsd-test.sh"

MNT=$(make_tmpdir)
load_module
dmesg_mark
"$VFSD_BUILD/tests/guest/apicheck" "$MNT" || fail "apicheck"
dmesg_check
pass "every misuse got its error"

# With the mount(8) command, the reason reaches the user or the log.
if out=$(mount -t vfsd -o fd=99 none "$MNT" 2>&1); then
	fail "mount with a bad fd succeeded"
fi
dmesg_expect "fd=99 is not an open file" ||
	echo "$out" | grep -q "not an open file" || fail "no reason given: $out"
pass "mount(8) with a bad fd explains why"
