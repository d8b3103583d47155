#!/bin/bash
# The dir backend with its source on a disk, against libfuse's own
# passthrough_hp on the same disk, inside one guest boot with an emulated
# disk (run-guest.sh --disk; run-main.sh runs it after the main table):
#   vfsd           vfsd-server --backend=dir over the module: file data
#                  O_DIRECT between the disk and the page-cache pages
#                  (-o source_dio=auto, on for ext4); on Linux >= 7.3
#                  through the pages as registered io_uring buffers
#   vfsd-window    (>= 7.3 only) the same O_DIRECT through the pinned
#                  window instead (-o source_fixed=off), as on older kernels
#   vfsd-buffered  the same with -o source_dio=off: the host kernel copies
#   fuse-hp        libfuse's passthrough_hp --nopassthrough (its defaults
#                  otherwise: splice, one thread per request burst), data
#                  through the server as with vfsd
#   fuse-pt        passthrough_hp in its default FUSE passthrough mode: the
#                  kernel reads and writes the backing file itself, the
#                  ceiling for a directory server (Linux >= 6.9 only)
#   ext4           the disk's filesystem itself
# Each target serves its own directory of one fresh ext4 on the disk.
# Jobs, every one from a dropped page cache (every file of every mount and
# of the disk, so the source's cache too): 1 MiB sequential read of a
# 64 MiB file, 1 MiB sequential write of 64 MiB with fsync at the end,
# 4 KiB random reads for 3 s. Beside
# each result: system-wide busy CPU (/proc/stat, servers included) per GiB,
# and for vfsd the bytes its server moved by the disk and by the CPU.
#
# usage (in the guest): tests/bench/dir-disk.sh --out DIR
#        [--passthrough-hp PATH] [--reps N] [--targets LIST]
# Writes DIR/results.md and DIR/raw/JOB/TARGET/REP/.
set -euo pipefail
TEST_NAME="dir-disk"
# shellcheck source=tests/guest/vfsd-test.sh
. "$(dirname "$0")/../guest/vfsd-test.sh"

out='' reps=3 targets='' HP=''
while [[ $# -gt 0 ]]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	--targets) targets=$2; shift 2 ;;
	--passthrough-hp) HP=$2; shift 2 ;;
	-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) fail "unknown argument $1" ;;
	esac
done
require_guest
[[ -n $out ]] || out=$VFSD_RESULTS/dir-disk
[[ -n ${VFSD_DISK_DEV:-} ]] || fail "no disk: run the guest with run-guest.sh --disk"
wait_for 20 test -b "$VFSD_DISK_DEV" || fail "$VFSD_DISK_DEV did not appear"
[[ -z $HP || -x $HP ]] || fail "passthrough_hp: $HP is not there"
if [[ -z $targets ]]; then
	targets="vfsd"
	# Registered buffers came with Linux 7.3: then the window path too.
	if printf '7.3\n%s\n' "$(uname -r)" | sort -VC; then targets+=" vfsd-window"; fi
	targets+=" vfsd-buffered"
	if [[ -n $HP ]]; then
		targets+=" fuse-hp"
		# FUSE passthrough came with Linux 6.9.
		if printf '6.9\n%s\n' "$(uname -r)" | sort -VC; then targets+=" fuse-pt"; fi
	fi
	targets+=" ext4"
fi
mkdir -p "$out/raw"
modprobe -q -a crc32c ext4 2>/dev/null || true
[[ -c /dev/fuse ]] || modprobe fuse 2>/dev/null || true

DISK=/mnt/dir-disk
mkdir -p "$DISK"
mkfs.ext4 -q -F "$VFSD_DISK_DEV" || fail "mkfs.ext4 $VFSD_DISK_DEV"
mount "$VFSD_DISK_DEV" "$DISK" || fail "mount $VFSD_DISK_DEV"
defer "umount -l '$DISK' 2>/dev/null; true"

