#!/bin/bash
# bytes_copied counts every byte of file data the module copies itself,
# and only those: buffered and page-aligned O_DIRECT I/O hand pages over
# (0 copied); an O_DIRECT buffer that covers its first or last page only
# in part goes through a bounce page, and exactly the bytes moved through
# it are counted, for reads and for writes, with the data intact. With
# read slots (VFSD_READ_SLOTS=1) a READ of one page is copied out of one:
# 4096 bytes; without them (the default) nothing.
set -euo pipefail
. "$(dirname "$0")/vfsd-test.sh"

require_guest
MNT=$(make_tmpdir)
vfsd_start_server --backend=mem --size=64M "$MNT"
conn=$(vfsd_conn_of "$MNT")
copied() { vfsd_counter "$conn" bytes_copied; }

head -c $((1 << 20)) /dev/urandom >/tmp/vfsd-copy.src
cp /tmp/vfsd-copy.src "$MNT/f"
sync
before=$(copied)
cmp "$MNT/f" /tmp/vfsd-copy.src || fail "buffered read-back differs"
dd if="$MNT/f" of=/dev/null bs=64k iflag=direct status=none
check "buffered and aligned O_DIRECT copy nothing" test "$(copied)" -eq "$before"

# python3 (the host's, through the chroot) does I/O from any alignment.
# Prints the bytes moved; exits 1 if the data is wrong.
direct_io() { # OP OFFSET-IN-BUFFER LENGTH FILE-OFFSET
	python3 - "$@" "$MNT/f" /tmp/vfsd-copy.src <<'EOF'
import mmap, os, sys
op, boff, length, foff = sys.argv[1], *map(int, sys.argv[2:5])
path, src = sys.argv[5], sys.argv[6]
buf = mmap.mmap(-1, 4 * mmap.PAGESIZE)
view = memoryview(buf)[boff:boff + length]
fd = os.open(path, (os.O_RDONLY if op == "read" else os.O_RDWR) | os.O_DIRECT)
if op == "read":
    n = os.preadv(fd, [view], foff)
    want = open(src, "rb").read()[foff:foff + n]
    ok = bytes(view[:n]) == want
else:
    data = bytes((i * 7 + 3) & 0xff for i in range(length))
    view[:] = data
    n = os.pwritev(fd, [view], foff)
    ok = n == length
os.close(fd)
print(n)
sys.exit(0 if ok else 1)
EOF
}

expect_copied() { # LABEL BYTES OP BUF-OFFSET LENGTH FILE-OFFSET
	local label=$1 want=$2 before n
	shift 2
	before=$(copied)
	n=$(direct_io "$@") || fail "$label: wrong data"
	[[ $((n)) -gt 0 ]] || fail "$label: moved $n bytes"
	check "$label: bytes_copied grew by $want" \
		test "$(($(copied) - before))" -eq "$want"
}

# One partial page: the whole request through one bounce page.
expect_copied "read 1000 B at buffer offset 100" 1000 read 100 1000 4096
expect_copied "write 1000 B at buffer offset 100" 1000 write 100 1000 8192
# Partial first and last pages, full pages between: only the ends copy.
# (1096 B in the first page, 2 full pages, 200 B in the last).
expect_copied "read 1096 B + 2 pages + 200 B" 1296 read 3000 $((1096 + 8192 + 200)) 16384
expect_copied "aligned read of 2 pages" 0 read 0 8192 0

# The writes landed where they were written.
python3 - "$MNT/f" <<'EOF' || fail "O_DIRECT write through a bounce page: wrong bytes in the file"
import sys
data = open(sys.argv[1], "rb").read()
want = bytes((i * 7 + 3) & 0xff for i in range(1000))
sys.exit(0 if data[8192:9192] == want else 1)
EOF
pass "bounced write read back"
vfsd_stop_server "$MNT"

# A cold read at 64 KiB, of one page without readahead (one one-page
# READ) or more. Prints the bytes read; exits 1 if they are not the file's.
cold_read() { # LENGTH
	python3 - "$1" "$MNT/f" /tmp/vfsd-copy.src <<'EOF'
import os, sys
length, path, src = int(sys.argv[1]), sys.argv[2], sys.argv[3]
fd = os.open(path, os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
if length == 4096:
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
data = os.pread(fd, length, 65536)
os.close(fd)
print(len(data))
sys.exit(0 if data == open(src, "rb").read()[65536:65536 + length] else 1)
EOF
}

expect_cold_copied() { # LABEL BYTES LENGTH
	local before slot0 n
	before=$(copied)
	slot0=$(vfsd_counter "$conn" bytes_slot)
	n=$(cold_read "$3") || fail "$1: wrong data"
	[[ $n -eq $3 ]] || fail "$1: read $n bytes"
	check "$1: bytes_copied grew by $2" \
		test "$(($(copied) - before))" -eq "$2"
	check "$1: bytes_slot grew by $2 too" \
		test "$(($(vfsd_counter "$conn" bytes_slot) - slot0))" -eq "$2"
}

VFSD_READ_SLOTS=1 vfsd_start_server --backend=mem --size=64M "$MNT"
conn=$(vfsd_conn_of "$MNT")
check "read slots asked for: slots per queue" test "$(vfsd_counter "$conn" read_slots)" -gt 0
cp /tmp/vfsd-copy.src "$MNT/f"
sync
expect_cold_copied "one-page read through a read slot" 4096 4096
expect_cold_copied "64 KiB read handed over" 0 65536
vfsd_stop_server "$MNT"

vfsd_start_server --backend=mem --size=64M "$MNT"
conn=$(vfsd_conn_of "$MNT")
check "no read slots by default" test "$(vfsd_counter "$conn" read_slots)" -eq 0
cp /tmp/vfsd-copy.src "$MNT/f"
sync
expect_cold_copied "one-page read without read slots" 0 4096
vfsd_stop_server "$MNT"
