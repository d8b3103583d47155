#!/bin/bash
# vfsd vs FUSE vs tmpfs, inside one guest boot: the same fio jobs (and
# metabench for metadata) on
#   vfsd   build/server/vfsd-server --backend=mem over the vfsd module
#   fuse   the same binary and backend with --transport=fuse, splice on
#          (libfuse's passthrough_hp default; appears by itself once
#          `vfsd-server --help` lists --transport)
#   fuse-nosplice  the same with VFSD_FUSE_SPLICE=0 (passthrough_hp
#          --nosplice); the table compares vfsd with the better FUSE per job
#   fuse-uring  the same server built against libfuse >= 3.18
#          (--fuse-uring-server) with VFSD_FUSE_URING=1: FUSE over io_uring,
#          fuse's enable_uring set to 1 first; only where the kernel has
#          it (/sys/module/fuse/parameters/enable_uring, Linux >= 6.14)
#   tmpfs  the in-kernel ceiling
# all mounted at once; every job runs REPS times, the targets interleaved
# (job, rep, target) and their order rotated by one every repetition, so
# that a slow patch of the host hits all of them alike and none always runs
# first. Both servers run with --stats, read before and after every run
# (SIGUSR1): the file bytes they copied. The vfsd and FUSE mounts get the
# same dirty-page limit (BENCH_BDI_MAX_RATIO in /sys/class/bdi/BDI/
# max_ratio). Raw results go to OUT/raw/JOB/TARGET/REP/; then report.py
# writes OUT/results.md (the table) and OUT/chart.png.
#
# usage (in the guest; see tests/bench/README.md):
#   tests/vm/run-guest.sh --mem 3G -- tests/bench/bench.sh [options]
#     --reps N        repetitions per job and target (default 3; full 5)
#     --full          longer runs, bigger files, every job at numjobs 1 and 2
#                     (also VFSD_BENCH_FULL=1; give the guest --mem 4G)
#     --jobs REGEX    only the jobs whose name matches (grep -E)
#     --targets LIST  e.g. "vfsd tmpfs" (default: vfsd fuse fuse-nosplice
#                     fuse-uring tmpfs, the fuse ones only if the server has
#                     the FUSE transport, fuse-uring only with
#                     --fuse-uring-server on a kernel with FUSE io_uring)
#     --fuse-uring-server PATH  vfsd-server built against libfuse >= 3.18
#                     (run-main.sh: build-fuse-uring/server/vfsd-server,
#                     from tests/vm/fetch-libfuse.sh)
#     --out DIR       results dir (default $VFSD_RESULTS/bench)
#     --list          print the jobs and exit
#     --fpga          then the FPGA-backed mount (fpga.sh; needs the guest's
#                     emulated card, run-guest.sh --card): its table goes to
#                     the end of results.md
# Environment (defaults in brackets, full run in parentheses):
#   BENCH_RUNTIME [2] (8) seconds per time-based job, and the cap of the
#   sequential ones; BENCH_SEQ_SIZE [32M] (64M), BENCH_RAND_SIZE [128M]
#   (192M) per file and job; BENCH_META_SECONDS [2] (8) seconds per
#   metadata phase at least (create runs that long, stat and unlink repeat
#   passes until their timed passes add up to it); BENCH_META_FILES [100]
#   files per thread at least;
#   BENCH_BDI_MAX_RATIO [20] the max_ratio of both the vfsd and the FUSE
#   mount's bdi (the module sets 20, FUSE 1: see tests/bench/README.md);
#   BENCH_MEM_SIZE [768M] (1536M) mem backend storage per server;
#   BENCH_QUEUES [0 = one per CPU] vfsd-server --queues;
#   BENCH_FUSE_URING_DEPTH [8, libfuse 3.18's default] ring entries per
#   CPU queue of the fuse-uring server (libfuse's FUSE_URING_QUEUE_DEPTH);
#   BENCH_STRACE=1 runs both servers under `strace -f -c` (a diagnostic: it
#   slows the servers down) and keeps OUT/strace-TARGET.txt.
set -euo pipefail
TEST_NAME=bench
# shellcheck source=tests/guest/vfsd-test.sh
. "$(dirname "$0")/../guest/vfsd-test.sh"