declare -A MNT STATS
fuse_mounted() { awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; }
for t in $targets; do
	src=$DISK/$t
	mkdir -p "$src"
	case $t in
	vfsd|vfsd-window|vfsd-buffered)
		MNT[$t]=$(mktemp -d "/tmp/dir-disk-$t.XXXXXX")
		STATS[$t]=$out/stats-$t.txt
		case $t in
		vfsd-buffered) opt=,source_dio=off ;;
		vfsd-window) opt=,source_fixed=off ;;
		*) opt= ;;
		esac
		vfsd_start_server --transport=vfsd --backend=dir --source="$src" \
			--stats="${STATS[$t]}" -o "allow_other$opt" "${MNT[$t]}" ;;
	fuse-hp|fuse-pt)
		MNT[$t]=$(mktemp -d "/tmp/dir-disk-$t.XXXXXX")
		opt=(); [[ $t = fuse-hp ]] && opt=(--nopassthrough)
		"$HP" --foreground "${opt[@]}" "$src" "${MNT[$t]}" >"$out/$t.log" 2>&1 &
		defer "umount -l '${MNT[$t]}' 2>/dev/null; kill -9 $! 2>/dev/null; true"
		wait_for 20 fuse_mounted "${MNT[$t]}" || fail "$t did not mount (see $out/$t.log)" ;;
	ext4)
		MNT[$t]=$src ;;
	*) fail "unknown target $t" ;;
	esac
done

busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
stat_of() { awk -v n="$2" '$1 == n { print $2 }' "$1" 2>/dev/null || echo 0; }
# The vfsd server's counters, fresh (SIGUSR1 rewrites the stats file).
server_counters() {
	local t=$1 pid
	[[ -n ${STATS[$t]:-} ]] || { echo "0 0"; return; }
	pid=$(pgrep -f -- "--stats=${STATS[$t]}" | head -n1)
	rm -f "${STATS[$t]}"
	kill -USR1 "$pid"
	wait_for 10 test -s "${STATS[$t]}" || fail "$t: no --stats"
	echo "$(($(stat_of "${STATS[$t]}" data_dev_read) + $(stat_of "${STATS[$t]}" data_dev_write))) $(($(stat_of "${STATS[$t]}" data_cpu_read) + $(stat_of "${STATS[$t]}" data_cpu_write)))"
}

fio_common=(--ioengine=psync --eta=never --output-format=json --invalidate=1)
# Lay out the read file of each target (written through the target).
for t in $targets; do
	fio --name=layout --directory="${MNT[$t]}" --filename=data --rw=write --bs=1m \
		--size=64M --end_fsync=1 --output=/dev/null || fail "layout on $t"
done

# run_one JOB TARGET REP: fio, then DIR/{fio.json,cpu,moved}.
run_one() {
	local job=$1 t=$2 rep=$3 dir c0 c1 s0 s1 args=()
	dir=$out/raw/$job/$t/$rep
	mkdir -p "$dir"
	case $job in
	seqread-1m) args=(--rw=read --bs=1m --size=64M --filename=data) ;;
	seqwrite-1m) args=(--rw=write --bs=1m --size=64M --filename=wdata --end_fsync=1) ;;
	randread-4k) args=(--rw=randread --bs=4k --size=64M --filename=data --time_based=1 --runtime=3) ;;
	esac
	drop_file_caches "$DISK" "${MNT[@]}"	# the source's cache too
	s0=$(server_counters "$t")
	c0=$(busy)
	fio --name="$job" --directory="${MNT[$t]}" "${fio_common[@]}" "${args[@]}" \
		--output="$dir/fio.json" 2>"$dir/stderr" || fail "$job on $t: $(tail -n 2 "$dir/stderr")"
	c1=$(busy)
	s1=$(server_counters "$t")
	echo $((c1 - c0)) >"$dir/cpu"
	read -r d0 p0 <<<"$s0"
	read -r d1 p1 <<<"$s1"
	echo "$((d1 - d0)) $((p1 - p0))" >"$dir/moved"
	rm -f "${MNT[$t]}/wdata"
}

