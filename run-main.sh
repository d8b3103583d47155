#!/bin/bash
# The main job: build vfsd, boot one QEMU guest with the fresh module and an
# emulated FPGA card (ivshmem + edu), and run there
#  - the benchmark: the same fio jobs (and metabench for metadata) on a
#    mem-backed vfsd mount, on the same server over FUSE (/dev/fuse, splice
#    on and off, and, on kernels with it, FUSE over io_uring through
#    libfuse >= 3.18 built from Debian's source package), and on tmpfs;
#  - the FPGA-backed mount: `vfsd-server --backend=fpga` finds and formats
#    the card, fio writes and reads back a file on it with verify, the
#    data moved by the card's DMA engine (tests/bench/fpga.sh);
#  - the dir backend with its source on an emulated NVMe disk against
#    libfuse's passthrough_hp (and FUSE passthrough mode where the kernel
#    has it) on the same disk (tests/bench/dir-disk.sh).
# Prints the tables and where the chart is. See tests/bench/README.md.
#
# usage: ./run-main.sh [--kernel 7.3|6.12|stock|kdebug] [--full] [bench.sh options]
#   --kernel   the guest kernel (default 7.3, Debian's from trixie-backports,
#              fetched by tests/vm/fetch-kernel.sh; stock: Debian 12's 6.1);
#              the module is built for it (tests/vm/build-module.sh)
#   --full     the long run (VFSD_BENCH_FULL=1 does the same)
#   others go to tests/bench/bench.sh: --reps N, --jobs REGEX, --targets LIST
# Results: $VFSD_VM_RUNS (default /tmp/vfsd-vm-runs)/bench-DATE/bench/
#
# The guest runs under software emulation (TCG): only the ratios between
# the targets within one run mean anything, not the absolute numbers.
set -euo pipefail
cd "$(dirname "$0")"

kernel=7.3
if [ "${1:-}" = --kernel ]; then kernel=$2; shift 2; fi
full=${VFSD_BENCH_FULL:-0}
args=()
for a in "$@"; do
	if [ "$a" = --full ]; then full=1; else args+=("$a"); fi
done
# The stock guest boots Debian 12's kernel: installed on the host only then.
if [ "$kernel" = stock ]; then tests/install-deps.sh --kernel; else tests/install-deps.sh; fi
module=$(tests/vm/build-module.sh "$kernel")
# The userspace the guest runs (the module comes from build-module.sh).
[ -d build ] || meson setup build -Dkmod=false
meson compile -C build
# The FUSE io_uring target's server (libfuse >= 3.18); bench.sh uses it
# where the guest kernel's fuse has io_uring.
uring_server=$(tests/bench/build-fuse-uring.sh)

mem=4G timeout=5400	# 5 targets (each holds its files: 4 GiB), 2 s+ metadata phases: ~45 min
if [ "$full" = 1 ]; then mem=5G timeout=14400; args+=(--full); fi
results=${VFSD_VM_RUNS:-${TMPDIR:-/tmp}/vfsd-vm-runs}/bench-$(date +%Y%m%d-%H%M%S)
start=$SECONDS
rc=0
# passthrough_hp: libfuse's own example server, from the same libfuse build.
hp=$(dirname "$(dirname "$(ldd "$uring_server" | awk '$1 ~ /^libfuse3[.]/ { print $3 }')")")/bin/passthrough_hp
[ -x "$hp" ] || { echo "run-main: no passthrough_hp at $hp" >&2; exit 1; }
tests/vm/run-guest.sh --kernel "$kernel" --module "$module" --build "$PWD/build" \
	--mem "$mem" --prealloc --timeout "$timeout" --results "$results" --card "$results/card.img:64M" \
	--disk "$results/disk.img:2G" \
	-- "$(printf '%q ' tests/bench/bench.sh --out "$results/bench" --fpga \
		--fuse-uring-server "$uring_server" "${args[@]}") &&
	    $(printf '%q ' tests/bench/dir-disk.sh --out "$results/dir-disk" --passthrough-hp "$hp")" ||
	rc=$?
rm -f "$results/disk.img"
echo
if [ -f "$results/bench/results.md" ]; then
	cat "$results/bench/results.md"
	[ -f "$results/dir-disk/results.md" ] && { echo; cat "$results/dir-disk/results.md"; }
	echo
	echo "table: $results/bench/results.md"
	[ -f "$results/bench/chart.png" ] && echo "chart: $results/bench/chart.png"
	echo "raw:   $results/bench/raw/  (fio JSON per job, target and repetition)"
else
	echo "run-main: no results (see $results/console.log)" >&2
fi
echo "run-main: $((SECONDS - start)) s in the guest (TCG: compare ratios only)"
exit "$rc"