HERE=$VFSD_PROJECT/tests/bench
JOBDIR=$HERE/jobs
full=${VFSD_BENCH_FULL:-0}
reps='' only='' targets='' out='' list=0 fpga=0 URING_SERVER=
while [[ $# -gt 0 ]]; do
	case $1 in
	--reps) reps=$2; shift 2 ;;
	--full) full=1; shift ;;
	--jobs) only=$2; shift 2 ;;
	--targets) targets=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--list) list=1; shift ;;
	--fpga) fpga=1; shift ;;
	--fuse-uring-server) URING_SERVER=$2; shift 2 ;;
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) fail "unknown argument $1" ;;
	esac
done

if [[ $full = 1 ]]; then
	: "${reps:=5}" "${BENCH_RUNTIME:=8}" "${BENCH_SEQ_SIZE:=64M}" "${BENCH_RAND_SIZE:=192M}"
	: "${BENCH_META_FILES:=100}" "${BENCH_META_SECONDS:=8}" "${BENCH_MEM_SIZE:=1536M}"
else
	: "${reps:=3}" "${BENCH_RUNTIME:=2}" "${BENCH_SEQ_SIZE:=32M}" "${BENCH_RAND_SIZE:=128M}"
	: "${BENCH_META_FILES:=100}" "${BENCH_META_SECONDS:=2}" "${BENCH_MEM_SIZE:=768M}"
fi
: "${BENCH_QUEUES:=0}" "${BENCH_BDI_MAX_RATIO:=20}" "${BENCH_FUSE_URING_DEPTH:=8}"
export BENCH_RUNTIME BENCH_SEQ_SIZE BENCH_RAND_SIZE

# The jobs: NAME JOBFILE|meta VAR=VALUE... (VARs become BENCH_VAR for fio).
# NUMJOBS=2 variants: a representative subset by default, all with --full.
JOBS=()
add_job() { JOBS+=("$*"); }
for nj in 1 2; do
	sfx=; [[ $nj = 1 ]] || sfx=-j$nj
	core() { [[ $full = 1 || $nj = 1 || ${1:-} = 1 ]]; }	# 1: also at numjobs 2 by default
	for bs in 4k 128k 1m; do
		core "$([[ $bs = 1m ]] && echo 1)" || continue
		add_job "seqread-$bs$sfx seq-read BS=$bs NUMJOBS=$nj"
	done
	for bs in 4k 128k 1m; do
		core "$([[ $bs = 1m ]] && echo 1)" || continue
		add_job "seqwrite-$bs$sfx seq-write BS=$bs NUMJOBS=$nj"
	done
	for rw in randread randwrite; do
		fs=0; [[ $rw = randwrite ]] && fs=1
		if core 1; then add_job "$rw-4k-psync$sfx rand RW=$rw ENGINE=psync IODEPTH=1 DIRECT=0 FSYNC=$fs NUMJOBS=$nj"; fi
		if core; then add_job "$rw-4k-uring16$sfx rand RW=$rw ENGINE=io_uring IODEPTH=16 DIRECT=0 FSYNC=$fs NUMJOBS=$nj"; fi
		if core; then add_job "$rw-4k-direct-psync$sfx rand RW=$rw ENGINE=psync IODEPTH=1 DIRECT=1 FSYNC=0 NUMJOBS=$nj"; fi
		if core; then add_job "$rw-4k-direct-uring16$sfx rand RW=$rw ENGINE=io_uring IODEPTH=16 DIRECT=1 FSYNC=0 NUMJOBS=$nj"; fi
	done
	if core; then add_job "mmap-randread-4k$sfx mmap RW=randread FSYNC=0 NUMJOBS=$nj"; fi
	if core; then add_job "mmap-randwrite-4k$sfx mmap RW=randwrite FSYNC=1 NUMJOBS=$nj"; fi
	if core 1; then add_job "meta$sfx meta NUMJOBS=$nj"; fi