JOBS=(seqread-1m seqwrite-1m randread-4k)
log "${#JOBS[@]} jobs x $reps reps on: $targets (disk $VFSD_DISK_DEV)"
for job in "${JOBS[@]}"; do
	for ((rep = 1; rep <= reps; rep++)); do
		read -r -a order <<<"$targets"
		line=
		for ((i = 0; i < ${#order[@]}; i++)); do
			t=${order[(i + rep - 1) % ${#order[@]}]}
			run_one "$job" "$t" "$rep"
			line+="$t $(jq -r '.jobs[0] | "\((.read.bw_bytes + .write.bw_bytes) / 1048576 | floor) MiB/s \(.read.iops + .write.iops | floor) IOPS"' "$out/raw/$job/$t/$rep/fio.json"); "
		done
		log "$job rep $rep: $line"
	done
done

{
	echo "kernel=$(uname -r)"
	echo "disk=$VFSD_DISK_DEV $(xargs <"/sys/class/block/${VFSD_DISK_DEV#/dev/}/device/model" 2>/dev/null)"
	echo "targets=$targets"
	echo "reps=$reps"
	echo "passthrough_hp=${HP:-none}"
	echo "hz=$(getconf CLK_TCK)"
	# Requests failed because a page or buffer was still held at the
	# reply (must be 0), and buffers registered, per vfsd target.
	for t in $targets; do
		[[ $t = vfsd* ]] || continue
		c=$(vfsd_conn_of "${MNT[$t]}")
		echo "module_$t=pins_caught $(vfsd_counter "$c" pins_caught), bufs_registered $(vfsd_counter "$c" bufs_registered)"
	done
} >"$out/env.txt"
python3 - "$out" "$targets" "${JOBS[*]}" <<'PY'
import json, os, statistics, sys
out, targets, jobs = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
env = dict(l.rstrip('\n').split('=', 1) for l in open(os.path.join(out, 'env.txt')))
hz = int(env['hz'])
names = {'vfsd': 'vfsd (O_DIRECT)', 'vfsd-buffered': 'vfsd (buffered)',
         'vfsd-window': 'vfsd (O_DIRECT, pinned window)',
         'fuse-hp': 'FUSE passthrough_hp', 'fuse-pt': 'FUSE passthrough mode',
         'ext4': 'ext4'}
if 'vfsd-window' in targets:
    names['vfsd'] = 'vfsd (O_DIRECT, io_uring buffers)'
rows = []
for job in jobs:
    unit = 'IOPS' if job.startswith('rand') else 'MiB/s'
    cells, cpus = [], []
    for t in targets:
        vals, cpu, moved = [], [], []
        d = os.path.join(out, 'raw', job, t)
        for rep in sorted(os.listdir(d)):
            j = json.load(open(os.path.join(d, rep, 'fio.json')))['jobs'][0]
            nbytes = j['read']['io_bytes'] + j['write']['io_bytes']
            v = j['read']['iops'] + j['write']['iops'] if unit == 'IOPS' else \
                (j['read']['bw_bytes'] + j['write']['bw_bytes']) / 1048576
            vals.append(v)
            ticks = int(open(os.path.join(d, rep, 'cpu')).read())
            cpu.append(ticks / hz / (nbytes / 2**30) if nbytes else 0)
            dev, cp = map(int, open(os.path.join(d, rep, 'moved')).read().split())
            moved.append((dev / nbytes if nbytes else 0, cp / nbytes if nbytes else 0))
        med = statistics.median(vals)
        c = statistics.median(cpu)
        cell = f"{med:.0f}" if med >= 100 else f"{med:.1f}"
        extra = ''
        if t.startswith('vfsd'):
            dv = statistics.median(m[0] for m in moved)
            cv = statistics.median(m[1] for m in moved)
            extra = f"; disk {dv:.2f} / CPU {cv:.2f} B/B"
        cells.append(f"{cell} ({c:.1f} s/GiB{extra})")
    rows.append(f"| {job} | {unit} | " + " | ".join(cells) + " |")
with open(os.path.join(out, 'results.md'), 'w') as f:
    f.write(f"## dir backend on a disk (kernel {env['kernel']}, {env['disk']}, median of {env['reps']})\n\n")
    f.write("Each cell: the median, then system-wide busy CPU per GiB moved and, for vfsd, the bytes its server moved by the disk's DMA / by the CPU per byte the application moved.\n\n")
    f.write("| job | unit | " + " | ".join(names.get(t, t) for t in targets) + " |\n")
    f.write("|---|---|" + "---|" * len(targets) + "\n")
    f.write("\n".join(rows) + "\n")
    mods = [f"{names.get(k[7:], k[7:])}: {v}" for k, v in env.items() if k.startswith('module_')]
    if mods:
        f.write("\nModule counters at the end: " + "; ".join(mods) + ".\n")
PY
cat "$out/results.md"
for t in $targets; do
	[[ $t = ext4 ]] || umount "${MNT[$t]}" || fail "umount $t"
done
pass "dir-disk table in $out/results.md"
