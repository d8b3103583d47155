#!/bin/bash
# Direct map on the emulated card (run-guest.sh --card): a server exports
# the first MiB of the ivshmem BAR as a file; stores through mmap reach the
# host's backing file without msync, two processes share the pages,
# read/write copy straight to card memory, and no request carries data.
set -euo pipefail
. "$(dirname "$0")/vfsd-test.sh"

require_guest
GUEST_BIN=$VFSD_BUILD/tests/guest
[[ -n ${VFSD_CARD_FILE:-} ]] || skip "no card attached (run-guest.sh --card)"
bdf=
for d in /sys/bus/pci/devices/*; do
	if [[ $(cat "$d/vendor") = 0x1af4 && $(cat "$d/device") = 0x1110 ]]; then
		bdf=${d##*/}
	fi
done
[[ -n $bdf ]] || fail "--card given but no ivshmem device (1af4:1110)"

load_module
MNT=$(make_tmpdir)
ready=/tmp/dmapcheck.ready
rm -f "$ready"
"$GUEST_BIN/dmapcheck" serve "$MNT" "$bdf" $((1 << 20)) "$ready" &
VFSD_SERVER_PID=$!
defer "umount -l '$MNT' 2>/dev/null; kill -9 $VFSD_SERVER_PID 2>/dev/null; true"
wait_for 20 test -e "$ready" || fail "dmapcheck server did not start"

conn=$(vfsd_conn_of "$MNT")
requests=$(vfsd_counter "$conn" requests)
if ! "$GUEST_BIN/dmapcheck" check "$MNT/card" "$VFSD_CARD_FILE" >/tmp/dmapcheck.out; then
	sed "s/^/[$TEST_NAME] /" /tmp/dmapcheck.out
	fail "dmapcheck found failures"
fi
grep -v '^ok ' /tmp/dmapcheck.out | sed "s/^/[$TEST_NAME] /"
direct=$(vfsd_counter "$conn" bytes_direct)
mapped=$(vfsd_counter "$conn" bytes_mapped)
[[ $direct -ge 8192 ]] || fail "bytes_direct is $direct after read/write"
[[ $mapped -eq 0 ]] || fail "$mapped bytes went through the window"
pass "bytes_direct $direct, bytes_mapped 0, $(( $(vfsd_counter "$conn" requests) - requests )) requests for the whole check"
vfsd_stop_server "$MNT"
