#!/bin/bash
# The FPGA-backed mount: `vfsd-server --backend=fpga` with no options finds
# the emulated card (ivshmem-plain + edu, tests/vm/run-guest.sh --card),
# formats it, and fio writes and reads a file on it with crc32c verify.
# File data moves by the card's DMA engine through the module's window:
# prints KiB/s, the module's mapped/copied bytes and the server's bytes
# moved by DMA and by CPU (--stats, written at exit). Small on purpose: the
# emulated engine (QEMU's edu) takes about 100 ms per transfer of at most
# 4095 bytes, two per page: 256 KiB is about 13 s each way.
#
#   tests/bench/fpga.sh [--size 256k] [--out DIR]
set -euo pipefail
TEST_NAME=fpga-bench
# shellcheck source=tests/guest/vfsd-test.sh
. "$(dirname "$0")/../guest/vfsd-test.sh"

size=256k out=
while [[ $# -gt 0 ]]; do
	case $1 in
	--size) size=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) fail "unknown argument $1" ;;
	esac
done
require_guest
[[ -n ${VFSD_CARD_FILE:-} ]] || skip "no emulated card (run-guest.sh --card)"
out=${out:-$VFSD_RESULTS/fpga}
mkdir -p "$out"
mnt=$(mktemp -d /tmp/fpga.XXXXXX)

load_module
stats=$out/server-stats
rm -f "$stats"
"$VFSD_SERVER" --backend=fpga --stats="$stats" "$mnt" ||
	fail "vfsd-server --backend=fpga did not start"
defer "umount -l '$mnt' 2>/dev/null || true"
conn=$(vfsd_conn_of "$mnt")
log "mounted: $(grep " $mnt vfsd " /proc/mounts)"

m0=$(vfsd_counter "$conn" bytes_mapped) c0=$(vfsd_counter "$conn" bytes_copied)
for rw in write read; do
	sync
	echo 3 >/proc/sys/vm/drop_caches
	fio --name="seq$rw" --directory="$mnt" --filename=data --rw="$rw" --bs=64k \
		--size="$size" --ioengine=psync --end_fsync=1 --verify=crc32c \
		--do_verify="$([[ $rw = read ]] && echo 1 || echo 0)" \
		--output-format=json --output="$out/$rw.json" ||
		fail "fio $rw on the card"
done
mapped=$(($(vfsd_counter "$conn" bytes_mapped) - m0))
copied=$(($(vfsd_counter "$conn" bytes_copied) - c0))
umount "$mnt"
wait_for 30 test -s "$stats" || fail "the server wrote no --stats file"
st() { server_stat "$stats" "$1"; }
dma=$(($(st data_dma_to_card) + $(st data_dma_from_card)))
cpu=$(($(st data_cpu_to_card) + $(st data_cpu_from_card)))
bw() { jq -r ".jobs[0].$1.bw_bytes / 1024 | floor" "$out/$2.json"; }
{
	echo "| FPGA card (qemu driver, edu DMA) | KiB/s |"
	echo "|---|---|"
	echo "| 64 KiB sequential write, $size, end_fsync | $(bw write write) |"
	echo "| 64 KiB sequential read, cold cache, crc32c verified | $(bw read read) |"
	echo
	echo "Module: $mapped bytes handed to the server through the window, $copied bytes copied."
	echo "Server: $dma bytes moved by the card's DMA engine, $cpu by the CPU."
} | tee "$out/results.md"
[[ $copied = 0 ]] || fail "the module copied $copied bytes of file data"
[[ $cpu = 0 ]] || fail "the server copied $cpu bytes of file data"
pass "fpga mount: fio verified, 0 bytes copied by the module or the server"
