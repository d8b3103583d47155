#!/bin/bash
# The dir backend with its source on a disk (run-guest.sh --disk: an
# emulated NVMe drive, virtio-blk on the kdebug kernel), ext4 on it. The
# server asks for pinnable pages and moves file data O_DIRECT, so the
# disk's DMA fills and drains the pages the module hands over:
#  - fio verify (buffered, O_DIRECT, mmap) through the mount;
#  - a cold sequential read and a writeback of page-aligned files: every
#    byte moved by the disk (data_dev_*), 0 copied by the server's CPU
#    (data_cpu_*), and the bytes match on the disk itself;
#  - on Linux 7.3 (VFSD_FEAT_URING_BUF) those bytes go through the pages
#    as registered io_uring buffers (READ_FIXED/WRITE_FIXED, no pin and no
#    window access: data_dev_fixed, the module's bufs_registered); before
#    7.3 through the pinned window;
#  - a file with an unaligned tail: only that tail goes buffered;
#  - -o source_dio=off: the same file, every byte copied (the control).
set -euo pipefail
# shellcheck source=tests/guest/vfsd-test.sh
. "$(dirname "$0")/vfsd-test.sh"

require_guest
for tool in fio mkfs.ext4; do
	command -v "$tool" >/dev/null || fail "$tool is missing (tests/install-deps.sh installs it)"
done
[[ -n ${VFSD_DISK_DEV:-} ]] ||
	fail "no disk: run the guest with tests/vm/run-guest.sh --disk FILE[:SIZE]"
wait_for 20 test -b "$VFSD_DISK_DEV" || fail "$VFSD_DISK_DEV did not appear"
modprobe -q -a crc32c ext4 2>/dev/null || true

