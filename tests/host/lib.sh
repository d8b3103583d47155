# shellcheck shell=bash
# Helpers for the host tests (tests/host/t-*.sh): servers over the FUSE
# transport on this machine's /dev/fuse, no module and no guest. Sourced
# by each test; tests/host/run.sh exports VFSD_BUILD and VFSD_RESULTS.
#
# Exit status of a test: 0 pass, 77 skip, anything else fail.
set -euo pipefail

# The basics the guest tests share: log, fail, skip, check, wait_for,
# defer (cleanups at exit), tmp_dir.
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

[[ $(id -u) = 0 ]] || skip "needs root (mount)"
[[ -c /dev/fuse ]] || skip "no /dev/fuse"

fuse_mounted() { grep -qs " $1 fuse.vfsd " /proc/mounts; }

SERVER_PID= SERVER_LOG=
# start_server LOGNAME CMD... MOUNTPOINT: run a server in the foreground
# as a background job, its output in $VFSD_RESULTS/LOGNAME.log; wait
# until the FUSE mount is live.
start_server() {
	local name=$1 mnt=${!#}
	shift
	SERVER_LOG=$VFSD_RESULTS/$name.log
	"$@" >"$SERVER_LOG" 2>&1 &
	SERVER_PID=$!
	defer "umount -l '$mnt' 2>/dev/null; kill -9 $SERVER_PID 2>/dev/null; true"
	wait_for 20 fuse_mounted "$mnt" || {
		sed 's/^/  /' "$SERVER_LOG" >&2
		fail "$name: the mount of $mnt did not appear"
	}
}

# start_vfsd_server LOGNAME ARGS... MOUNTPOINT: vfsd-server over FUSE.
start_vfsd_server() {
	local name=$1
	shift
	start_server "$name" "$VFSD_SERVER" --transport=fuse -f "$@"
}

# wait_server_exit WHAT: the server must exit 0 by itself within 10 s.
wait_server_exit() {
	local rc=0
	wait_for 10 eval "! kill -0 $SERVER_PID 2>/dev/null" ||
		fail "$1: the server did not exit"
	wait "$SERVER_PID" || rc=$?
	[[ $rc = 0 ]] || { sed 's/^/  /' "$SERVER_LOG" >&2; fail "$1: the server exited $rc"; }
	! fuse_mounted "$2" || fail "$1: $2 is still mounted"
}

# stop_server WHAT MOUNTPOINT: umount; the server must exit 0.
stop_server() {
	umount "$2" || fail "$1: umount $2"
	wait_server_exit "$1" "$2"
}
