#!/bin/bash
# Fetch a Debian kernel series (image, modules, headers, kbuild) and unpack
# it under the VM cache, without installing it: the machine's default
# kernel, its /lib/modules/*/build, its apt sources and every other build
# stay as they are.
#
# usage: tests/vm/fetch-kernel.sh [--refresh] [--kdir|--kver] SERIES
#
#   SERIES      6.12 (the newest 6.12.N+debNN ABI in any configured suite:
#               bookworm-security carries linux-6.12, bookworm-backports too),
#               7.3 or any 7.N (the newest 7.N.M+debNN in trixie-backports),
#               or an exact ABI like 6.12.95+deb12 or 7.3.4+deb13
#   --refresh   apt-get update and fetch the newest ABI even if a tree of the
#               series is already unpacked (default: reuse it, no network)
#   --kdir      print the header tree to build against (meson -Dkdir=)
#   --kver      print the kernel release (e.g. 6.12.117+deb12-amd64)
#
# Prints the extraction root, $VM_CACHE/debian-<abi>-<key>, which holds
# boot/vmlinuz-<kver> and lib/modules/<kver>/ (with modules.dep).
#
# 6.x (Debian 12's own compiler builds it): the root also holds
# usr/src/linux-headers-<kver>/, made buildable in place: its Makefile names
# the unpacked common headers, its .kernelvariables the unpacked pahole
# (usr/bin/pahole, which linux-kbuild needs for module BTF). Adds
# /etc/apt/sources.list.d/backports.sources (bookworm-backports) if no apt
# source names that suite.
#
# 7.x (built with gcc-14, which Debian 12 lacks): the packages come from
# trixie-backports through a private apt configuration under
# $VM_CACHE/apt/ (the host's sources are not touched), and the headers and
# kbuild are unpacked into a Debian 13 build root made with debootstrap,
# $VM_CACHE/buildroot-trixie-<key> (gcc-14, make, libelf, pahole, ...),
# at the absolute paths they name. --kdir prints the header tree inside
# that root; kmod/build-kmod.sh sees the root's .vfsd-buildroot and runs
# kbuild chrooted into it (as root). Set VFSD_DEBIAN_MIRROR to use another
# mirror than http://deb.debian.org/debian.
#
# Packages are only `apt-get download`ed, never installed.
#
# Build the module against it:
#   meson setup build-6.12 -Dkdir="$(tests/vm/fetch-kernel.sh --kdir 6.12)"
#   meson compile -C build-6.12
#   tests/vm/run-guest.sh --kernel 6.12 --build build-6.12 -- ...
set -euo pipefail

# shellcheck source=tests/vm/common.sh
# shellcheck disable=SC1091 # found at run time
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }

refresh=0 what=root
while [[ $# -gt 0 ]]; do
	case $1 in
	--refresh) refresh=1; shift ;;
	--kdir) what=kdir; shift ;;
	--kver) what=kver; shift ;;
	-h|--help) usage ;;
	-*) echo "fetch-kernel: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[[ $# -eq 1 ]] || usage
want=$1
[[ $want =~ ^[0-9]+\.[0-9]+(\.[0-9]+\+[a-z0-9.]+)?$ ]] ||
	vm_die "SERIES is like 6.12 or 6.12.95+deb12, not '$want'"
arch=amd64 flavour=amd64

say() { echo "fetch-kernel: $*" >&2; }

