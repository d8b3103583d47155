#!/bin/bash
# Build the guest initramfs: busybox-static, its applet links, tests/vm/init
# as /init, and the few modules the guest needs before it can reach the host
# over 9p.
#
#   tests/vm/mkinitramfs.sh [--moddir DIR] KVER OUT.cpio.gz
#
# --moddir is the module tree of KVER (default /lib/modules/KVER). Modules that
# are missing are skipped: on kernels that build them in (the kdebug kernel)
# nothing needs loading.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Load order matters: insmod does not resolve dependencies.
MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
	netfs fscache 9pnet 9pnet_virtio 9p fuse pvpanic pvpanic-mmio pvpanic-pci
	loop crc16 mbcache jbd2 crc32c_generic crc32c-intel libcrc32c ext4
	crct10dif_common crc-t10dif crc64 crc64-rocksoft t10-pi
	nvme-keyring nvme-auth nvme-core nvme virtio_blk)
# (ext4 and loop: tests put the dir backend's source on an ext4 image, and
# on an emulated NVMe or virtio disk (run-guest.sh --disk); a fetched
# kernel has no module tree on the host for modprobe to use.)

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }

moddir=
while [[ $# -gt 0 ]]; do
	case $1 in
	--moddir) moddir=$2; shift 2 ;;
	-h|--help) usage ;;
	-*) echo "mkinitramfs: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[[ $# -eq 2 ]] || usage
kver=$1 out=$2
moddir=${moddir:-/lib/modules/$kver}

busybox=
for b in /bin/busybox /usr/bin/busybox; do
	# The guest has no shared libraries of its own: only a static busybox works.
	[[ -x $b ]] || continue
	lddout=$(LC_ALL=C ldd "$b" 2>&1 || true)
	if [[ $lddout == *"not a dynamic executable"* || $lddout == *"statically linked"* ]]; then
		busybox=$b; break
	fi
done
[[ -n $busybox ]] || { echo "mkinitramfs: no static busybox (apt-get install busybox-static)" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/vfsd-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,etc,proc,sys,dev,tmp,host,results,keep,lib/modules}
cp "$busybox" "$stage/bin/busybox"
for applet in $("$stage/bin/busybox" --list); do
	[[ $applet == busybox ]] || ln -sf busybox "$stage/bin/$applet"
done
install -m 0755 "$here/init" "$stage/init"

# Copy the modules flat, decompressed (busybox insmod may lack xz/zstd), and
# record the load order for /init.
: >"$stage/etc/modules"
for m in "${MODULES[@]}"; do
	src=
	if [[ -d $moddir ]]; then
		src=$(find "$moddir" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" -o -name "$m.ko.gz" | head -n1)
	fi
	[[ -n $src ]] || continue
	dst=$stage/lib/modules/$m.ko
	case $src in
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) cp "$src" "$dst" ;;
	esac
	echo "$m" >>"$stage/etc/modules"
done
echo "$kver" >"$stage/etc/kver"

mkdir -p "$(dirname "$out")"
tmp=$out.tmp.$$
(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) | gzip -1 >"$tmp"
mv -f "$tmp" "$out"
