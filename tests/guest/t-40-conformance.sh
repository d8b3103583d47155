#!/bin/bash
# POSIX conformance of the write path: fsconform on every target (see
# fs-targets.sh), holding vfsd to every feature its ABI has (rename flags,
# xattrs, fallocate, O_DIRECT). FSCONFORM_FLAGS adds options, e.g.
# --no-xattr. The full output goes to $VFSD_RESULTS/fsconform-TARGET.log.
set -euo pipefail
# Also with the server checking permissions (the module then sends CREATE
# for open(O_CREAT), and access is the server's).
FS_DEFAULT_TARGETS="dir mem mem-srvperm"
# shellcheck source=tests/guest/fs-targets.sh
. "$(dirname "$0")/fs-targets.sh"

[[ -x $GUEST_BIN/fsconform ]] || fail "$GUEST_BIN/fsconform is not built"

# Local filesystems of the guest's kernel may lack features vfsd must have
# (tmpfs: user xattrs and O_DIRECT arrived in 6.6); the dir backend can
# only pass on the xattrs its source supports.
target_flags() {
	case $1 in
	tmpfs) echo --no-xattr --no-odirect ;;
	dir-tmpfs) echo --no-xattr ;;
	# The kernel does not ask the server about names it has cached.
	mem-srvperm) echo --no-search-check ;;
	esac
}

conformance() {
	local t=$1 mnt=$2 xdev out=$VFSD_RESULTS/fsconform-$1.log rc=0
	tmp_dir xdev	# on the guest's /tmp, another filesystem
	# shellcheck disable=SC2046,SC2086 # option lists
	"$GUEST_BIN/fsconform" $(target_flags "$t") ${FSCONFORM_FLAGS:-} \
		--xdev "$xdev" "$mnt" >"$out" 2>&1 || rc=$?
	grep -v '^ok ' "$out" | sed "s/^/[$TEST_NAME] $t: /"
	return "$rc"
}

for_each_target conformance
