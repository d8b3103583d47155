#!/bin/bash
# Build the Debian packages from the working tree (tracked and new files,
# no build dirs), check them with lintian (no errors), install them on
# this machine, and check that vfsd-dkms built and installed the module
# with DKMS for every kernel that has headers (on the CI machine: Debian
# 12's stock kernel, which the guest then boots; tests/guest/t-90-install
# loads that installed module with modprobe).
#
# usage: tests/packages.sh [-o OUTDIR]     (as root: it installs packages)
#
# Writes OUTDIR/results (default build/packages-results), one line per
# check: `PASS|FAIL NAME [REASON]` for build, lintian, install, dkms; logs
# next to it. Run by run-tests.sh --packages (on by default with CI=true).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=build/packages-results
while [[ $# -gt 0 ]]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	*) echo "usage: $0 [-o OUTDIR]" >&2; exit 2 ;;
	esac
done
[[ $(id -u) = 0 ]] || { echo "packages: run as root (it installs packages)" >&2; exit 1; }
mkdir -p "$out"
out=$(realpath "$out")
results=$out/results
: >"$results"
result() { echo "$1 $2${3:+ $3}" >>"$results"; echo "packages: $1 $2${3:+ ($3)}"; }

version=$(awk -F'"' '/^PACKAGE_VERSION=/ { print $2 }' dkms.conf)
work=$(mktemp -d /tmp/vfsd-packages.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/vfsd-$version
mkdir -p "$src"
git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$src"

# The packages' build dependencies, from debian/control.
export DEBIAN_FRONTEND=noninteractive
if ! dpkg-checkbuilddeps -d 'dpkg-dev, fakeroot, lintian, dkms' "$src/debian/control" 2>/dev/null; then
	apt-get install -y -q --no-install-recommends dpkg-dev fakeroot lintian dkms \
		debhelper dh-dkms meson ninja-build pkgconf libfuse3-dev liburing-dev \
		libcmocka-dev >"$out/apt.log" 2>&1 || true
fi

if (cd "$src" && dpkg-buildpackage -us -uc) >"$out/build.log" 2>&1; then
	result PASS build
else
	result FAIL build "dpkg-buildpackage failed: $out/build.log"
	exit 1
fi
cp "$work"/*.deb "$out/"

if lintian --fail-on error --tag-display-limit 0 "$work"/*.changes >"$out/lintian.log" 2>&1; then
	result PASS lintian
else
	result FAIL lintian "lintian errors: $(grep -c '^E:' "$out/lintian.log") ($out/lintian.log)"
fi

# A reinstall of the same version: purge first, apt would skip it.
dpkg --purge vfsd-tools libvfsd-dev libvfsd0 vfsd-dkms >/dev/null 2>&1 || true
debs=()
arch=$(dpkg --print-architecture)
for p in vfsd-dkms libvfsd0 libvfsd-dev vfsd-tools; do
	a=$arch
	[[ $p != vfsd-dkms ]] || a=all
	debs+=("$out/${p}_${version}_$a.deb")
done
if apt-get install -y -q --no-install-recommends "${debs[@]}" >"$out/install.log" 2>&1 &&
	[[ -x /usr/sbin/mount.vfsd && -x /usr/sbin/vfsd ]]; then
	result PASS install
else
	result FAIL install "apt-get install of the packages failed: $out/install.log"
fi

# Every kernel with headers must have the module from DKMS, indexed.
bad=() good=()
for b in /lib/modules/*/build; do
	[[ -f $b/Makefile ]] || continue
	k=${b#/lib/modules/}; k=${k%/build}
	ko=/lib/modules/$k/updates/dkms/vfsd.ko
	if [[ ! -f $ko ]]; then
		bad+=("$k: no $ko")
	elif [[ $(modinfo -F version "$ko") != "$version" ]]; then
		bad+=("$k: $ko is not version $version")
	elif ! grep -q '^vfsd vfsd c10:243$' "/lib/modules/$k/modules.devname"; then
		bad+=("$k: modules.devname lacks vfsd (depmod not run?)")
	else
		good+=("$k")
	fi
done
dkms status vfsd >"$out/dkms.log" 2>&1 || true
if [[ ${#good[@]} -gt 0 && ${#bad[@]} -eq 0 ]]; then
	result PASS dkms "built and installed for ${good[*]}"
else
	result FAIL dkms "${bad[*]:-no kernel with headers}"
fi
grep -q '^FAIL' "$results" && exit 1
exit 0
