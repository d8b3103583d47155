#!/bin/bash
# Random file operations checked against a model (opmix) on every target
# (see fs-targets.sh): OPMIX_OPS (default 25000 to fit run-all's per-test
# timeout under TCG, 100000 with VFSD_FULL=1) buffered/mmap/fallocate
# ops on an 8 MiB file, reopening and dropping caches every 1000 ops; then
# a quarter as many with O_DIRECT mixed in on a 1 MiB file. OPMIX_SEED
# repeats a run (the seed is printed). With the dir backend, the source
# file must equal the mounted one once opmix has fsynced it.
set -euo pipefail
# shellcheck source=tests/guest/fs-targets.sh
. "$(dirname "$0")/fs-targets.sh"

[[ -x $GUEST_BIN/opmix ]] || fail "$GUEST_BIN/opmix is not built"
if [[ ${VFSD_FULL:-0} = 1 ]]; then
	OPMIX_OPS=${OPMIX_OPS:-100000}
else
	OPMIX_OPS=${OPMIX_OPS:-25000}
fi

# opmix -k leaves DIR/opmix.PID; compare it with the dir backend's copy.
same_as_source() {
	local f=$1
	[[ -n $TARGET_SRC ]] || return 0
	cmp "$f" "$TARGET_SRC/${f##*/}" || { log "$f differs from the source"; return 1; }
	log "ok: the dir backend's source file matches the mount"
}

opmix_runs() {
	local mnt=$2 seed=${OPMIX_SEED:-$((RANDOM << 15 | RANDOM))} f
	"$GUEST_BIN/opmix" -n "$OPMIX_OPS" -s "$seed" -r 1000 -k "$mnt" || return 1
	f=$(echo "$mnt"/opmix.*)
	same_as_source "$f" || return 1
	rm -f "$f"
	"$GUEST_BIN/opmix" -n $((OPMIX_OPS / 4)) -s "$seed" -S 1m -r 500 -d "$mnt" ||
		return 1
}

for_each_target opmix_runs
