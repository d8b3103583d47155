#!/bin/bash
# The main job, inside the guest: mount a vfsd filesystem served by
# vfsd-server and run fio on it, printing one line per job.
# usage: tests/bench/main-job.sh [BACKEND]   (dir, or mem when built)
set -euo pipefail
. "$(dirname "$0")/../guest/vfsd-test.sh"

backend=${1:-dir}
SRC=$(make_tmpdir)
MNT=$(make_tmpdir)
SIZE=${VFSD_BENCH_SIZE:-256M}

case $backend in
dir) vfsd_start_server --backend=dir --source="$SRC" "$MNT" ;;
*) vfsd_start_server --backend="$backend" "$MNT" ;;
esac
conn=$(vfsd_conn_of "$MNT")
log "vfsd-server --backend=$backend mounted on $MNT (connection $conn)"

# Lay the file out through the mount, then read it back cold.
fio_job() {
	local name=$1
	shift
	fio --name="$name" --directory="$MNT" --filename=bench.dat --size="$SIZE" \
		--output-format=terse --terse-version=3 "$@" |
		awk -F';' -v n="$name" '{ printf "%-22s read %8.1f MiB/s %8d IOPS   write %8.1f MiB/s %8d IOPS\n",
			n, $7 / 1024, $8, $48 / 1024, $49 }'
}

printf '%-22s %s\n' job result
fio_job seq-write-1m --rw=write --bs=1M --end_fsync=1
echo 3 >/proc/sys/vm/drop_caches
fio_job seq-read-1m --rw=read --bs=1M
echo 3 >/proc/sys/vm/drop_caches
fio_job rand-read-4k --rw=randread --bs=4k --runtime=10 --time_based
echo "bytes_mapped=$(vfsd_counter "$conn" bytes_mapped) bytes_copied=$(vfsd_counter "$conn" bytes_copied)"
vfsd_stop_server "$MNT"