SRC=/mnt/t-52-disk MNT=/mnt/t-52-vfsd
mkdir -p "$SRC" "$MNT"
mkfs.ext4 -q -F "$VFSD_DISK_DEV" || fail "mkfs.ext4 $VFSD_DISK_DEV"
mount "$VFSD_DISK_DEV" "$SRC" || fail "mount $VFSD_DISK_DEV"
defer "umount -l '$SRC' 2>/dev/null; true"
log "source: $(findmnt -no FSTYPE "$SRC") on $VFSD_DISK_DEV ($(cat "/sys/class/block/${VFSD_DISK_DEV#/dev/}/device/model" 2>/dev/null || echo virtio))"

STATS=$VFSD_RESULTS/t-52.stats
# start_server [OPTS]: a fresh mount; the stats file from the last one goes.
start_server() {
	rm -f "$STATS"
	vfsd_start_server --backend=dir --source="$SRC" --stats="$STATS" \
		-o "allow_other${1:+,$1}" "$MNT"
}
stat_of() { server_stat "$STATS" "$1"; }
# The server writes its counters on SIGUSR1; wait until the file is new.
fresh_stats() {
	rm -f "$STATS"
	kill -USR1 "$VFSD_SERVER_PID"
	wait_for 10 test -s "$STATS" || fail "no --stats after SIGUSR1"
}

start_server
conn=$(vfsd_conn_of "$MNT")
[ "$(vfsd_counter "$conn" pinnable)" = 1 ] || fail "no pinnable pages for a disk source"

# Registered buffers where the kernel has them (7.3), else the window.
IFS=. read -r kmajor kminor _ <<<"$(uname -r)"
want_fixed=0
((kmajor > 7 || (kmajor == 7 && kminor >= 3))) && want_fixed=1
# fixed_check WHAT BYTES: with buffers, BYTES of them went that way.
fixed_check() {
	local fixed
	fixed=$(($(stat_of data_dev_fixed) - fixed0))
	if [ "$want_fixed" = 1 ]; then
		[ "$fixed" -ge "$2" ] || fail "$1: only $fixed bytes through registered buffers"
		log "$1: $fixed bytes through registered io_uring buffers, $(($(vfsd_counter "$conn" bufs_registered) - bufs0)) registrations"
	else
		[ "$fixed" = 0 ] || fail "$1: $fixed bytes through registered buffers on $(uname -r)"
	fi
}
mark_fixed() {
	fixed0=$(stat_of data_dev_fixed) bufs0=$(vfsd_counter "$conn" bufs_registered)
}

# fio verify through the mount: buffered and O_DIRECT (psync), and mmap.
mkdir "$MNT/fio"
"$VFSD_PROJECT/tests/fio/verify/run.sh" -o "$VFSD_RESULTS/fio-dir-disk" "$MNT/fio" \
	"$VFSD_PROJECT/tests/fio/verify/psync.fio" "$VFSD_PROJECT/tests/fio/verify/mmap.fio" |
	sed "s/^/[$TEST_NAME] /"
[ "${PIPESTATUS[0]}" = 0 ] || fail "fio verify on the disk-backed dir mount"
rmdir "$MNT/fio"
fresh_stats
log "fio: $(tr '\n' ' ' <"$STATS")"
[ "$(stat_of source_dio)" = 1 ] || fail "the server did not turn on O_DIRECT for an ext4 source"
[ "$(stat_of source_uring_bufs)" = "$want_fixed" ] ||
	fail "source_uring_bufs is $(stat_of source_uring_bufs) on $(uname -r), want $want_fixed"
dev_read=$(stat_of data_dev_read) dev_write=$(stat_of data_dev_write)
[ "$dev_read" -gt 0 ] && [ "$dev_write" -gt 0 ] ||
	fail "fio: the disk moved $dev_read bytes read, $dev_write written (want both > 0)"
pass "fio verify (psync buffered + O_DIRECT, mmap) on a disk source; disk DMA: $dev_read read, $dev_write written"

# Writeback of a page-aligned file: all by the disk, none by the CPU.
MB=24
head -c $((MB << 20)) /dev/urandom >/tmp/t-52-data
fresh_stats
cpu_w0=$(stat_of data_cpu_write) dev_w0=$(stat_of data_dev_write)
mark_fixed
cp /tmp/t-52-data "$MNT/aligned" && sync "$MNT/aligned" || fail "write $MB MiB"
fresh_stats
cpu_w=$(($(stat_of data_cpu_write) - cpu_w0)) dev_w=$(($(stat_of data_dev_write) - dev_w0))
[ "$cpu_w" = 0 ] || fail "writeback: the server's CPU copied $cpu_w bytes"
[ "$dev_w" -ge $((MB << 20)) ] || fail "writeback: the disk moved only $dev_w bytes"
fixed_check writeback $((MB << 20))
# What the disk holds, read O_DIRECT past the host's page cache.
dd if="$SRC/aligned" iflag=direct bs=1M status=none | cmp - /tmp/t-52-data ||
	fail "the disk does not hold what was written through the mount"
pass "writeback of $MB MiB: $dev_w bytes by the disk, 0 by the server's CPU"

# Cold sequential read: all by the disk, none by the CPU.
echo 3 >/proc/sys/vm/drop_caches
fresh_stats
cpu_r0=$(stat_of data_cpu_read) dev_r0=$(stat_of data_dev_read)
copied0=$(vfsd_counter "$conn" bytes_copied)
reads0=$(awk '$1 == "read" { print $2 }' "/sys/fs/vfsd/$conn/ops")
mark_fixed
cmp "$MNT/aligned" /tmp/t-52-data || fail "cold read through the mount differs"
fresh_stats
cpu_r=$(($(stat_of data_cpu_read) - cpu_r0)) dev_r=$(($(stat_of data_dev_read) - dev_r0))
copied=$(($(vfsd_counter "$conn" bytes_copied) - copied0))
[ "$cpu_r" = 0 ] || fail "cold read: the server's CPU copied $cpu_r bytes"
[ "$dev_r" -ge $((MB << 20)) ] || fail "cold read: the disk moved only $dev_r bytes"
fixed_check "cold read" $((MB << 20))
# cmp reads a few KiB at a time: readahead must still grow to whole
# max_read requests (a fresh page that replaces readahead's folio carries
# its readahead mark; without it every window was a small sync one).
reads=$(($(awk '$1 == "read" { print $2 }' "/sys/fs/vfsd/$conn/ops") - reads0))
[ "$reads" -le $((2 * MB + 8)) ] ||
	fail "cold read: $reads READs for $MB MiB (readahead did not grow)"
pass "cold read of $MB MiB in $reads READs: $dev_r bytes by the disk, 0 by the server's CPU ($copied copied by the module for callers waiting on their own page)"

# An unaligned tail: at most one block goes buffered, the rest by the disk.
head -c $((3 << 20 | 1234)) /dev/urandom >/tmp/t-52-tail
fresh_stats
cpu_w0=$(stat_of data_cpu_write)
cp /tmp/t-52-tail "$MNT/tail" && sync "$MNT/tail" || fail "write the tail file"
echo 3 >/proc/sys/vm/drop_caches
cmp "$MNT/tail" /tmp/t-52-tail || fail "the file with a tail reads back wrong"
cmp "$SRC/tail" /tmp/t-52-tail || fail "the file with a tail is wrong on the disk"
fresh_stats
cpu_w=$(($(stat_of data_cpu_write) - cpu_w0))
[ "$cpu_w" -gt 0 ] && [ "$cpu_w" -le 4096 ] ||
	fail "tail: the server's CPU copied $cpu_w bytes (want the tail only, 1..4096)"
pass "a 3 MiB + 1234 byte file: $cpu_w bytes (the tail) buffered"
vfsd_stop_server "$MNT"

# The control: source_dio=off copies every byte with the CPU.
start_server source_dio=off
echo 3 >/proc/sys/vm/drop_caches
cmp "$MNT/aligned" /tmp/t-52-data || fail "source_dio=off: cold read differs"
fresh_stats
[ "$(stat_of source_dio)" = 0 ] || fail "source_dio=off did not turn O_DIRECT off"
cpu_r=$(stat_of data_cpu_read) dev_r=$(stat_of data_dev_read)
[ "$dev_r" = 0 ] && [ "$cpu_r" -ge $((MB << 20)) ] ||
	fail "source_dio=off: $cpu_r bytes by the CPU, $dev_r by the disk"
pass "source_dio=off: $cpu_r bytes copied by the server's CPU, 0 by the disk"
vfsd_stop_server "$MNT"
rm -f /tmp/t-52-data /tmp/t-52-tail
