#!/bin/bash
# fio with data verification on every target (see fs-targets.sh): the jobs
# in tests/fio/verify/ (psync, libaio, io_uring, mmap; sequential and
# random; buffered and O_DIRECT; one shared file and many files). FIO_JOBS
# picks job files (paths); results go to $VFSD_RESULTS/fio-TARGET/.
set -euo pipefail
# shellcheck source=tests/guest/fs-targets.sh
. "$(dirname "$0")/fs-targets.sh"

require_tool fio
require_tool python3

# Under TCG every job file takes about a minute: the default run takes the
# engines and sharing patterns that differ most; VFSD_FULL=1 runs them all.
quick_jobs() {
	local d=$VFSD_PROJECT/tests/fio/verify
	if [[ $1 = dir ]]; then
		echo "$d/psync.fio"
	else
		echo "$d/io_uring.fio $d/shared-file.fio"
	fi
}

fio_verify() {
	local t=$1 mnt=$2 jobs=${FIO_JOBS:-}
	[[ -n $jobs || ${VFSD_FULL:-0} = 1 ]] || jobs=$(quick_jobs "$t")
	mkdir "$mnt/fio" || return 1
	# shellcheck disable=SC2086 # a list of job files
	"$VFSD_PROJECT/tests/fio/verify/run.sh" -o "$VFSD_RESULTS/fio-$t" \
		"$mnt/fio" $jobs | sed "s/^/[$TEST_NAME] $t: /"
	local rc=${PIPESTATUS[0]}
	rmdir "$mnt/fio" || return 1
	return "$rc"
}

for_each_target fio_verify