done
if [[ -n $only ]]; then
	sel=()
	for j in "${JOBS[@]}"; do
		if grep -qE -- "$only" <<<"${j%% *}"; then sel+=("$j"); fi
	done
	JOBS=("${sel[@]}")
	[[ ${#JOBS[@]} -gt 0 ]] || fail "no job matches '$only'"
fi
if [[ $list = 1 ]]; then
	printf '%s\n' "${JOBS[@]}"
	exit 0
fi

require_guest	# mounts filesystems, drops caches, loads modules
have_fuse() { "${REAL_SERVER:-$VFSD_SERVER}" --help 2>&1 | grep -q -- --transport; }
URING_PARAM=/sys/module/fuse/parameters/enable_uring
# Why there is no FUSE io_uring column, or nothing if there is one.
uring_missing() {
	if [[ -z $URING_SERVER ]]; then
		echo "no --fuse-uring-server"
	elif [[ ! -x $URING_SERVER ]]; then
		echo "$URING_SERVER is not there"
	elif [[ ! -e $URING_PARAM ]]; then
		echo "this kernel's fuse has no io_uring ($URING_PARAM)"
	fi
}
# The libfuse the io_uring server runs with, as fetch-libfuse.sh recorded it.
uring_libfuse() {
	local lib
	lib=$(ldd "$URING_SERVER" | awk '$1 ~ /^libfuse3[.]/ { print $3 }')
	if [[ -f ${lib%/lib/*}/.vfsd-libfuse ]]; then
		echo "$(paste -sd, "${lib%/lib/*}/.vfsd-libfuse" | sed 's/,/, /g') ($lib)"
	else
		echo "${lib:-?}"
	fi
}
if [[ -z $targets ]]; then
	targets="vfsd fuse fuse-nosplice tmpfs"
	if [[ -z $(uring_missing) ]]; then
		targets="vfsd fuse fuse-nosplice fuse-uring tmpfs"
	else
		log "no FUSE io_uring column: $(uring_missing)"
	fi
	have_fuse || { log "vfsd-server has no --transport yet: no FUSE column"; targets="vfsd tmpfs"; }
fi
out=${out:-$VFSD_RESULTS/bench}
mkdir -p "$out"
rm -rf "$out/raw"
mkdir -p "$out/raw"
out=$(cd "$out" && pwd)

# metabench: build it once (in the results dir: the guest sees the project
# read-only); the guest runs the host's compiler.
METABENCH=$out/metabench
if [[ ! -x $METABENCH || $HERE/metabench.c -nt $METABENCH ]]; then
	cc -O2 -Wall -pthread -o "$METABENCH" "$HERE/metabench.c" || fail "cannot build metabench"
fi

root=$(mktemp -d /tmp/bench.XXXXXX)
defer "rm -rf '$root'"
declare -A MNT CONN PID
server_args=(--backend=mem "--size=$BENCH_MEM_SIZE" "--queues=$BENCH_QUEUES")
vfsd_args=()	# explicit, or VFSD_TRANSPORT in the environment would decide
have_fuse && vfsd_args=(--transport=vfsd)

# strace_wrap TARGET [BINARY]: a wrapper that runs the server under
# strace -f -c.
strace_wrap() {
	local w=$out/server-$1.sh
	printf '#!/bin/sh\nexec strace -f -c -o %q %q "$@"\n' "$out/strace-$1.txt" "${2:-$REAL_SERVER}" >"$w"
	chmod +x "$w"
	echo "$w"
}
REAL_SERVER=$VFSD_SERVER
FUSE_SERVER=$VFSD_SERVER
URING_RUN=$URING_SERVER
STATS=1	# the servers' --stats, read by SIGUSR1 (not through strace)
if [[ ${BENCH_STRACE:-0} = 1 ]]; then
	VFSD_SERVER=$(strace_wrap vfsd)
	FUSE_SERVER=$(strace_wrap fuse)
	[[ -n $URING_SERVER ]] && URING_RUN=$(strace_wrap fuse-uring "$URING_SERVER")
	STATS=0
fi
stats_file() { echo "$root/stats-$1.txt"; }

# server_stats TARGET FILE: the server's --stats now (SIGUSR1), into FILE.
server_stats() {
	local t=$1 f
	[[ $STATS = 1 && -n ${PID[$t]:-} ]] || return 0
	f=$(stats_file "$t")
	rm -f "$f"
	kill -USR1 "${PID[$t]}" 2>/dev/null || return 0
	if wait_for 10 test -s "$f"; then
		cp "$f" "$2"
	else
		log "WARNING: $t server wrote no --stats file"
	fi
}

mounted() { awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; }
# uring_granted TARGET: INIT answered with FUSE_OVER_IO_URING (the
# server's --stats after a stat of the mount, which waits for INIT).
uring_granted() {
	local f=$out/init-stats-$1.txt
	[[ $STATS = 1 ]] || return 0	# under strace: no --stats
	stat "${MNT[$1]}" >/dev/null || return 1
	server_stats "$1" "$f"
	grep -Eq '^fuse_want .*over_io_uring' "$f"
}
for t in $targets; do
	m=$root/$t
	mkdir -p "$m"
	MNT[$t]=$m
	case $t in
	vfsd)
		vfsd_start_server "${vfsd_args[@]}" "${server_args[@]}" "--stats=$(stats_file "$t")" "$m"
		PID[$t]=$VFSD_SERVER_PID
		CONN[$t]=$(vfsd_conn_of "$m")
		log "vfsd:  $REAL_SERVER -f ${vfsd_args[*]} ${server_args[*]} $m (connection ${CONN[$t]})" ;;
	fuse|fuse-nosplice)
		have_fuse || fail "vfsd-server has no FUSE transport (--transport)"
		[[ -c /dev/fuse ]] || modprobe fuse 2>/dev/null || true
		[[ -c /dev/fuse ]] || fail "no /dev/fuse in the guest (fuse.ko in tests/vm/mkinitramfs.sh)"
		splice=1; [[ $t = fuse-nosplice ]] && splice=0
		VFSD_FUSE_SPLICE=$splice "$FUSE_SERVER" -f --transport=fuse "${server_args[@]}" \
			"--stats=$(stats_file "$t")" "$m" &
		PID[$t]=$!
		defer "umount -l '$m' 2>/dev/null; kill -9 ${PID[$t]} 2>/dev/null; true"
		wait_for 20 mounted "$m" || fail "the FUSE mount of $m did not appear"
		log "$t:  VFSD_FUSE_SPLICE=$splice $REAL_SERVER -f --transport=fuse ${server_args[*]} $m ($(awk -v m="$m" '$2 == m { print $3, $4 }' /proc/mounts))" ;;
	fuse-uring)
		[[ -z $(uring_missing) ]] || fail "no FUSE io_uring target: $(uring_missing)"
		echo 1 >"$URING_PARAM" || fail "cannot write 1 to $URING_PARAM"
		# Splice only changes reads of /dev/fuse, which io_uring does not do.
		VFSD_FUSE_URING=1 VFSD_FUSE_SPLICE=0 FUSE_URING_QUEUE_DEPTH=$BENCH_FUSE_URING_DEPTH \
			"$URING_RUN" -f --transport=fuse "${server_args[@]}" "--stats=$(stats_file "$t")" "$m" &
		PID[$t]=$!
		defer "umount -l '$m' 2>/dev/null; kill -9 ${PID[$t]} 2>/dev/null; true"
		wait_for 20 mounted "$m" || fail "the FUSE io_uring mount of $m did not appear"
		uring_granted "$t" || fail "FUSE io_uring: the kernel did not take it (see $(stats_file "$t"))"
		log "$t:  VFSD_FUSE_URING=1 VFSD_FUSE_SPLICE=0 FUSE_URING_QUEUE_DEPTH=$BENCH_FUSE_URING_DEPTH $URING_SERVER -f --transport=fuse ${server_args[*]} $m (enable_uring $(cat "$URING_PARAM"))" ;;
	tmpfs)
		mount -t tmpfs -o "size=$BENCH_MEM_SIZE" tmpfs "$m" || fail "mount tmpfs"
		defer "umount -l '$m' 2>/dev/null; true"
		log "tmpfs: mount -t tmpfs -o size=$BENCH_MEM_SIZE tmpfs $m" ;;
	*) fail "unknown target $t (vfsd fuse fuse-nosplice fuse-uring tmpfs)" ;;
	esac
done

# The bdi of a mount: FUSE names it MAJOR:MINOR of the mount's device,
# the module (super_setup_bdi) vfsd-N; tmpfs has none of its own.
declare -A BDI
bdi_of() {
	local dev
	case $1 in
	vfsd) ls -d /sys/class/bdi/vfsd-* 2>/dev/null | sort -t- -k2 -n | tail -n 1 ;;
	fuse*)
		dev=$(awk -v m="${MNT[$1]}" '$5 == m { print $3 }' /proc/self/mountinfo | tail -n 1)
		[[ -n $dev && -d /sys/class/bdi/$dev ]] && echo "/sys/class/bdi/$dev" ;;
	esac
}
# Dirty-page limits: the module sets its bdi's max_ratio to 20 %, FUSE
# to 1 % (both with BDI_CAP_STRICTLIMIT), which gave vfsd a twenty times
# larger dirty budget for buffered writes. Give both the same, as an admin
# would.
for t in $targets; do
	BDI[$t]=$(bdi_of "$t")
	[[ $t = tmpfs ]] && continue
	[[ -n ${BDI[$t]} ]] || fail "no bdi found for the $t mount"
	echo "$BENCH_BDI_MAX_RATIO" >"${BDI[$t]}/max_ratio" || fail "cannot set ${BDI[$t]}/max_ratio"
	log "$t: bdi ${BDI[$t]##*/} max_ratio $(cat "${BDI[$t]}/max_ratio") read_ahead_kb $(cat "${BDI[$t]}/read_ahead_kb")"
done
bdi_line() {	# bdi_line TARGET: its bdi's settings for env.txt
	local b=${BDI[$1]:-} f v line
	[[ -n $b ]] || { echo "none (tmpfs: no bdi of its own, noop_backing_dev_info)"; return; }
	line="${b##*/}"
	for f in max_ratio min_ratio read_ahead_kb strict_limit; do
		if [[ -r $b/$f ]]; then v=$(cat "$b/$f"); else v="not-in-sysfs"; fi
		line+=" $f=$v"
	done
	echo "$line"
}

# Which targets take O_DIRECT (the 6.1 tmpfs does not).
declare -A DIRECT_OK
for t in $targets; do
	DIRECT_OK[$t]=0
	if dd if=/dev/zero of="${MNT[$t]}/.direct-probe" bs=4k count=1 oflag=direct status=none 2>/dev/null; then
		DIRECT_OK[$t]=1
	fi
	rm -f "${MNT[$t]}/.direct-probe"
	[[ ${DIRECT_OK[$t]} = 1 ]] || log "$t: no O_DIRECT, its direct jobs are skipped"
done

# TLB shootdown interrupts so far, all CPUs (x86 "TLB:" in /proc/interrupts).
tlb_shootdowns() {
	awk '$1 == "TLB:" { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }' /proc/interrupts
}

counters() {	# counters TARGET: bytes_mapped bytes_copied requests (vfsd only)
	local c=${CONN[$1]:-}
	if [[ -n $c ]]; then
		echo "$(vfsd_counter "$c" bytes_mapped) $(vfsd_counter "$c" bytes_copied) $(vfsd_counter "$c" requests)"
	else
		echo "0 0 0"
	fi
}

# Lay out the read files once per target, at the largest numjobs in use.
maxnj=1
for j in "${JOBS[@]}"; do [[ $j == *NUMJOBS=2* ]] && maxnj=2; done
for t in $targets; do
	start=$SECONDS
	(cd "$root" && BENCH_DIR=${MNT[$t]} BENCH_NUMJOBS=$maxnj fio "$JOBDIR/layout.fio" --eta=never --output=/dev/null) ||
		fail "laying out files on $t"
	log "$t: laid out $maxnj x ($BENCH_SEQ_SIZE + $BENCH_RAND_SIZE) in $((SECONDS - start)) s"
done
# Warm-up, not measured: the first reads from a fresh mount ran 3-8x slower
# than the next ones (both vfsd and FUSE; TCG translating new code paths,
# first faults on the server's pool), which made rep 1 an outlier.
for t in $targets; do
	start=$SECONDS
	drop_file_caches "${MNT[$t]}"
	cat "${MNT[$t]}"/seq.* "${MNT[$t]}"/rand.* >/dev/null
	mkdir -p "${MNT[$t]}/warm"
	"$METABENCH" -d "${MNT[$t]}/warm" -n 100 -j 1 -D >/dev/null
	rm -rf "${MNT[$t]}/warm"
	log "$t: warm-up read and metadata pass in $((SECONDS - start)) s"
done

progress() {	# progress DIR: the headline number of one run
	if [[ -f $1/skipped ]]; then
		echo "n/a"
	elif [[ -f $1/fio.json ]]; then
		jq -r '.jobs[0] | "\((.read.bw_bytes + .write.bw_bytes) / 1048576 | floor) MiB/s \(.read.iops + .write.iops | floor) IOPS"' "$1/fio.json" 2>/dev/null || echo "?"
	elif [[ -f $1/meta.json ]]; then
		jq -r '[.phases[] | "\(.name) \(.ops / .seconds | floor)/s"] | join(" ")' "$1/meta.json" 2>/dev/null || echo "?"
	else
		echo "failed"
	fi
}

# run_one JOBSPEC TARGET REP
run_one() {
	local name=$1 file=$2 t=$4 rep=$5 dir kv envs=() direct=0 rc=0
	local -a vars
	read -r -a vars <<<"$3"
	dir=$out/raw/$name/$t/$rep
	mkdir -p "$dir"
	for kv in "${vars[@]}"; do
		envs+=("BENCH_$kv")
		[[ $kv = DIRECT=1 ]] && direct=1
	done
	if [[ $direct = 1 && ${DIRECT_OK[$t]} = 0 ]]; then
		echo "no O_DIRECT on $t" >"$dir/skipped"
		return 0
	fi
	drop_file_caches "${MNT[@]}"	# every target's files, not only $t's
	counters "$t" >"$dir/counters.pre"
	server_stats "$t" "$dir/stats.pre"
	tlb_shootdowns >"$dir/tlb.pre"
	if [[ $file = meta ]]; then
		local nj=1
		for kv in "${vars[@]}"; do [[ $kv = NUMJOBS=* ]] && nj=${kv#NUMJOBS=}; done
		mkdir -p "${MNT[$t]}/meta"
		local cnt=()
		[[ -n ${CONN[$t]:-} ]] && cnt=(-c "/sys/fs/vfsd/${CONN[$t]}/requests")
		"$METABENCH" -d "${MNT[$t]}/meta" -t "$BENCH_META_SECONDS" -n "$BENCH_META_FILES" -j "$nj" -D "${cnt[@]}" \
			>"$dir/meta.json" 2>"$dir/stderr" || rc=$?
		rm -rf "${MNT[$t]}/meta"
	else
		(cd "$dir" && env "${envs[@]}" BENCH_DIR="${MNT[$t]}" \
			fio "$JOBDIR/$file.fio" --eta=never --output-format=json --output=fio.json 2>stderr) || rc=$?
	fi
	tlb_shootdowns >"$dir/tlb.post"
	counters "$t" >"$dir/counters.post"
	server_stats "$t" "$dir/stats.post"
	if [[ $rc != 0 ]]; then
		echo "exit status $rc" >"$dir/failed"
		rm -f "$dir/fio.json" "$dir/meta.json"
		log "$name $t rep $rep FAILED: $(tail -n 3 "$dir/stderr" | tr '\n' ' ')"
	fi
	if [[ -n ${PID[$t]:-} ]] && ! kill -0 "${PID[$t]}" 2>/dev/null; then
		fail "the $t server died during $name"
	fi
}

{
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "kernel=$(uname -r)"
	echo "cpus=$(nproc)"
	echo "mem=$(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo)"
	echo "commit=$(git -C "$VFSD_PROJECT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "targets=$targets"
	echo "settings=reps=$reps full=$full runtime=$BENCH_RUNTIME seq_size=$BENCH_SEQ_SIZE rand_size=$BENCH_RAND_SIZE meta_seconds=$BENCH_META_SECONDS meta_files=$BENCH_META_FILES mem_size=$BENCH_MEM_SIZE queues=$BENCH_QUEUES bdi_max_ratio=$BENCH_BDI_MAX_RATIO"
	echo "order=targets rotated by one every repetition (rep 1: $targets)"
	echo "cold_cache=before every run: sync, then POSIX_FADV_DONTNEED of every file of every target (drop_file_caches), plus fio's invalidate=1; not /proc/sys/vm/drop_caches"
	echo "guest_ram=$( [[ ${VFSD_VM_PREALLOC:-0} = 1 ]] && echo 'preallocated by QEMU (-mem-prealloc)' || echo 'not preallocated')"
	echo "vfsd=$REAL_SERVER -f ${vfsd_args[*]} ${server_args[*]} --stats=FILE MNT"
	if have_fuse; then
		echo "fuse=VFSD_FUSE_SPLICE=1 $REAL_SERVER -f --transport=fuse ${server_args[*]} --stats=FILE MNT"
		echo "fuse-nosplice=VFSD_FUSE_SPLICE=0 $REAL_SERVER -f --transport=fuse ${server_args[*]} --stats=FILE MNT"
	fi
	if [[ " $targets " = *" fuse-uring "* ]]; then
		echo "fuse-uring=VFSD_FUSE_URING=1 VFSD_FUSE_SPLICE=0 FUSE_URING_QUEUE_DEPTH=$BENCH_FUSE_URING_DEPTH $URING_SERVER -f --transport=fuse ${server_args[*]} --stats=FILE MNT"
		echo "fuse_enable_uring=enable_uring=$(cat "$URING_PARAM"), libfuse's ring: one queue per CPU ($(getconf _NPROCESSORS_CONF)), $BENCH_FUSE_URING_DEPTH entries each"
		echo "fuse_uring_libfuse=$(uring_libfuse)"
	fi
	echo "tmpfs=mount -t tmpfs -o size=$BENCH_MEM_SIZE tmpfs MNT"
	echo "timeouts=attr and entry 1 s on both transports (vfsd-server's defaults; passthrough_hp uses 86400 s)"
	echo "vm_dirty=dirty_ratio=$(cat /proc/sys/vm/dirty_ratio) dirty_background_ratio=$(cat /proc/sys/vm/dirty_background_ratio) dirty_bytes=$(cat /proc/sys/vm/dirty_bytes)"
	for t in $targets; do
		echo "bdi_$t=$(bdi_line "$t")"
	done
	for t in $targets; do
		[[ $t = fuse* ]] || continue
		server_stats "$t" "$out/init-stats-$t.txt"
		[[ -f $out/init-stats-$t.txt ]] || continue
		awk -v t="$t" '/^fuse_(splice|capable|requested|want|refused) / { k = $1; $1 = ""; sub(/^ /, ""); print k "_" t "=" $0 }' "$out/init-stats-$t.txt"
	done
	echo "fio=$(fio --version)"
} >"$out/env.txt"
printf '%s\n' "${JOBS[@]}" >"$out/jobs.txt"

bench_start=$SECONDS
log "${#JOBS[@]} jobs x $reps reps on: $targets"
for spec in "${JOBS[@]}"; do
	read -r name file rest <<<"$spec"
	for ((rep = 1; rep <= reps; rep++)); do
		line="$name rep $rep:"
		# Rotate: rep 1 runs the targets in order, rep 2 from the second...
		read -r -a order <<<"$targets"
		order=("${order[@]:$(((rep - 1) % ${#order[@]}))}" "${order[@]:0:$(((rep - 1) % ${#order[@]}))}")
		for t in "${order[@]}"; do
			run_one "$name" "$file" "$rest" "$t" "$rep"
			line+=" $t $(progress "$out/raw/$name/$t/$rep");"
		done
		log "$line [$((SECONDS - bench_start)) s]"
	done
done
log "all jobs done in $((SECONDS - bench_start)) s"

for t in $targets; do
	case $t in
	vfsd)
		errs=$(vfsd_counter "${CONN[$t]}" protocol_errors)
		[[ $errs = 0 ]] || log "WARNING: vfsd protocol_errors=$errs"
		vfsd_stop_server "${MNT[$t]}" ;;
	fuse*)
		umount "${MNT[$t]}" || umount -l "${MNT[$t]}"
		wait_for 10 eval "! kill -0 ${PID[$t]} 2>/dev/null" || kill -9 "${PID[$t]}" 2>/dev/null || true ;;
	tmpfs) umount "${MNT[$t]}" ;;
	esac
done

# The servers' last counters (written at exit), with the FUSE INIT caps.
for t in $targets; do
	f=$(stats_file "$t")
	[[ -f $f ]] && cp "$f" "$out/stats-$t.txt"
done
# Proof that the io_uring column went over io_uring: the requests its
# server got as io_uring completions and as reads of /dev/fuse.
if [[ -f $out/stats-fuse-uring.txt ]]; then
	n_uring=$(awk '$1 == "fuse_requests_uring" { print $2 }' "$out/stats-fuse-uring.txt")
	n_dev=$(awk '$1 == "fuse_requests_dev" { print $2 }' "$out/stats-fuse-uring.txt")
	echo "fuse_uring_requests=${n_uring:-?} over io_uring, ${n_dev:-?} over /dev/fuse" >>"$out/env.txt"
	log "fuse-uring: ${n_uring:-?} requests over io_uring, ${n_dev:-?} over /dev/fuse"
	[[ ${n_uring:-0} -gt 0 ]] || fail "the FUSE io_uring server got no request over io_uring"
fi

python3 "$HERE/report.py" "$out"

if [[ $fpga = 1 ]]; then
	"$HERE/fpga.sh" --out "$out/fpga"
	{ echo; cat "$out/fpga/results.md"; } >>"$out/results.md"
fi
