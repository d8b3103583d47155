#!/bin/bash
# Build vfsd.ko out of the source tree: kbuild wants sources in the M=
# directory, so link them into OUTDIR/obj and build there.
# usage: build-kmod.sh SRCDIR OUTDIR KDIR
set -euo pipefail
src=$(realpath "$1"); out=$(realpath -m "$2"); kdir=$3
[ -n "$kdir" ] || kdir=$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -1)
if [ ! -f "$kdir/Makefile" ]; then
	echo "vfsd: no kernel build tree at '${kdir:-/lib/modules/*/build}': install linux-headers-amd64 or pass -Dkdir=" >&2
	exit 1
fi
mkdir -p "$out/obj"
for f in "$src"/*.c "$src"/*.h "$src"/Kbuild; do
	ln -sf "$f" "$out/obj/"
done
make -s -C "$kdir" M="$out/obj" VFSD_INCLUDE="$src/../include" modules
cp "$out/obj/vfsd.ko" "$out/vfsd.ko"
