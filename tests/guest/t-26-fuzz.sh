#!/bin/bash
# Reply fuzzer (tests/guest/replyfuzz.c): a raw-ABI server answers a real
# workload (open/read/write/stat/readdir/mkdir/create/unlink/rename/
# symlink/readlink/link/xattr/truncate/mmap/O_DIRECT, several processes)
# with replies mutated at random: ids, tags, results, lengths, attributes,
# nodeids and aliases, dirents, open flags, cq_tail/sq_head. No call may
# hang, the kernel must not splat, protocol_errors must grow, and umount
# and rmmod must work at the end. The seed is printed; rerun one with
# FUZZ_SEED=N. FUZZ_REPLIES (default 100000; VFSD_FULL=1: 1000000) sets
# the length; FUZZ_EPOCH, FUZZ_RATE, FUZZ_PROCS tune it (see replyfuzz.c).
set -euo pipefail
. "$(dirname "$0")/vfsd-test.sh"

MNT=$(make_tmpdir)
replies=${FUZZ_REPLIES:-100000}
[[ ${VFSD_FULL:-0} = 1 ]] && replies=${FUZZ_REPLIES:-1000000}
# KASAN under TCG: the same replies take about three times as long.
[[ $VFSD_KERNEL == kdebug ]] && export FUZZ_MAX_SECS=${FUZZ_MAX_SECS:-3300}
seed=${FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
load_module
dmesg_mark
out=$VFSD_RESULTS/replyfuzz.out
# To a file: a stuck workload must not hold a pipe open.
if ! "$VFSD_BUILD/tests/guest/replyfuzz" "$MNT" "$replies" "$seed" >"$out" 2>&1; then
	cat "$out"
	fail "replyfuzz failed (seed $seed)"
fi
grep -v '^replyfuzz: epoch' "$out" | while read -r l; do log "$l"; done
grep -qs " $MNT " /proc/mounts && fail "a fuzzed mount was left behind"
unload_module
load_module
dmesg_check
pass "$replies fuzzed replies (seed $seed): no hang, no splat, umount and rmmod work"
