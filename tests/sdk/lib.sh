# Helpers of the SDK tests: install the build into a directory and build
# against it the way a server author does, with pkg-config and cc.
# usage in a test: . lib.sh SRCDIR BUILDDIR
set -euo pipefail
SRC=$(cd "$1" && pwd)
BUILD=$(cd "$2" && pwd)
CC=${CC:-cc}
# meson test points it at the build tree: each run here names its own.
unset LD_LIBRARY_PATH
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vfsd-sdk.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
say() { echo "== $*"; }

# install_to DIR: the library, headers and vfsd.pc as `meson install`
# puts them, under DIR (DESTDIR).
install_to() {
	meson install -C "$BUILD" --no-rebuild --quiet --destdir "$1" \
		--tags devel,runtime >/dev/null
}

# pc DIR ARGS...: pkg-config on what was installed into DIR.
pc() {
	local dir=$1 pcfile
	shift
	pcfile=$(find "$dir" -name vfsd.pc -print -quit)
	[[ -n $pcfile ]] || fail "no vfsd.pc under $dir"
	PKG_CONFIG_PATH=$(dirname "$pcfile") PKG_CONFIG_SYSROOT_DIR=$dir \
		PKG_CONFIG_LIBDIR= pkg-config "$@" vfsd
}

# libdir DIR: where the installed libvfsd.so.0 is.
libdir() {
	local so
	so=$(find "$1" -name 'libvfsd.so.0' -print -quit)
	[[ -n $so ]] || fail "no libvfsd.so.0 under $1"
	dirname "$so"
}
