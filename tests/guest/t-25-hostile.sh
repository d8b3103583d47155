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
# HOSTILE_CASES="a b" runs only those cases.
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
tool=$VFSD_BUILD/tests/guest/hostile
failed=()
for c in ${HOSTILE_CASES:-$("$tool" list)}; do
	out=$VFSD_RESULTS/hostile-$c.out
	# To a file: a stuck child must not hold a pipe open.
	if timeout -k 10 300 "$tool" "$c" "$MNT" >"$out" 2>&1; then
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
	# No task of the case may be left in D state.
	stuck=$(ps -eo stat=,pid=,comm= | awk '$1 ~ /^D/ && $3 == "hostile"')
	[[ -z $stuck ]] || failed+=("$c(D state: $stuck)")
done
# Every connection must be gone: rmmod proves no reference leaked.
unload_module
load_module
dmesg_check
[[ ${#failed[@]} -eq 0 ]] || fail "attacks that worked or hung: ${failed[*]}"
pass "every hostile-server case found the safe behaviour; the module unloads"
