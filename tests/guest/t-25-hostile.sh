#!/bin/bash
# A hostile server (tests/guest/hostile.c) attacks the module through the
# raw ABI: completes from a forked child, mremaps/munmaps/mprotects its
# window, stores into read-only pages, looks around O_DIRECT buffers,
# forces DIRECT_IO, reads fresh pages before writing them, answers with
# aliases of existing nodeids and type-changing nodeids, serves from
# several threads and processes, and dies (kill -9) at every stage. Every
# case must find the safe behaviour, every application call must return
# within a bounded time, and the module must unload afterwards.
#
# Every case runs three times: with the default window (nothing pinnable),
# with HOSTILE_PIN=1, where the server asks for VFSD_SETUP_PIN and its DMA
# stand-in (tests/xdma-standin, loaded here) pins window pages, and with
# HOSTILE_PIN=2, where it asks for VFSD_SETUP_READ_SLOTS (one-page READs
# in slots that stay mapped).
#
# HOSTILE_CASES="a b" runs only those cases, HOSTILE_MODES="1" only the
# pinnable mode.
set -euo pipefail
. "$(dirname "$0")/vfsd-test.sh"

MNT=$(make_tmpdir)
load_module
dmesg_mark
if dmesg | grep -q 'mem auto-init:.*heap alloc:off'; then
	log "init_on_alloc is off: zero-pages sees fresh pages as the allocator left them"
else
	log "init_on_alloc is on (or unknown): zero-pages alone cannot tell; run with --append init_on_alloc=0"
fi
# The DMA stand-in, built with the module for the same kernel.
standin=$(dirname "$VFSD_MODULE")/../tests/xdma-standin/xdma_standin.ko
[[ -f $standin ]] || fail "no xdma stand-in module at $standin"
grep -q '^xdma_standin ' /proc/modules || insmod "$standin" ||
	fail "insmod $standin"
tool=$VFSD_BUILD/tests/guest/hostile
failed=()
for mode in ${HOSTILE_MODES:-0 1 2}; do
	for c in ${HOSTILE_CASES:-$("$tool" list)}; do
		name=$c
		case $mode in 1) name+=+pin ;; 2) name+=+slots ;; esac
		out=$VFSD_RESULTS/hostile-$name.out
		# To a file: a stuck child must not hold a pipe open.
		if HOSTILE_PIN=$mode timeout -k 10 300 "$tool" "$c" "$MNT" >"$out" 2>&1; then
			log "$(grep '^ok ' "$out")"
		else
			log "case $name failed (status $?):"
			sed 's/^/    /' "$out"
			failed+=("$name")
		fi
		if grep -qs " $MNT " /proc/mounts; then
			umount -l "$MNT" || true
			failed+=("$name(mount left behind)")
		fi
		# No task of the case may be left in D state.
		stuck=$(ps -eo stat=,pid=,comm= | awk '$1 ~ /^D/ && $3 == "hostile"')
		[[ -z $stuck ]] || failed+=("$name(D state: $stuck)")
	done
done
# Every connection must be gone: rmmod proves no reference leaked, and
# no pin the stand-in took outlived its file.
unload_module
rmmod xdma_standin || failed+=("rmmod xdma_standin")
load_module
dmesg_check
[[ ${#failed[@]} -eq 0 ]] || fail "attacks that worked or hung: ${failed[*]}"
pass "every hostile-server case found the safe behaviour; the module unloads"
