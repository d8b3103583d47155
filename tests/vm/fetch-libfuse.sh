#!/bin/bash
# Build libfuse >= 3.18 with FUSE-over-io_uring into a private prefix, from
# Debian's own fuse3 source package (Debian 12 ships 3.14, which has no
# io_uring), and print the prefix. The benchmark's FUSE (io_uring) target
# is vfsd-server built against it (run-main.sh, tests/bench/README.md).
#
# usage: tests/vm/fetch-libfuse.sh [--refresh]
#   --refresh   look for a newer source package even if one is built
# Prints the prefix, e.g. ~/.cache/vfsd-vm/libfuse-3.18.3-1 (lib/,
# include/fuse3/, lib/pkgconfig/fuse3.pc, and bin/passthrough_hp, libfuse's
# own example server, for comparisons with the dir backend): build against
# it with
#   PKG_CONFIG_PATH=PREFIX/lib/pkgconfig meson setup DIR
# (meson puts PREFIX/lib into the binaries' rpath).
#
# Where it comes from: the first of trixie-backports, forky, sid whose
# fuse3 source is >= 3.18 (forky and sid carried 3.18.3-1 on 2026-12-06),
# fetched with `apt-get source` through a private apt dir that lists only
# deb-src lines ($VM_CACHE/apt/fuse3-src/; the host's apt sources are not
# touched; apt checks the files against the archive's signed index).
# Built with meson: the library and example/passthrough_hp (no utils or
# tests; meson installs no example, so it is copied to bin/), io_uring
# on (-Denable-io-uring=true needs liburing-dev and libnuma-dev, from
# tests/install-deps.sh; Debian 12's liburing 2.3 is new enough). The
# build fails if libfuse's meson did not enable io_uring.
set -euo pipefail

# shellcheck source=tests/vm/common.sh
# shellcheck disable=SC1091 # found at run time
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

say() { echo "fetch-libfuse: $*" >&2; }

refresh=0
case ${1:-} in
--refresh) refresh=1 ;;
'') ;;
*) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2 ;;
esac

min=3.18
suites=(trixie-backports forky sid)
mirror=${VFSD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
aptdir=$VM_CACHE/apt/fuse3-src
APT_OPTS=(-o "Dir::Etc::SourceList=$aptdir/sources.list"
	-o "Dir::Etc::SourceParts=$aptdir/sources.list.d"
	-o "Dir::Etc::Preferences=$aptdir/preferences"
	-o "Dir::Etc::PreferencesParts=$aptdir/preferences.d"
	-o "Dir::State=$aptdir/state" -o "Dir::State::status=$aptdir/state/status"
	-o "Dir::Cache=$aptdir/cache" -o Debug::NoLocking=1
	-o APT::Sandbox::User=root)

# The newest prefix already built, if any.
built() {
	local d
	for d in "$VM_CACHE"/libfuse-*/; do
		if [[ -e $d.vfsd-libfuse && -x ${d}bin/passthrough_hp ]]; then
			echo "${d%/}"
		fi
	done | sort -V | tail -n 1
}

prefix=$(built)
if [[ $refresh = 0 && -n $prefix ]]; then
	echo "$prefix"
	exit 0
fi
[[ $(id -u) = 0 ]] || vm_die "needs root for apt (or build once as root)"
for cmd in dpkg-source meson ninja pkg-config; do
	command -v "$cmd" >/dev/null || vm_die "no $cmd (tests/install-deps.sh)"
done
for pc in liburing numa; do
	pkg-config --exists "$pc" || vm_die "no $pc development files (tests/install-deps.sh: liburing-dev libnuma-dev)"
done

mkdir -p "$aptdir"/{sources.list.d,preferences.d,state/lists/partial,cache/archives/partial}
: >"$aptdir/preferences"
[[ -f $aptdir/state/status ]] || : >"$aptdir/state/status"
for s in "${suites[@]}"; do
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $s main"
done >"$aptdir/sources.list"
say "apt-get update (deb-src ${suites[*]}, private apt dir $aptdir)"
apt-get "${APT_OPTS[@]}" update -qq >&2 || vm_die "apt-get update failed"

# madison: "fuse3 | VERSION | URL SUITE/main Sources", one line per suite.
version=
for s in "${suites[@]}"; do
	v=$(apt-cache "${APT_OPTS[@]}" madison fuse3 |
		awk -F' *[|] *' -v s="$s/main" '$3 ~ "[ ]" s " Sources" { print $2 }' | head -n 1)
	if [[ -n $v ]] && dpkg --compare-versions "$v" ge "$min"; then
		version=$v
		say "fuse3 $version from $s"
		break
	fi
done
[[ -n $version ]] || vm_die "no fuse3 source >= $min in ${suites[*]} (apt-cache madison fuse3)"

prefix=$VM_CACHE/libfuse-$version
work=$(mktemp -d "$VM_CACHE/.libfuse.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get "${APT_OPTS[@]}" source --download-only "fuse3=$version" >&2) ||
	vm_die "apt-get source fuse3=$version failed"
dpkg-source --no-check -x "$work"/fuse3_*.dsc "$work/src" >&2 ||
	vm_die "dpkg-source -x failed"

rm -rf "$prefix"
say "meson: libfuse $version with io_uring into $prefix"
meson setup "$work/build" "$work/src" --prefix="$prefix" --libdir=lib \
	--buildtype=release -Denable-io-uring=true -Dutils=false \
	-Dexamples=true -Dtests=false -Duseroot=false -Dinitscriptdir= \
	>"$work/meson.log" 2>&1 || { tail -n 30 "$work/meson.log" >&2; vm_die "meson setup failed"; }
grep -q '^#define HAVE_URING' "$work/build/fuse_config.h" 2>/dev/null ||
	grep -rqs 'HAVE_URING' "$work/build/"*config*.h ||
	{ tail -n 30 "$work/meson.log" >&2; vm_die "libfuse's meson left io_uring off (liburing with SQE128 and libnuma needed)"; }
{ ninja -C "$work/build" example/passthrough_hp &&
	meson install --no-rebuild -C "$work/build"; } >"$work/ninja.log" 2>&1 ||
	{ tail -n 30 "$work/ninja.log" >&2; vm_die "building libfuse failed"; }
# Its RUNPATH is $ORIGIN/../lib: the prefix's libfuse.
install -D -m 755 "$work/build/example/passthrough_hp" "$prefix/bin/passthrough_hp"
[[ -f $prefix/lib/pkgconfig/fuse3.pc ]] || vm_die "no $prefix/lib/pkgconfig/fuse3.pc after install"
{
	echo "fuse3 $version (Debian source package, with passthrough_hp)"
	echo "liburing $(pkg-config --modversion liburing)"
	echo "numa $(pkg-config --modversion numa 2>/dev/null || echo ?)"
} >"$prefix/.vfsd-libfuse"
echo "$prefix"
