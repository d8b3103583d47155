#!/bin/bash
# The main job: build vfsd, boot one QEMU guest with the fresh module and an
# emulated FPGA card (ivshmem + edu), and run there
#  - the benchmark: the same fio jobs (and metabench for metadata) on a
#    mem-backed vfsd mount, on the same server over FUSE, and on tmpfs;
#  - the FPGA-backed mount: `vfsd-server --backend=fpga` finds and formats
#    the card, fio writes and reads back a file on it with verify, the
#    data moved by the card's DMA engine (tests/bench/fpga.sh).
# Prints the tables and where the chart is. See tests/bench/README.md.
#
# usage: ./run-main.sh [--kernel stock|kdebug] [--full] [bench.sh options]
#   --full     the long run (VFSD_BENCH_FULL=1 does the same)
#   others go to tests/bench/bench.sh: --reps N, --jobs REGEX, --targets LIST
# Results: $VFSD_VM_RUNS (default /tmp/vfsd-vm-runs)/bench-DATE/bench/
#
# The guest runs under software emulation (TCG): only the ratios between
# the targets within one run mean anything, not the absolute numbers.
set -euo pipefail
cd "$(dirname "$0")"

kernel=stock
if [ "${1:-}" = --kernel ]; then kernel=$2; shift 2; fi
full=${VFSD_BENCH_FULL:-0}
args=()
for a in "$@"; do
	if [ "$a" = --full ]; then full=1; else args+=("$a"); fi
done
tests/install-deps.sh
[ -d build ] || meson setup build
meson compile -C build

mem=3G timeout=3600	# 4 targets, 2 s+ metadata phases: ~25-30 min
if [ "$full" = 1 ]; then mem=4G timeout=10800; args+=(--full); fi
results=${VFSD_VM_RUNS:-${TMPDIR:-/tmp}/vfsd-vm-runs}/bench-$(date +%Y%m%d-%H%M%S)
start=$SECONDS
rc=0
tests/vm/run-guest.sh --kernel "$kernel" --build "$PWD/build" --mem "$mem" --timeout "$timeout" \
	--results "$results" --card "$results/card.img:64M" \
	-- tests/bench/bench.sh --out "$results/bench" --fpga "${args[@]}" || rc=$?
echo
if [ -f "$results/bench/results.md" ]; then
	cat "$results/bench/results.md"
	echo
	echo "table: $results/bench/results.md"
	[ -f "$results/bench/chart.png" ] && echo "chart: $results/bench/chart.png"
	echo "raw:   $results/bench/raw/  (fio JSON per job, target and repetition)"
else
	echo "run-main: no results (see $results/console.log)" >&2
fi
echo "run-main: $((SECONDS - start)) s in the guest (TCG: compare ratios only)"
exit "$rc"
