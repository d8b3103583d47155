#!/bin/bash
# Fetch a Debian kernel series (image, headers, kbuild) and unpack it under
# the VM cache, without installing it: the machine's default kernel, its
# /lib/modules/*/build and every other build stay as they are.
#
# usage: tests/vm/fetch-kernel.sh [--refresh] [--kdir|--kver] SERIES
#
#   SERIES      6.12 (the newest 6.12.N+debNN ABI in any configured suite:
#               bookworm-security carries linux-6.12, bookworm-backports too),
#               or an exact ABI like 6.12.95+deb12 (a backports build)
#   --refresh   apt-get update and fetch the newest ABI even if a tree of the
#               series is already unpacked (default: reuse it, no network)
#   --kdir      print the header tree to build against (meson -Dkdir=)
#   --kver      print the kernel release (e.g. 6.12.117+deb12-amd64)
#
# Prints the extraction root, $VM_CACHE/debian-<abi>-<key>, which holds
# boot/vmlinuz-<kver>, lib/modules/<kver>/ (with modules.dep) and
# usr/src/linux-headers-<kver>/, made buildable in place: its Makefile names
# the unpacked common headers, its .kernelvariables the unpacked pahole
# (usr/bin/pahole, which linux-kbuild needs for module BTF).
# Adds /etc/apt/sources.list.d/backports.sources (bookworm-backports) if no
# apt source names that suite. Packages are only `apt-get download`ed.
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

# Unpacked trees of WANT (a series or an ABI), newest release last.
cached_roots() {
	local r k
	for r in "$VM_CACHE"/debian-*/; do
		r=${r%/}
		[[ -e $r/.done && -f $r/.kver ]] || continue
		k=$(cat "$r/.kver")
		[[ $k == "$want".* || $k == "$want"-* ]] && echo "$k $r"
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

has_pkg() { apt-cache show --no-all-versions "$1" >/dev/null 2>&1; }

# Newest ABI of the series for which image, headers and kbuild all exist.
resolve_abi() {
	local abi re
	if [[ $want == *+* ]]; then
		echo "$want"
		return 0
	fi
	re="^linux-headers-${want//./\\.}\\.[0-9]+\\+[a-z0-9.]+-$flavour\$"
	for abi in $(apt-cache pkgnames "linux-headers-$want." | grep -E "$re" |
		sed -e 's/^linux-headers-//' -e "s/-$flavour\$//" | sort -Vr); do
		if has_pkg "linux-headers-$abi-common" && has_pkg "linux-kbuild-$abi" &&
			{ has_pkg "linux-image-$abi-$flavour-unsigned" || has_pkg "linux-image-$abi-$flavour"; }; then
			echo "$abi"
			return 0
		fi
	done
	return 1
}

if [[ $refresh = 0 ]]; then
	root=$(cached_roots | tail -n1)
fi
if [[ -z ${root:-} ]]; then
	[[ $(id -u) = 0 ]] || vm_die "needs root for apt (or unpack once as root)"
	ensure_backports_source
	say "apt-get update"
	apt-get update -qq >&2 || vm_die "apt-get update failed"
	abi=$(resolve_abi) || vm_die "no linux-headers-$want.*-$flavour with its image, common headers and kbuild in apt (see apt-cache search linux-headers-$want)"
	kver=$abi-$flavour
	img=linux-image-$kver-unsigned
	has_pkg "$img" || img=linux-image-$kver
	# linux-kbuild depends on pahole: module BTF is made against the headers'
	# vmlinux. Unpack it too rather than install it.
	pkgs=("$img" "linux-headers-$kver" "linux-headers-$abi-common" "linux-kbuild-$abi" pahole)
	for p in "${pkgs[@]}"; do
		has_pkg "$p" || vm_die "apt knows no package $p"
	done

	debs=$VM_CACHE/debs
	mkdir -p "$debs"
	exec {lockfd}>"$VM_CACHE/.lock"
	flock "$lockfd"
	files=()
	for p in "${pkgs[@]}"; do
		v=$(apt-cache show --no-all-versions "$p" | awk '/^Version:/ {print $2; exit}')
		a=$(apt-cache show --no-all-versions "$p" | awk '/^Architecture:/ {print $2; exit}')
		# apt-get download names files with the epoch's ':' escaped as %3a.
		f=$debs/${p}_${v//:/%3a}_${a:-$arch}.deb
		if [[ ! -s $f ]]; then
			say "downloading $p $v"
			# _apt cannot write into a root-only cache dir; download as root.
			(cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "$p=$v" >&2) ||
				vm_die "apt-get download $p=$v failed"
		fi
		[[ -s $f ]] || vm_die "apt-get download left no $f"
		files+=("$f")
	done
	key=$(cat "${files[@]}" | sha256sum | cut -c1-12)
	root=$VM_CACHE/debian-$abi-$key
	if [[ ! -e $root/.done ]]; then
		say "unpacking $kver into $root"
		tmp=$(mktemp -d "$VM_CACHE/.extract.XXXXXX")
		for f in "${files[@]}"; do
			dpkg -x "$f" "$tmp"
		done
		echo "$kver" >"$tmp/.kver"
		printf '%s\n' "${files[@]##*/}" >"$tmp/.debs"

		hdr=$tmp/usr/src/linux-headers-$kver
		[[ -f $hdr/Makefile ]] || vm_die "no $hdr/Makefile after unpacking"
		[[ -f $tmp/boot/vmlinuz-$kver ]] || vm_die "no boot/vmlinuz-$kver after unpacking"
		[[ -d $tmp/lib/modules/$kver/kernel ]] || vm_die "no lib/modules/$kver/kernel after unpacking"
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
case $what in
root) echo "$root" ;;
kver) echo "$kver" ;;
kdir) echo "$root/usr/src/linux-headers-$kver" ;;
esac
