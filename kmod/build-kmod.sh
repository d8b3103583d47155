#!/bin/bash
# Build vfsd.ko out of the source tree: kbuild wants sources in the M=
# directory, so link them into OUTDIR/obj and build there.
# usage: build-kmod.sh SRCDIR OUTDIR KDIR
set -euo pipefail
src=$(realpath "$1"); out=$(realpath -m "$2")
# KDIR empty: the running kernel's; a missing tree stops here, named.
# (default-kdir.sh is beside this script; SRCDIR may be another module's.)
kdir=$(sh "$(dirname "$(realpath "$0")")/default-kdir.sh" "$3")
mkdir -p "$out/obj"
# Sources only: an in-tree build (`make -C kmod check`) leaves a generated
# vfsd.mod.c beside them, which kbuild must make itself here. Links to
# files gone from the tree go too.
find "$out/obj" -maxdepth 1 -xtype l -delete
for f in "$src"/*.c "$src"/*.h "$src"/Kbuild; do
	case $f in *.mod.c) continue ;; esac
	ln -sf "$f" "$out/obj/"
done
# A header tree inside a build root made by tests/vm/fetch-kernel.sh (7.x,
# built with a compiler the host lacks): run kbuild chrooted into that
# root, in a private mount namespace that sees the sources and the output
# at their own paths and has /proc (objtool reads it).
broot=
case $kdir in */usr/src/*) broot=${kdir%%/usr/src/*} ;; esac
if [ -n "$broot" ] && [ -f "$broot/.vfsd-buildroot" ]; then
	[ "$(id -u)" = 0 ] || { echo "vfsd: building against $kdir chroots into $broot: run as root" >&2; exit 1; }
	proj=$(realpath "$src/..")
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- sh -euc '
		root=$1 kdir=$2 proj=$3 out=$4
		for d in "$proj" "$out"; do
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done
		mount -t proc proc "$root/proc"
		mount --bind /dev "$root/dev"
		exec chroot "$root" make -s -C "$kdir" M="$out/obj" \
			VFSD_INCLUDE="$proj/include" modules
	' sh "$broot" "${kdir#"$broot"}" "$proj" "$out"
else
	make -s -C "$kdir" M="$out/obj" VFSD_INCLUDE="$src/../include" modules
fi
cp "$out"/obj/*.ko "$out/"
