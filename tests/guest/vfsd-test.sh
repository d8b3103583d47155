# shellcheck shell=bash
# vfsd-specific helpers for the guest tests, on top of lib.sh: starting and
# stopping vfsd-server, reading a connection's sysfs counters.
# shellcheck source=tests/guest/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VFSD_SERVER_PID=
# devtmpfs lacks /dev/fd, which bash process substitution needs.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
pass() { log "ok: $*"; }

# vfsd_start_server ARGS... MOUNTPOINT: run vfsd-server in the foreground
# (-f) as a background job, wait until the mount is live. The mount and
# server are cleaned up at exit if the test does not stop them itself.
vfsd_start_server() {
	local mnt=${!#}
	load_module
	"$VFSD_SERVER" -f "$@" &
	VFSD_SERVER_PID=$!
	defer "umount -l '$mnt' 2>/dev/null; kill -9 $VFSD_SERVER_PID 2>/dev/null; true"
	wait_for 20 vfsd_mounted "$mnt" || fail "mount of $mnt did not appear"
}

vfsd_mounted() { grep -qs " $1 vfsd " /proc/mounts; }

# vfsd_stop_server MOUNTPOINT: unmount; the server must exit by itself.
vfsd_stop_server() {
	umount "$1" || fail "umount $1"
	wait_for 10 eval "! kill -0 $VFSD_SERVER_PID 2>/dev/null" ||
		fail "vfsd-server did not exit after umount"
	wait "$VFSD_SERVER_PID" || true
}

# The connection id of a mount, from its conn= option.
vfsd_conn_of() {
	grep " $1 vfsd " /proc/mounts | sed -n 's/.*conn=\([0-9]*\).*/\1/p'
}

vfsd_counter() { cat "/sys/fs/vfsd/$1/$2"; }

# server_stat FILE NAME: a counter from vfsd-server's --stats file.
server_stat() { awk -v n="$2" '$1 == n {print $2}' "$1"; }
