#!/bin/bash
# kill -9 of the server during a large read: the reader gets an error
# within seconds, later operations fail fast, umount and rmmod succeed.
set -euo pipefail
. "$(dirname "$0")/vfsd-test.sh"

SRC=$(make_tmpdir)
MNT=$(make_tmpdir)
head -c $((32 << 20)) /dev/urandom >"$SRC/big"

vfsd_start_server --backend=dir --source="$SRC" "$MNT"
pid=$VFSD_SERVER_PID

# Read in a loop with cold caches so the server is busy when it dies.
( while cat "$MNT/big" >/dev/null; do echo 1 >/proc/sys/vm/drop_caches; done
  echo "reader stopped" ) >/tmp/vfsd-reader.log 2>&1 &
reader=$!
sleep 2
kill -9 "$pid"
t0=$(date +%s)
wait "$reader" || true
t1=$(date +%s)
grep -q "reader stopped" /tmp/vfsd-reader.log || fail "reader did not stop"
[ $((t1 - t0)) -le 10 ] || fail "reader took $((t1 - t0)) s to see the error"
grep -Eq "Input/output error|Transport endpoint is not connected" /tmp/vfsd-reader.log ||
	fail "reader saw no EIO/ENOTCONN: $(cat /tmp/vfsd-reader.log)"
pass "reader got an error $((t1 - t0)) s after kill -9"

# Builtins, so the bound measures the filesystem, not process start-up.
t0=$SECONDS
if [[ -e $MNT/big ]]; then fail "stat after death succeeded"; fi
if (cd "$MNT" 2>/dev/null && echo *) | grep -q big; then fail "readdir after death succeeded"; fi
[ $((SECONDS - t0)) -lt 10 ] || fail "operations after death hang ($((SECONDS - t0)) s)"
pass "operations after server death fail fast"

umount "$MNT" || fail "umount after server death"
pass "umount after server death"

reload_module
pass "module unloads and reloads"

