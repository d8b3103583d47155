# shellcheck shell=bash
# Shared by the guest tests (tests/guest/t-*.sh): logging, starting and
# stopping vfsd-server, reading a connection's sysfs counters.

VFSD_BUILD=${VFSD_BUILD:-build}
VFSD_MODULE=${VFSD_MODULE:-$VFSD_BUILD/kmod/vfsd.ko}
VFSD_TEST=${VFSD_TEST:-$(basename "$0" .sh)}
VFSD_SERVER_PID=

log() { echo "[$VFSD_TEST] $*"; }
pass() { echo "[$VFSD_TEST] ok: $*"; }
fail() { echo "[$VFSD_TEST] FAIL: $*" >&2; exit 1; }

# vfsd_start_server ARGS... MOUNTPOINT: run vfsd-server in the foreground
# (-f) in the background, wait until the mount is live.
vfsd_start_server() {
	local mnt=${!#} i
	"$VFSD_BUILD/server/vfsd-server" -f "$@" &
	VFSD_SERVER_PID=$!
	for i in $(seq 1 100); do
		grep -qs " $mnt vfsd " /proc/mounts && return 0
		kill -0 "$VFSD_SERVER_PID" 2>/dev/null || fail "vfsd-server exited"
		sleep 0.1
	done
	fail "mount of $mnt did not appear"
}

# vfsd_stop_server MOUNTPOINT: unmount; the server must exit by itself.
vfsd_stop_server() {
	local i
	umount "$1" || fail "umount $1"
	for i in $(seq 1 100); do
		kill -0 "$VFSD_SERVER_PID" 2>/dev/null || { wait "$VFSD_SERVER_PID" || true; return 0; }
		sleep 0.1
	done
	fail "vfsd-server did not exit after umount"
}

# The connection id of a mount, from its conn= option.
vfsd_conn_of() {
	grep " $1 vfsd " /proc/mounts | sed -n 's/.*conn=\([0-9]*\).*/\1/p'
}

vfsd_counter() { cat "/sys/fs/vfsd/$1/$2"; }

vfsd_reload_module() {
	rmmod vfsd && insmod "$VFSD_MODULE" && [ -c /dev/vfsd ]
}
