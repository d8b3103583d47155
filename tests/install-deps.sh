#!/bin/bash
# Install the Debian packages vfsd needs to build and test (as root, once).
# Used by run-main.sh, run-tests.sh and .ci/run.
#
# usage: tests/install-deps.sh [--kernel]
#   --kernel   also Debian 12's kernel image and headers (linux-image-amd64,
#              linux-headers-amd64): the QEMU harness boots that kernel in
#              its guest. Without it no kernel image is installed on the
#              host; to build the module for the running kernel install
#              linux-headers-$(uname -r) yourself (or use vfsd-dkms).
set -euo pipefail

VFSD_PACKAGES=(
	build-essential meson ninja-build pkg-config
	libfuse3-dev fuse3 liburing-dev libcmocka-dev kmod
	libnuma-dev dpkg-dev
	qemu-system-x86 busybox-static cpio xz-utils debootstrap
	fio stress-ng sparse gnuplot-nox attr
	python3 jq
)
case ${1:-} in
--kernel) VFSD_PACKAGES+=(linux-image-amd64 linux-headers-amd64) ;;
'') ;;
*) echo "usage: $0 [--kernel]" >&2; exit 2 ;;
esac

missing=()
for p in "${VFSD_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "vfsd: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "vfsd: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
