#!/bin/bash
# io_uring registered buffers (VFSD_URING_CMD_*_BUF, Linux 7.3): a raw-ABI
# server (tests/guest/uringbuf.c) uses and attacks them: READ_FIXED and
# WRITE_FIXED through a request's pages, the wrong direction, a reply while
# the buffer is still registered or still in use by a pending read, a
# forked child, bad ids/slots/flags, O_DIRECT pages, kill -9 with I/O
# pending, and a ring that outlives the mount and /dev/vfsd (rmmod must be
# refused until it closes). Before 7.3 the feature must be absent and the
# command refused. URINGBUF_CASES="a b" runs only those.
set -euo pipefail
. "$(dirname "$0")/vfsd-test.sh"

MNT=$(make_tmpdir)
tool=$VFSD_BUILD/tests/guest/uringbuf
load_module
dmesg_mark
kver=$(uname -r)
IFS=. read -r major minor _ <<<"$kver"
if ((major > 7 || (major == 7 && minor >= 3))); then
	cases=${URINGBUF_CASES:-$("$tool" list)}
else
	cases=absent
fi
failed=()
for c in $cases; do
	out=$VFSD_RESULTS/uringbuf-$c.out
	# To a file: a stuck child must not hold a pipe open.
	if timeout -k 10 180 "$tool" "$c" "$MNT" >"$out" 2>&1; then
		log "$(grep '^ok ' "$out")"
	else
		log "case $c failed (status $?):"
		sed 's/^/    /' "$out"
		failed+=("$c")
	fi
	if grep -qs " $MNT " /proc/mounts; then
		umount -l "$MNT" || true
		failed+=("$c(mount left behind)")
	fi
	stuck=$(ps -eo stat=,pid=,comm= | awk '$1 ~ /^D/ && $3 == "uringbuf"')
	[[ -z $stuck ]] || failed+=("$c(D state: $stuck)")
done
if grep -qw held-read <<<"$cases"; then
	dmesg_expect "READ pages still held by the server after its reply"
fi
if grep -qw held-write <<<"$cases"; then
	dmesg_expect "WRITE pages still in the server's io_uring after its reply"
fi
# Every buffer was released: rmmod proves no page or module reference
# leaked (the rings of the kill and outlive cases end asynchronously).
unload_module
load_module
dmesg_check
[[ ${#failed[@]} -eq 0 ]] || fail "attacks that worked or hung: ${failed[*]}"
pass "registered buffers on $kver: ${cases//$'\n'/ } found the safe behaviour; the module unloads"
