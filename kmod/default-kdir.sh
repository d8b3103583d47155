#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel build tree vfsd.ko is built against, decided here alone:
# meson.build, kmod/Makefile (so DKMS) and kmod/build-kmod.sh ask this
# script.
#   sh default-kdir.sh [KDIR]
# prints KDIR, or when it is empty or absent the running kernel's tree,
# /lib/modules/$(uname -r)/build. It exits 0 when that tree has a
# Makefile; otherwise it names the headers package to install on stderr
# and exits 1 (the tree is still printed).
set -eu
kdir=${1:-}
[ -n "$kdir" ] || kdir=/lib/modules/$(uname -r)/build
printf '%s\n' "$kdir"
[ -f "$kdir/Makefile" ] && exit 0
case $kdir in
/lib/modules/*/build)
	ver=${kdir#/lib/modules/}
	ver=${ver%/build}
	hint="install its headers (apt-get install linux-headers-$ver)"
	;;
*)
	hint="install the headers of the kernel to build for (linux-headers-VERSION; linux-headers-$(uname -r) for the running one)"
	;;
esac
echo "vfsd: no kernel build tree at $kdir: $hint, name another tree (make KDIR=PATH, meson setup -Dkdir=PATH), or skip the module (meson setup -Dkmod=false)" >&2
exit 1
