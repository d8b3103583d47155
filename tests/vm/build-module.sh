#!/bin/bash
# Build vfsd.ko for a guest kernel and print its path, as run-tests.sh
# does per kernel: stock in build/, a Debian series (6.12, 7.3; fetched and
# unpacked by tests/vm/fetch-kernel.sh, 7.x built in its trixie root) in
# build-SERIES/, kdebug in build-kdebug/, an installed release in
# build-RELEASE/. The userspace the guest runs stays build/'s.
#
# usage: tests/vm/build-module.sh KERNEL
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/vm/common.sh
# shellcheck disable=SC1091 # found at run time
. tests/vm/common.sh

[[ $# -eq 1 ]] || vm_die "usage: tests/vm/build-module.sh stock|kdebug|SERIES|RELEASE"
k=$1
case $k in
stock) dir=build kdir=/lib/modules/$(stock_kver)/build ;;	# not the host's running kernel
kdebug) dir=build-kdebug kdir=$(kdebug_kdir) ;;
[0-9]*.[0-9]*)
	if [[ $k =~ ^[0-9]+\.[0-9]+$ ]]; then
		kdir=$(tests/vm/fetch-kernel.sh --kdir "$k") || vm_die "tests/vm/fetch-kernel.sh $k failed"
	else
		kdir=/lib/modules/$k/build
	fi
	dir=build-$k ;;
*) vm_die "unknown kernel $k" ;;
esac
# Configure once; reconfigure only if the kernel tree changed (that
# rebuilds everything).
if [[ ! -f $dir/meson-private/coredata.dat ]]; then
	meson setup "$dir" ${kdir:+-Dkdir="$kdir"} >&2
elif [[ -n $kdir ]]; then
	cur=$(meson introspect --buildoptions "$dir" | python3 -c \
		'import json, sys; print(next((o["value"] for o in json.load(sys.stdin) if o["name"] == "kdir"), ""))')
	[[ $cur == "$kdir" ]] || meson configure "$dir" -Dkdir="$kdir" >&2
fi
meson compile -C "$dir" >&2
[[ -f $dir/kmod/vfsd.ko ]] || vm_die "no $dir/kmod/vfsd.ko"
echo "$PWD/$dir/kmod/vfsd.ko"
