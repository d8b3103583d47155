# shellcheck shell=bash
# Helpers shared by tests/vm/run-guest.sh and run-tests.sh (sourced, not run).

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECT_DIR=$(cd "$VM_DIR/../.." && pwd)
# Outside the tree: survives `rm -rf build` and is shared by all checkouts.
VM_CACHE=${VFSD_VM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/vfsd-vm}
# One extended regex per line (grep -E -f): kernel messages that fail a run.
# shellcheck disable=SC2034 # used by the scripts sourcing this
KERNEL_ERRORS_RE=$VM_DIR/kernel-errors.re

vm_die() { echo "${0##*/}: $*" >&2; exit 1; }

# Directory holding the kdebug kernel's .deb files.
kdebug_debs_dir() {
	local d
	for d in "${VFSD_KDEBUG_DEBS:-}" "$PROJECT_DIR/../shared/kernels" /work/shared/kernels; do
		[[ -n $d ]] || continue
		if compgen -G "$d/linux-image-*-kdebug_*.deb" >/dev/null; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# Extract the kdebug image and headers debs once; print the extraction root.
# Keyed by the debs' checksum, so new debs get a fresh tree.
kdebug_root() {
	local dir img hdr key root tmp lockfd
	dir=$(kdebug_debs_dir) || vm_die "no kdebug kernel debs found (set VFSD_KDEBUG_DEBS=DIR)"
	img=$(printf '%s\n' "$dir"/linux-image-*-kdebug_*.deb | sort -V | tail -n1)
	hdr=$dir/$(basename "$img" | sed 's/^linux-image-/linux-headers-/')
	[[ -f $hdr ]] || vm_die "no headers deb matching $img"
	key=$(cat "$img" "$hdr" | sha256sum | cut -c1-12)
	root=$VM_CACHE/kdebug-$key
	if [[ ! -e $root/.done ]]; then
		mkdir -p "$VM_CACHE"
		# Concurrent runs (run-tests.sh and run-guest.sh) must not race.
		exec {lockfd}>"$VM_CACHE/.lock"
		flock "$lockfd"
		if [[ ! -e $root/.done ]]; then
			echo "${0##*/}: extracting $(basename "$img") and $(basename "$hdr") to $root" >&2
			tmp=$(mktemp -d "$VM_CACHE/.extract.XXXXXX")
			dpkg -x "$img" "$tmp"
			dpkg -x "$hdr" "$tmp"
			touch "$tmp/.done"
			rm -rf "$root"
			mv "$tmp" "$root"
		fi
		exec {lockfd}>&-
	fi
	echo "$root"
}

# Release string of the kdebug kernel, e.g. 6.1.192-kdebug.
kdebug_kver() {
	local root v
	root=$(kdebug_root)
	v=$(compgen -G "$root/boot/vmlinuz-*" | head -n1) || vm_die "no vmlinuz in $root/boot"
	echo "${v##*/vmlinuz-}"
}

# Header tree to build the module against for the kdebug kernel.
kdebug_kdir() {
	local root
	root=$(kdebug_root)
	echo "$root/usr/src/linux-headers-$(kdebug_kver)"
}

# The kernel release a module was built for (first word of its vermagic).
module_kver() {
	modinfo -F vermagic "$1" 2>/dev/null | awk '{print $1; exit}'
}

# Newest installed Debian kernel that has both a vmlinuz and a module tree.
stock_kver() {
	local v best=
	for v in /boot/vmlinuz-*; do
		v=${v#/boot/vmlinuz-}
		[[ $v == *kdebug* || ! -d /lib/modules/$v/kernel ]] && continue
		best=$(printf '%s\n%s\n' "$best" "$v" | sed '/^$/d' | sort -V | tail -n1)
	done
	[[ -n $best ]] || vm_die "no installed kernel found (apt-get install linux-image-amd64)"
	echo "$best"
}

# A Debian kernel series (6.12) unpacked by tests/vm/fetch-kernel.sh, never
# installed. Print its extraction root: the cached tree whose release is
# WANT_KVER if given and cached, else the newest cached one, else fetch it.
debkernel_root() {
	local series=$1 want=${2:-} r k best=
	for r in "$VM_CACHE"/debian-"$series".*/; do
		r=${r%/}
		[[ -e $r/.done && -f $r/.kver ]] || continue
		k=$(cat "$r/.kver")
		if [[ -n $want && $k = "$want" ]]; then
			echo "$r"
			return 0
		fi
		best=$(printf '%s\n%s\n' "$best" "$k $r" | sed '/^$/d' | sort -V -k1,1 | tail -n1)
	done
	if [[ -n $best ]]; then
		echo "${best#* }"
		return 0
	fi
	"$VM_DIR/fetch-kernel.sh" "$series"
}
