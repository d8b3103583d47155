#!/bin/bash
# fsconform (tests/guest/fsconform*.c, the guest's t-40) on vfsd-server
# over FUSE: the transport must keep every behaviour the module gives.
# Full output: $VFSD_RESULTS/fsconform-TARGET.log.
set -euo pipefail
# shellcheck source=tests/host/fuse-targets.sh
. "$(dirname "$0")/fuse-targets.sh"

[[ -x $GUEST_BIN/fsconform ]] || fail "$GUEST_BIN/fsconform is not built"

target_flags() {
	case $1 in
	# The kernel does not ask the server about names it has cached.
	mem-srvperm) echo --no-search-check ;;
	esac
}

conformance() {
	local t=$1 mnt=$2 xdev out=$VFSD_RESULTS/fsconform-$1.log rc=0
	tmp_dir xdev	# the host's /tmp: another filesystem
	# shellcheck disable=SC2046 # an option list
	"$GUEST_BIN/fsconform" $(target_flags "$t") --xdev "$xdev" "$mnt" \
		>"$out" 2>&1 || rc=$?
	grep -v '^ok ' "$out" | sed "s/^/[$TEST_NAME] $t: /"
	return "$rc"
}

for_each_target conformance
