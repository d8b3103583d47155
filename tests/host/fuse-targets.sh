# shellcheck shell=bash
# The targets of the host tests: vfsd-server over FUSE with each backend.
#   mem          --backend=mem
#   dir          --backend=dir on a fresh directory of the host's /tmp
#   mem-srvperm  mem, the server checking permissions (no default_permissions)
# HOST_TARGETS picks some. allow_other: fsconform checks access as 65534.
# shellcheck source=tests/host/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOST_TARGETS=${HOST_TARGETS:-${HOST_DEFAULT_TARGETS:-mem dir mem-srvperm}}
GUEST_BIN=$VFSD_BUILD/tests/guest

target_mount() {
	local t=$1 mnt=$2 src
	case $t in
	mem) start_vfsd_server "server-$TEST_NAME-$t" --backend=mem --size=1G \
		-o allow_other "$mnt" ;;
	mem-srvperm) start_vfsd_server "server-$TEST_NAME-$t" --backend=mem \
		--size=1G -o allow_other,server_permissions "$mnt" ;;
	dir)
		tmp_dir src
		start_vfsd_server "server-$TEST_NAME-$t" --backend=dir \
			--source="$src" -o allow_other "$mnt" ;;
	*) fail "unknown target '$t' (mem, dir, mem-srvperm)" ;;
	esac
}

# for_each_target FUNC: mount each target on a fresh directory, run FUNC
# TARGET MNT, unmount; the server must then exit 0. All targets run; the
# test fails at the end if any did.
for_each_target() {
	local fn=$1 t mnt start failed=()
	for t in $HOST_TARGETS; do
		tmp_dir mnt
		log "=== $t on $mnt"
		target_mount "$t" "$mnt"
		start=$SECONDS
		if "$fn" "$t" "$mnt"; then
			log "ok: $t ($((SECONDS - start)) s)"
		else
			log "FAIL: $t ($((SECONDS - start)) s)"
			failed+=("$t")
		fi
		kill -0 "$SERVER_PID" 2>/dev/null || fail "$t: the server died"
		stop_server "$t" "$mnt"
	done
	[[ ${#failed[@]} -eq 0 ]] || fail "failed on: ${failed[*]}"
}
