#!/bin/bash
# stress-ng filesystem stressors on every target (see fs-targets.sh) for
# STRESS_NG_TIMEOUT (default 30s), all at once, with --verify, in a
# directory on the mount. Passes when stress-ng exits 0 (a stressor that
# skips itself as unsupported is a failure), leaves that directory empty,
# and the kernel log stays clean. STRESS_NG_STRESSORS replaces the stressor list; the log
# goes to $VFSD_RESULTS/stress-ng-TARGET.log.
set -euo pipefail
# shellcheck source=tests/guest/fs-targets.sh
. "$(dirname "$0")/fs-targets.sh"

require_tool stress-ng

# Data (hdd, iomix, mmap/msync on files, readahead, seek, sync-file,
# fallocate), namespace (dentry, dir, dirdeep, rename, link, symlink,
# filename, getdent), attributes (chmod, chown, utime, xattr) and locks
# (flock, lockf, fcntl). Sizes fit a 1 GiB guest. Not madvise: as root it
# poisons pages (MADV_HWPOISON); not copy-file: it wants 128 MiB or more.
STRESSORS=${STRESS_NG_STRESSORS:-"--hdd 2 --hdd-bytes 16M
	--iomix 1 --iomix-bytes 16M --mmap 1 --mmap-file --mmap-bytes 16M
	--msync 1 --msync-bytes 16M --readahead 1
	--readahead-bytes 16M --seek 1 --seek-size 16M --sync-file 1
	--sync-file-bytes 16M --fallocate 1 --fallocate-bytes 16M
	--dentry 1 --dir 1 --dirdeep 1 --dirdeep-dirs 1 --dirdeep-inodes 2000
	--rename 1 --link 1 --symlink 1 --filename 1 --getdent 1
	--chmod 1 --chown 1 --utime 1 --xattr 1 --flock 1 --lockf 1 --fcntl 1"}

# The guest's 6.1 tmpfs has no user xattrs (6.6 added them), nor has the
# dir backend with its source there.
target_stressors() {
	if [[ $1 = tmpfs || $1 = dir-tmpfs ]]; then
		echo "${STRESSORS/--xattr 1/}"
	else
		echo "$STRESSORS"
	fi
}

stress() {
	local t=$1 dir=$2/stress out=$VFSD_RESULTS/stress-ng-$1.log rc=0 left
	rm -f "$out"
	mkdir "$dir" || return 1
	# In the directory: stress-ng also wants a writable cwd.
	# shellcheck disable=SC2046 # a list of options
	(cd "$dir" && exec stress-ng --temp-path "$dir" \
		--timeout "${STRESS_NG_TIMEOUT:-30s}" --verify --metrics-brief \
		--log-file "$out" $(target_stressors "$t")) >/dev/null 2>&1 || rc=$?
	if [[ $rc -ne 0 ]]; then
		log "$t: stress-ng exit $rc:"
		grep -aE 'fail|error|terminated' "$out" | head -20
		return 1
	fi
	left=$(find "$dir" -mindepth 1 | head -5)
	[[ -z $left ]] || { log "$t: stress-ng left files behind: $left"; return 1; }
	rmdir "$dir"
}

for_each_target stress
