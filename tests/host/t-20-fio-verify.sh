#!/bin/bash
# fio with data verification (tests/fio/verify/, as the guest's t-50) on
# vfsd-server over FUSE. The host is fast: a wider subset than the
# guest's; VFSD_FULL=1 runs every job file. Results: $VFSD_RESULTS/fio-*/.
set -euo pipefail
HOST_DEFAULT_TARGETS="mem dir"
# shellcheck source=tests/host/fuse-targets.sh
. "$(dirname "$0")/fuse-targets.sh"

command -v fio >/dev/null || skip "fio is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"

jobs_for() {
	local d=$VFSD_PROJECT/tests/fio/verify
	case $1 in
	dir) echo "$d/psync.fio $d/io_uring.fio $d/mmap.fio" ;;
	*) echo "$d/io_uring.fio $d/shared-file.fio $d/libaio.fio $d/mmap.fio" ;;
	esac
}

fio_verify() {
	local t=$1 mnt=$2 jobs=${FIO_JOBS:-} rc
	[[ -n $jobs || ${VFSD_FULL:-0} = 1 ]] || jobs=$(jobs_for "$t")
	mkdir "$mnt/fio" || return 1
	# shellcheck disable=SC2086 # a list of job files
	"$VFSD_PROJECT/tests/fio/verify/run.sh" -o "$VFSD_RESULTS/fio-$t" \
		"$mnt/fio" $jobs | sed "s/^/[$TEST_NAME] $t: /"
	rc=${PIPESTATUS[0]}
	rmdir "$mnt/fio" || return 1
	return "$rc"
}

for_each_target fio_verify
