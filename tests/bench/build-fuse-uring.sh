#!/bin/bash
# Build the benchmark's FUSE io_uring server: the same vfsd-server (same
# backends, same FUSE transport) linked against libfuse >= 3.18 with
# io_uring (tests/vm/fetch-libfuse.sh builds it from Debian's fuse3 source
# package), in its own build dir, and print the binary's path. The main
# build keeps Debian 12's libfuse 3.14 for the /dev/fuse targets.
#
# usage: tests/bench/build-fuse-uring.sh [BUILD_DIR]  (default build-fuse-uring)
# Run as root the first time (apt for the source package). The server is
# then run with VFSD_FUSE_URING=1 (docs/fuse-transport.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

dir=${1:-build-fuse-uring}
prefix=$(tests/vm/fetch-libfuse.sh)
# A build dir configured against another libfuse starts over: meson
# caches the dependency it found.
if [[ -f $dir/.libfuse-prefix && $(cat "$dir/.libfuse-prefix") != "$prefix" ]]; then
	rm -rf "$dir"
fi
if [[ ! -f $dir/meson-private/coredata.dat ]]; then
	# No module (the main build has it) and no unit tests (they run there).
	PKG_CONFIG_PATH=$prefix/lib/pkgconfig meson setup "$dir" -Dkmod=false \
		-Dtests=disabled >&2
	echo "$prefix" >"$dir/.libfuse-prefix"
fi
meson compile -C "$dir" >&2
server=$PWD/$dir/server/vfsd-server
# Linked against the private libfuse (meson's rpath), built with io_uring.
ldd "$server" | grep "$prefix/lib/libfuse3" >/dev/null ||
	{ echo "build-fuse-uring: $server does not use $prefix's libfuse" >&2; exit 1; }
grep -q 'fuse/uring[.]c' "$dir/compile_commands.json" ||
	{ echo "build-fuse-uring: libvfsd left out fuse/uring.c (libfuse without fuse_req_is_uring?)" >&2; exit 1; }
echo "$server"
