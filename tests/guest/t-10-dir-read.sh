#!/bin/bash
# The dir backend serves a tree: names, attributes and bytes on the mount
# match the source through every read path, and bulk data is handed over
# through the window (bytes_mapped), never copied by the module.
set -euo pipefail
. "$(dirname "$0")/vfsd-test.sh"

SRC=$(make_tmpdir)
MNT=$(make_tmpdir)

# The tree the issue asks for: edge sizes, a big random file, deep and wide
# directories, symlinks.
: >"$SRC/empty"
printf x >"$SRC/one"
head -c 4096 /dev/urandom >"$SRC/page"
head -c 8192 /dev/urandom >"$SRC/two-pages"
head -c 12345 /dev/urandom >"$SRC/unaligned"
head -c $((64 << 20)) /dev/urandom >"$SRC/random64m"
mkdir -p "$SRC/a/b/c/d" "$SRC/wide" "$SRC/emptydir"
echo deep >"$SRC/a/b/c/d/deep.txt"
head -c 1000001 /dev/urandom >"$SRC/a/b/mid.bin"
for i in $(seq 1 1100); do echo "$i" >"$SRC/wide/entry-$i"; done
ln -s a/b/c/d/deep.txt "$SRC/link"
ln -s /does/not/exist "$SRC/dangling"
chmod 0600 "$SRC/page"
chmod 0751 "$SRC/a"

vfsd_start_server --backend=dir --source="$SRC" "$MNT"
conn=$(vfsd_conn_of "$MNT")
log "mounted $SRC on $MNT (connection $conn)"

# One queue per CPU (--queues 0, the default): the kernel hands a request
# to the queue of the CPU it is made on, so queue N's thread runs on CPU N.
ncpu=$(nproc)
affinity=$(for t in /proc/"$VFSD_SERVER_PID"/task/*; do
	comm=$(cat "$t/comm")
	[[ $comm = vfsd-q* ]] || continue
	echo "${comm#vfsd-q} $(awk '/^Cpus_allowed_list/ { print $2 }' "$t/status")"
done | sort -n)
expect=$(for ((i = 0; i < ncpu; i++)); do echo "$i $i"; done)
[[ $affinity = "$expect" ]] ||
	fail "queue threads (queue, CPUs): $(echo $affinity), want $(echo $expect)"
pass "each of the $ncpu queue threads runs on its own CPU"

# Names and attributes: ls -lR with full timestamps, and stat per file.
listing() { (cd "$1" && ls -lRn --time-style=+%s.%N .); }
diff <(listing "$SRC") <(listing "$MNT") >/tmp/vfsd-ls.diff ||
	fail "ls -lR differs: $(head -20 /tmp/vfsd-ls.diff)"
stats() { (cd "$1" && find . -print0 | sort -z |
	xargs -0 stat -c '%n %s %f %u %g %h %Y %b'); }
diff <(stats "$SRC") <(stats "$MNT") >/tmp/vfsd-stat.diff ||
	fail "stat differs: $(head -20 /tmp/vfsd-stat.diff)"
[ "$(find "$MNT/wide" -type f | wc -l)" -eq 1100 ] || fail "wide dir lost entries"
[ "$(readlink "$MNT/link")" = a/b/c/d/deep.txt ] || fail "readlink"
[ "$(cat "$MNT/link")" = deep ] || fail "following the symlink"
[ "$(readlink "$MNT/dangling")" = /does/not/exist ] || fail "dangling readlink"
pass "names, attributes, symlinks match the source"

# Bytes: sha256 of every file, cold cache.
echo 3 >/proc/sys/vm/drop_caches
mapped0=$(vfsd_counter "$conn" bytes_mapped)
sums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
diff <(sums "$SRC") <(sums "$MNT") >/dev/null || fail "sha256 differs"
mapped1=$(vfsd_counter "$conn" bytes_mapped)
total=$(du -sb --apparent-size "$SRC" | cut -f1)
[ $((mapped1 - mapped0)) -ge $((64 << 20)) ] ||
	fail "bytes_mapped grew by $((mapped1 - mapped0)), read $total bytes"
pass "sha256 of every file matches; bytes_mapped grew by $((mapped1 - mapped0))"

# Read paths on the edge-size files and the big one.
for f in empty one page two-pages unaligned a/b/mid.bin random64m; do
	for mode in odd seq mmap; do
		echo 1 >/proc/sys/vm/drop_caches
		"$VFSD_BUILD/tests/guest/readcheck" "$mode" "$SRC/$f" "$MNT/$f" ||
			fail "readcheck $mode $f"
	done
done
pass "pread at odd offsets, sequential readahead and mmap match"

echo 3 >/proc/sys/vm/drop_caches
"$VFSD_BUILD/tests/guest/readcheck" readers "$SRC/random64m" "$MNT/random64m" ||
	fail "4 concurrent readers"
pass "4 concurrent readers match"

copied=$(vfsd_counter "$conn" bytes_copied)
[ "$copied" -eq 0 ] || fail "bytes_copied is $copied, expected 0"
[ "$(vfsd_counter "$conn" protocol_errors)" -eq 0 ] || fail "protocol errors"
pass "bytes_copied stayed 0"

# A write through the mount lands in the source (t-40.. test writes fully).
echo written >"$MNT/new-file" || fail "write through the mount"
sync
[ "$(cat "$SRC/new-file")" = written ] || fail "write did not reach the source"
df "$MNT" >/dev/null || fail "statfs"

vfsd_stop_server "$MNT"

# A source on 9p (the results share): its I/O may pin
# buffers, so the server asks for pinnable pages; the bytes still match,
# through reads and writes, and none had to go through a bounce buffer.
SRC9=$VFSD_RESULTS/t-10-9p-source
rm -rf "$SRC9" && mkdir -p "$SRC9"
defer "rm -rf '$SRC9'"
head -c 3000000 /dev/urandom >"$SRC9/big"
for i in $(seq 1 50); do head -c $((i * 1000)) /dev/urandom >"$SRC9/f$i"; done
vfsd_start_server --backend=dir --source="$SRC9" --stats="$VFSD_RESULTS/t-10-9p.stats" "$MNT"
conn=$(vfsd_conn_of "$MNT")
[ "$(vfsd_counter "$conn" pinnable)" = 1 ] ||
	fail "a source on $(stat -f -c '%T (%t)' "$SRC9") did not get pinnable pages"
echo 3 >/proc/sys/vm/drop_caches
for f in big f1 f7 f50; do
	cmp "$SRC9/$f" "$MNT/$f" || fail "9p source: $f differs through the mount"
done
head -c 2000000 /dev/urandom >/tmp/t-10-9p-new
cp /tmp/t-10-9p-new "$MNT/new" && sync || fail "write into the 9p source"
echo 3 >/proc/sys/vm/drop_caches
cmp /tmp/t-10-9p-new "$SRC9/new" || fail "9p source: the write did not land"
cmp /tmp/t-10-9p-new "$MNT/new" || fail "9p source: the write does not read back"
rm -f /tmp/t-10-9p-new
vfsd_stop_server "$MNT"
bounce=$(server_stat "$VFSD_RESULTS/t-10-9p.stats" data_cpu_bounce)
[ "$bounce" = 0 ] || fail "9p source: $bounce bytes went through a bounce buffer"
pass "a 9p source: pinnable pages, reads and writes match, 0 bytes bounced"