# Where a series comes from. 6.x: the host's apt (bookworm and its
# backports), built with the host's compiler. 7.x: trixie-backports through
# a private apt dir, built in a trixie build root.
major=${want%%.*}
if [[ $major -ge 7 ]]; then
	suite=trixie-backports
	# debootstrap --variant=minbase --include=...: what kbuild needs for an
	# external module against Debian's headers (objtool wants libelf, BTF
	# wants pahole, the signing scripts libssl).
	buildroot_suite=trixie
	buildroot_pkgs=gcc-14,make,libelf-dev,libssl-dev,bc,bison,flex,kmod,pahole
	mirror=${VFSD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
	aptdir=$VM_CACHE/apt/$suite
	APT_OPTS=(-o "Dir::Etc::SourceList=$aptdir/sources.list"
		-o "Dir::Etc::SourceParts=$aptdir/sources.list.d"
		-o "Dir::Etc::Preferences=$aptdir/preferences"
		-o "Dir::Etc::PreferencesParts=$aptdir/preferences.d"
		-o "Dir::State=$aptdir/state" -o "Dir::State::status=$aptdir/state/status"
		-o "Dir::Cache=$aptdir/cache" -o Debug::NoLocking=1
		-o APT::Sandbox::User=root)
else
	suite=bookworm-backports buildroot_suite='' APT_OPTS=()
fi
apt_get() { apt-get "${APT_OPTS[@]}" "$@"; }
apt_cache() { apt-cache "${APT_OPTS[@]}" "$@"; }

# Unpacked trees of WANT (a series or an ABI), newest release last.
cached_roots() {
	local r k
	for r in "$VM_CACHE"/debian-*/; do
		r=${r%/}
		[[ -e $r/.done && -f $r/.kver ]] || continue
		k=$(cat "$r/.kver")
		if [[ $k == "$want".* || $k == "$want"-* ]]; then
			echo "$k $r"
		fi
	done | sort -V -k1,1 | awk '{print $2}'
}

ensure_backports_source() {
	local f=/etc/apt/sources.list.d/backports.sources
	if grep -rqsE '(^|[[:space:]])bookworm-backports([[:space:]]|$)' \
		/etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 0
	fi
	say "adding $f (bookworm-backports)"
	cat >"$f" <<-'EOF'
	Types: deb
	URIs: http://deb.debian.org/debian
	Suites: bookworm-backports
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
}

# A private apt configuration that knows only $suite: its own sources
# list, package lists, cache and an empty dpkg status.
ensure_private_apt() {
	mkdir -p "$aptdir"/{sources.list.d,preferences.d,state/lists/partial,cache/archives/partial}
	: >"$aptdir/preferences"
	[[ -f $aptdir/state/status ]] || : >"$aptdir/state/status"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
		>"$aptdir/sources.list"
}

has_pkg() { apt_cache show --no-all-versions "$1" >/dev/null 2>&1; }

# The first of the names apt knows.
first_pkg() {
	local p
	for p in "$@"; do
		if has_pkg "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Newest ABI of the series for which image, headers and kbuild all exist:
# read off the package index, never assumed.
resolve_abi() {
	local abi re
	if [[ $want == *+* ]]; then
		echo "$want"
		return 0
	fi
	re="^linux-headers-${want//./\\.}\\.[0-9]+\\+[a-z0-9.]+-$flavour\$"
	for abi in $(apt_cache pkgnames "linux-headers-$want." | grep -E "$re" |
		sed -e 's/^linux-headers-//' -e "s/-$flavour\$//" | sort -Vr); do
		if has_pkg "linux-headers-$abi-common" && has_pkg "linux-kbuild-$abi" &&
			first_pkg "linux-binary-$abi-$flavour" "linux-image-$abi-$flavour-unsigned" \
				"linux-image-$abi-$flavour" >/dev/null; then
			echo "$abi"
			return 0
		fi
	done
	return 1
}

# Debian 13's toolchain in a directory (debootstrap, Debian's archive only),
# made once and shared by every 7.x ABI; keyed by what it includes.
ensure_buildroot() {
	local key tmp lockfd
	key=$(echo "$buildroot_suite $buildroot_pkgs" | sha256sum | cut -c1-12)
	broot=$VM_CACHE/buildroot-$buildroot_suite-$key
	[[ -e $broot/.vfsd-buildroot ]] && return 0
	[[ $(id -u) = 0 ]] || vm_die "making the $buildroot_suite build root needs root"
	command -v debootstrap >/dev/null ||
		vm_die "no debootstrap (apt-get install debootstrap, or tests/install-deps.sh)"
	mkdir -p "$VM_CACHE"
	exec {lockfd}>"$VM_CACHE/.lock-buildroot"
	flock "$lockfd"
	if [[ ! -e $broot/.vfsd-buildroot ]]; then
		tmp=$(mktemp -d "$VM_CACHE/.buildroot.XXXXXX")
		say "debootstrap $buildroot_suite into $broot ($buildroot_pkgs)"
		debootstrap --variant=minbase --include="$buildroot_pkgs" \
			"$buildroot_suite" "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
			{ tail -n 20 "$tmp.log" >&2; rm -rf "$tmp"; vm_die "debootstrap failed (log above)"; }
		rm -f "$tmp.log"
		chroot "$tmp" x86_64-linux-gnu-gcc-14 --version >/dev/null ||
			vm_die "no working gcc-14 in the build root"
		echo "$buildroot_suite $buildroot_pkgs" >"$tmp/.vfsd-buildroot"
		rm -rf "$broot"
		mv "$tmp" "$broot"
	fi
	exec {lockfd}>&-
}

# Unpack the headers and kbuild debs of ROOT's kernel into the build root,
# at the absolute paths the headers name (/usr/src, /usr/lib/linux-kbuild-*).
ensure_buildroot_headers() {
	local root=$1 kver=$2 mark f lockfd
	mark=$broot/.headers-$kver-$(cat "$root/.key")
	[[ -e $mark ]] && return 0
	exec {lockfd}>"$VM_CACHE/.lock-buildroot"
	flock "$lockfd"
	if [[ ! -e $mark ]]; then
		say "unpacking the $kver headers into $broot"
		while read -r f; do
			dpkg -x "$VM_CACHE/debs/$f" "$broot" || vm_die "dpkg -x $f failed"
		done <"$root/.hdrdebs"
		[[ -f $broot/usr/src/linux-headers-$kver/Makefile ]] ||
			vm_die "no usr/src/linux-headers-$kver/Makefile in the build root"
		touch "$mark"
	fi
	exec {lockfd}>&-
}

# The debs of a fetched tree are listed in ROOT/.debs; if the cache lost
# them (someone cleaned it), the headers cannot be unpacked again.
debs_present() {
	local f
	[[ -f $1/.hdrdebs ]] || return 1
	while read -r f; do
		[[ -s $VM_CACHE/debs/$f ]] || return 1
	done <"$1/.hdrdebs"
}

root=
if [[ $refresh = 0 ]]; then
	root=$(cached_roots | tail -n1)
	if [[ -n $root && -n $buildroot_suite ]] && ! debs_present "$root"; then
		root=
	fi
fi
if [[ -z $root ]]; then
	[[ $(id -u) = 0 ]] || vm_die "needs root for apt (or unpack once as root)"
	if [[ -n $buildroot_suite ]]; then
		ensure_private_apt
		say "apt-get update ($suite, private apt dir $aptdir)"
	else
		ensure_backports_source
		say "apt-get update"
	fi
	apt_get update -qq >&2 || vm_die "apt-get update failed"
	abi=$(resolve_abi) || vm_die "no linux-headers-$want.*-$flavour with its image, common headers and kbuild in apt (see apt-cache search linux-headers-$want)"
	kver=$abi-$flavour
	hdrs=("linux-headers-$kver" "linux-headers-$abi-common" "linux-kbuild-$abi")
	if [[ -n $buildroot_suite ]]; then
		# 7.x: the image is split into linux-binary (vmlinuz) and
		# linux-modules; the build root has its own pahole.
		img=$(first_pkg "linux-binary-$kver" "linux-binary-unsigned-$kver") ||
			vm_die "apt knows no linux-binary-$kver"
		pkgs=("$img" "linux-modules-$kver" "${hdrs[@]}")
	else
		img=$(first_pkg "linux-image-$kver-unsigned" "linux-image-$kver") ||
			vm_die "apt knows no linux-image-$kver"
		# linux-kbuild depends on pahole: module BTF is made against the
		# headers' vmlinux. Unpack it too rather than install it.
		pkgs=("$img" "${hdrs[@]}" pahole)
	fi
	for p in "${pkgs[@]}"; do
		has_pkg "$p" || vm_die "apt knows no package $p"
	done

	debs=$VM_CACHE/debs
	mkdir -p "$debs"
	exec {lockfd}>"$VM_CACHE/.lock"
	flock "$lockfd"
	files=() hdrfiles=()
	for p in "${pkgs[@]}"; do
		v=$(apt_cache show --no-all-versions "$p" | awk '/^Version:/ {print $2; exit}')
		a=$(apt_cache show --no-all-versions "$p" | awk '/^Architecture:/ {print $2; exit}')
		# apt-get download names files with the epoch's ':' escaped as %3a.
		f=$debs/${p}_${v//:/%3a}_${a:-$arch}.deb
		if [[ ! -s $f ]]; then
			say "downloading $p $v"
			# _apt cannot write into a root-only cache dir; download as root.
			(cd "$debs" && apt_get download -qq -o APT::Sandbox::User=root "$p=$v" >&2) ||
				vm_die "apt-get download $p=$v failed"
		fi
		[[ -s $f ]] || vm_die "apt-get download left no $f"
		files+=("$f")
		for h in "${hdrs[@]}"; do
			[[ $p = "$h" ]] && hdrfiles+=("${f##*/}")
		done
	done
	key=$(cat "${files[@]}" | sha256sum | cut -c1-12)
	root=$VM_CACHE/debian-$abi-$key
	if [[ ! -e $root/.done ]]; then
		say "unpacking $kver into $root"
		tmp=$(mktemp -d "$VM_CACHE/.extract.XXXXXX")
		for f in "${files[@]}"; do
			# 7.x: the headers go into the build root instead.
			if [[ -n $buildroot_suite ]] && printf '%s\n' "${hdrfiles[@]}" | grep -qxF "${f##*/}"; then
				continue
			fi
			dpkg -x "$f" "$tmp"
		done
		echo "$kver" >"$tmp/.kver"
		echo "$key" >"$tmp/.key"
		printf '%s\n' "${files[@]##*/}" >"$tmp/.debs"
		printf '%s\n' "${hdrfiles[@]}" >"$tmp/.hdrdebs"

		if [[ -n $buildroot_suite ]]; then
			# Merged /usr: the packages install under usr/lib/modules,
			# vmlinuz included. Give it the layout run-guest.sh reads.
			[[ -f $tmp/usr/lib/modules/$kver/vmlinuz ]] ||
				vm_die "no usr/lib/modules/$kver/vmlinuz after unpacking"
			[[ -e $tmp/lib ]] || ln -s usr/lib "$tmp/lib"
			mkdir -p "$tmp/boot"
			ln -s "../usr/lib/modules/$kver/vmlinuz" "$tmp/boot/vmlinuz-$kver"
			rm -f "$tmp/lib/modules/$kver/build" "$tmp/lib/modules/$kver/source"
		else
			hdr=$tmp/usr/src/linux-headers-$kver
			[[ -f $hdr/Makefile ]] || vm_die "no $hdr/Makefile after unpacking"
			[[ -f $tmp/boot/vmlinuz-$kver ]] || vm_die "no boot/vmlinuz-$kver after unpacking"
			# The headers link scripts/ and tools/ relative to themselves into
			# linux-kbuild-<abi> (../../lib/...): they resolve inside the tree.
			# Check them; repoint any absolute link into the tree.
			for l in "$hdr"/* "$tmp/usr/src/linux-headers-$abi-common"/* \
				"$tmp/lib/modules/$kver/build" "$tmp/lib/modules/$kver/source"; do
				[[ -L $l ]] || continue
				t=$(readlink "$l")
				if [[ $t == /* ]]; then
					ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$tmp$t")" "$l"
					t=$(readlink "$l")
				fi
				[[ -e $l ]] || vm_die "$l -> $t does not resolve inside the tree"
			done
			# Its Makefile is one line, `include /usr/src/linux-headers-<abi>-common/Makefile`:
			# name the unpacked common tree instead, relative to the Makefile.
			# shellcheck disable=SC2016 # make syntax
			sed -i 's|^include /usr/src/|include $(dir $(lastword $(MAKEFILE_LIST)))../|' "$hdr/Makefile"
			grep -q '^include /' "$hdr/Makefile" && vm_die "$hdr/Makefile still includes an absolute path"
			# shellcheck disable=SC2016 # make syntax
			# The top Makefile reads .kernelvariables from the object tree (this
			# one) after it sets PAHOLE = pahole, also in its sub-make.
			printf '%s\n' 'override PAHOLE := $(realpath $(abs_objtree)/../../bin/pahole)' >>"$hdr/.kernelvariables"
			"$tmp/usr/bin/pahole" --version >/dev/null || vm_die "the unpacked pahole does not run (libdw1, libbpf1 installed?)"
		fi
		[[ -d $tmp/lib/modules/$kver/kernel ]] || vm_die "no lib/modules/$kver/kernel after unpacking"
		# modules.dep is made at install time (depmod): make it here, so
		# modprobe -d works with this tree.
		depmod -b "$tmp" "$kver" 2>/dev/null || say "depmod failed (not needed by run-guest.sh)"
		touch "$tmp/.done"
		rm -rf "$root"
		mv "$tmp" "$root"
	fi
	exec {lockfd}>&-
fi

kver=$(cat "$root/.kver")
if [[ -n $buildroot_suite ]]; then
	ensure_buildroot
	ensure_buildroot_headers "$root" "$kver"
	kdir=$broot/usr/src/linux-headers-$kver
else
	kdir=$root/usr/src/linux-headers-$kver
fi
case $what in
root) echo "$root" ;;
kver) echo "$kver" ;;
kdir) echo "$kdir" ;;
esac
