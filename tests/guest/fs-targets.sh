# shellcheck shell=bash
# Helpers for the write-path tests (t-40-conformance, t-50-fio-verify,
# t-60-opmix, t-70-stress-ng): run a tool on a fresh mount of every target
# filesystem in turn. The targets are vfsd-server backends by default; the
# same tests run on local filesystems to check the tests themselves:
#
#   VFSD_FS_TARGETS="tmpfs ext4" tests/vm/run-guest.sh --no-module -- \
#       tests/guest/t-40-conformance.sh
#
# Targets: dir (vfsd-server --backend=dir; its source on an ext4 image, as
# the guest's 6.1 tmpfs lacks user xattrs and O_DIRECT), dir-tmpfs (the
# same with the source on /tmp), mem (--backend=mem), mem-srvperm (the
# same with -o server_permissions: the server, not the kernel, checks
# access), tmpfs, ext4 (a loop-mounted image on tmpfs).
# shellcheck source=tests/guest/vfsd-test.sh
. "$(dirname "${BASH_SOURCE[0]}")/vfsd-test.sh"

require_guest	# they mount filesystems and write to the kernel log
FS_TARGETS=${VFSD_FS_TARGETS:-${FS_DEFAULT_TARGETS:-dir mem}}
# shellcheck disable=SC2034 # used by the tests sourcing this
GUEST_BIN=$VFSD_BUILD/tests/guest
TARGET_SRC=		# the dir backend's source, while it is mounted

is_vfsd_target() { [[ $1 = dir || $1 = dir-tmpfs || $1 = mem* ]]; }

# mount_ext4 DIR: a fresh 512 MiB ext4 image on /tmp, loop-mounted on DIR.
mount_ext4() {
	local img
	# ext4 needs crc32c; when the initramfs loaded ext4 itself, nothing in
	# the chroot's module tree has pulled crc32c in yet.
	modprobe -q -a loop crc32c ext4 2>/dev/null || true
	tmp_dir img
	truncate -s 512M "$img/ext4.img"
	mkfs.ext4 -q -F "$img/ext4.img" || fail "mkfs.ext4"
	mount -o loop "$img/ext4.img" "$1" || fail "mount ext4 image"
	defer "umount -l '$1' 2>/dev/null; true"
	chmod 755 "$1"
	rmdir "$1/lost+found"
}

# target_mount TARGET MNT. vfsd mounts get allow_other: fsconform checks
# permissions as uid 65534, which the mounter-only default would refuse.
target_mount() {
	local t=$1 mnt=$2
	case $t in
	dir|dir-tmpfs)
		tmp_dir TARGET_SRC
		[[ $t = dir-tmpfs ]] || mount_ext4 "$TARGET_SRC"
		vfsd_start_server --backend=dir --source="$TARGET_SRC" \
			-o allow_other "$mnt" ;;
	mem)
		vfsd_start_server --backend=mem -o allow_other "$mnt" ;;
	mem-srvperm)
		vfsd_start_server --backend=mem -o allow_other,server_permissions "$mnt" ;;
	tmpfs)
		mount -t tmpfs -o size=512m,mode=755 tmpfs "$mnt" || fail "mount tmpfs"
		defer "umount -l '$mnt' 2>/dev/null; true" ;;
	ext4)
		mount_ext4 "$mnt" ;;
	*)
		fail "unknown target '$t' (dir, dir-tmpfs, mem, mem-srvperm, tmpfs, ext4)" ;;
	esac
}

# target_umount TARGET MNT: for vfsd, the server must still be alive, the
# kernel must have rejected none of its replies, and it must exit on umount.
target_umount() {
	local t=$1 mnt=$2 conn errs
	if is_vfsd_target "$t"; then
		kill -0 "$VFSD_SERVER_PID" 2>/dev/null || fail "vfsd-server ($t) died"
		conn=$(vfsd_conn_of "$mnt")
		errs=$(vfsd_counter "$conn" protocol_errors)
		[[ $errs -eq 0 ]] || fail "$t: $errs protocol errors"
		vfsd_stop_server "$mnt"
		TARGET_SRC=
	else
		umount "$mnt" || fail "umount $mnt"
	fi
}

# for_each_target FUNC: for every target, mount it on a fresh directory,
# run FUNC TARGET MNT, unmount and check the kernel log. Every target runs
# even when one fails; the test fails at the end if any did. FUNC runs
# without set -e (it is called in a condition): it must return non-zero
# itself on failure.
for_each_target() {
	local fn=$1 t mnt start failed=()
	for t in $FS_TARGETS; do
		tmp_dir mnt
		log "=== $t on $mnt"
		dmesg_mark
		target_mount "$t" "$mnt"
		start=$SECONDS
		if "$fn" "$t" "$mnt"; then
			log "ok: $t ($((SECONDS - start)) s)"
		else
			log "FAIL: $t ($((SECONDS - start)) s)"
			failed+=("$t")
		fi
		target_umount "$t" "$mnt"
		dmesg_check
	done
	[[ ${#failed[@]} -eq 0 ]] || fail "failed on: ${failed[*]}"
}

# require_tool NAME: skip the test when a host binary is missing.
require_tool() {
	command -v "$1" >/dev/null || skip "$1 is not installed"
}
