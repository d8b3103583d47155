#!/bin/bash
# Where the time goes: a system-wide perf profile (software cpu-clock, all
# CPUs, call graphs) of one workload on one target, inside the guest.
#
#   tests/vm/run-guest.sh --mem 2G -- tests/bench/profile.sh [options]
#     --target vfsd|fuse|tmpfs   (default vfsd)
#     --work randread|seqread|coldread|seqwrite|stat|create
#            (coldread: the benchmark's seqread-1m, a 32 MiB file read
#            with 1 MiB reads from a dropped page cache, three times, perf
#            around fio only; --out on tmpfs, e.g. /tmp/prof: perf cannot
#            write its data to the 9p results share on 7.3)
#     --seconds N                (default 5)
#     --jobs N                   randread: N fio jobs, each on its own
#                                file as the benchmark's -j2 rows (default 1)
#     --out DIR                  (default $VFSD_RESULTS/profile)
#
# Prints the top symbols (self time), the per-opcode request counts of the
# vfsd connection (/sys/fs/vfsd/<id>/ops) and the context switches per
# operation. Under TCG the proportions are the emulator's, not a real
# machine's; use it to find what dominates, then confirm with the benchmark.
set -euo pipefail
TEST_NAME=profile
# shellcheck source=tests/guest/vfsd-test.sh
. "$(dirname "$0")/../guest/vfsd-test.sh"

target=vfsd work=randread secs=5 out= jobs=1
while [[ $# -gt 0 ]]; do
	case $1 in
	--target) target=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) fail "unknown argument $1" ;;
	esac
done
require_guest
out=${out:-$VFSD_RESULTS/profile}
mkdir -p "$out"
METABENCH=$out/metabench
cc -O2 -Wall -pthread -o "$METABENCH" "$VFSD_PROJECT/tests/bench/metabench.c" ||
	fail "cannot build metabench"

mnt=$(mktemp -d /tmp/profile.XXXXXX)
conn=
case $target in
vfsd)
	vfsd_start_server --transport=vfsd --backend=mem --size=512M --queues=0 "$mnt"
	conn=$(vfsd_conn_of "$mnt") ;;
fuse)
	[[ -c /dev/fuse ]] || modprobe fuse
	"$VFSD_SERVER" -f --transport=fuse --backend=mem --size=512M --queues=0 "$mnt" &
	defer "umount -l '$mnt' 2>/dev/null; kill -9 $! 2>/dev/null; true"
	wait_for 20 eval "awk -v m='$mnt' '\$2 == m { f = 1 } END { exit !f }' /proc/mounts" ||
		fail "no FUSE mount" ;;
tmpfs)
	mount -t tmpfs -o size=512M tmpfs "$mnt"
	defer "umount -l '$mnt'" ;;
*) fail "unknown target $target" ;;
esac

ops() { [[ -z $conn ]] || cat "/sys/fs/vfsd/$conn/ops" 2>/dev/null || true; }
ctxt() { awk '$1 == "ctxt" { print $2 }' /proc/stat; }
# Interrupts of one kind (TLB: shootdowns, RES: rescheduling), all CPUs.
irqs() { awk -v k="$1:" '$1 == k { s = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s }' /proc/interrupts; }

fio_common=(--directory="$mnt" --ioengine=psync --bs=4k --eta=never --output-format=terse)
case $work in
randread|seqread)
	fio --name=layout --directory="$mnt" --rw=write --bs=1m --size=128M \
		--numjobs="$jobs" --filename_format='data.$jobnum' \
		--end_fsync=1 --output=/dev/null
	drop_file_caches "$mnt"
	cat "$mnt"/data.* >/dev/null
	if [[ $work = randread ]]; then
		cmd=(fio --name=w "${fio_common[@]}" --rw=randread --numjobs="$jobs"
		     --group_reporting=1 --filename_format='data.$jobnum'
		     --invalidate=1 --time_based=1 --runtime="$secs")
	else
		cmd=(fio --name=w --directory="$mnt" --ioengine=psync --bs=1m --rw=read
		     --filename=data.0 --invalidate=1 --time_based=1 --runtime="$secs"
		     --eta=never --output-format=terse)
	fi ;;
coldread)
	fio --name=layout --directory="$mnt" --rw=write --bs=1m --size=32M \
		--filename=data --end_fsync=1 --output=/dev/null
	# Three runs, each from a dropped file cache; perf covers fio's run
	# only, the report is of the last.
	for i in 1 2 3; do
		drop_file_caches "$mnt"
		perf record -q -a -g -e cpu-clock -F 1000 -o "$out/perf.data" -- \
			fio --name=w --directory="$mnt" --ioengine=psync --bs=1m \
			--rw=read --filename=data --size=32M --invalidate=1 \
			--eta=never --output-format=terse 2>/dev/null |
			awk -F';' '{ printf "run %d: %d KiB/s\n", '"$i"', $7 }'
	done
	perf report -i "$out/perf.data" --children --comm fio --sort sym --stdio \
		-g none --percent-limit 5 2>/dev/null | grep -v '^#' | grep -v '^$' |
		grep -v ' 0x0' | head -30
	perf report -i "$out/perf.data" --no-children --sort comm,sym --stdio \
		-g none --percent-limit 1.5 2>/dev/null | grep -v '^#' | grep -v '^$' | head -20
	pass "profile in $out/perf.data"
	exit 0 ;;
seqwrite)
	cmd=(fio --name=w --directory="$mnt" --ioengine=psync --bs=1m --rw=write
	     --filename=wdata --size=256M --end_fsync=1 --eta=never --output-format=terse) ;;
stat|create)
	mkdir -p "$mnt/m"
	cmd=("$METABENCH" -d "$mnt/m" -n 2000 -j 1 -D) ;;
*) fail "unknown work $work" ;;
esac

ops >"$out/ops-before.txt"
c0=$(ctxt) t0=$(irqs TLB) r0=$(irqs RES)
perf record -a -g -e cpu-clock -F 1000 -o "$out/perf.data" -- "${cmd[@]}" >"$out/work.txt" 2>&1 ||
	fail "workload failed: $(tail -3 "$out/work.txt")"
c1=$(ctxt) t1=$(irqs TLB) r1=$(irqs RES)
ops >"$out/ops-after.txt"
log "workload output:"
cut -c1-400 "$out/work.txt"
log "context switches: $((c1 - c0)), TLB shootdown IPIs: $((t1 - t0)), rescheduling IPIs: $((r1 - r0))"
if [[ -n $conn ]]; then
	log "requests by opcode (delta):"
	join -a2 -e0 -o 0,1.2,2.2 <(sort "$out/ops-before.txt") <(sort "$out/ops-after.txt") |
		awk '$3 != $2 { print "  " $1, $3 - $2 }'
fi
perf report -i "$out/perf.data" --no-children --sort sym --stdio -g none \
	--percent-limit 0.7 2>/dev/null | grep -v '^#' | grep -v '^$' | head -60
perf report -i "$out/perf.data" --no-children --sort comm --stdio -g none \
	2>/dev/null | grep -v '^#' | grep -v '^$' | head -12
pass "profile in $out/perf.data"
