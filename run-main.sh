#!/bin/bash
# The main job: build vfsd, boot a QEMU guest with the fresh module, mount a
# vfsd filesystem served by vfsd-server and run fio on it.
# usage: ./run-main.sh [--kernel stock|kdebug] [BACKEND]
set -euo pipefail
cd "$(dirname "$0")"

kernel=stock
if [ "${1:-}" = --kernel ]; then kernel=$2; shift 2; fi
tests/install-deps.sh
[ -d build ] || meson setup build
meson compile -C build
exec tests/vm/run-guest.sh --kernel "$kernel" --build "$PWD/build" -- tests/bench/main-job.sh "$@"
