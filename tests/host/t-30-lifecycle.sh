#!/bin/bash
# The session's life over FUSE, as vfsd.h documents it: SIGTERM/SIGINT
# unmount cleanly (lazily when busy, the open files then fail), the
# daemon returns once mounted and ends on umount, AUTO honours
# VFSD_TRANSPORT, and the examples run unchanged over FUSE.
set -euo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

EX=$VFSD_BUILD/examples

# signal_stops SIG: a foreground server ends on SIG, exit 0, unmounted.
signal_stops() {
	local mnt
	tmp_dir mnt
	start_vfsd_server "server-$TEST_NAME-$1" --backend=mem "$mnt"
	echo data >"$mnt/f"
	kill "-$1" "$SERVER_PID"
	wait_server_exit "SIG$1" "$mnt"
	log "ok: SIG$1 unmounts and the server exits 0"
}
signal_stops TERM
signal_stops INT

# Busy: an open file keeps the mount; SIGTERM detaches it lazily, the
# server still exits 0, and the open file fails instead of hanging.
busy_mnt=
tmp_dir busy_mnt
start_vfsd_server "server-$TEST_NAME-busy" --backend=mem "$busy_mnt"
echo data >"$busy_mnt/f"
exec 3<"$busy_mnt/f"
kill -TERM "$SERVER_PID"
wait_server_exit "busy SIGTERM" "$busy_mnt"
if timeout 10 cat <&3 >/dev/null 2>&1; then
	fail "a file open across the unmount still reads"
fi
exec 3<&-
log "ok: a busy mount is detached, its open file fails"

# Daemon mode: returns once mounted; umount ends the daemon.
dmnt=
tmp_dir dmnt
"$VFSD_SERVER" --transport=fuse --backend=mem "$dmnt" \
	>"$VFSD_RESULTS/server-$TEST_NAME-daemon.log" 2>&1 ||
	fail "the daemon did not start"
defer "umount -l '$dmnt' 2>/dev/null; true"
fuse_mounted "$dmnt" || fail "the daemon returned before its mount was live"
dpid=$(pgrep -f -- "--backend=mem $dmnt\$") || fail "no daemon process"
echo hi >"$dmnt/x" && [[ $(cat "$dmnt/x") = hi ]] || fail "daemon mount I/O"
umount "$dmnt"
wait_for 10 eval "! kill -0 $dpid 2>/dev/null" || fail "the daemon did not exit on umount"
log "ok: the daemon returns once mounted and exits on umount"

# AUTO: the environment decides; a bad value is refused with a reason.
amnt=
tmp_dir amnt
VFSD_TRANSPORT=fuse start_server "example-memfs" "$EX/memfs" "$amnt"
grep -q "transport: fuse (VFSD_TRANSPORT in the environment)" "$SERVER_LOG" ||
	fail "memfs did not log the transport choice"
echo hi >"$amnt/x" && [[ $(cat "$amnt/x") = hi ]] || fail "memfs over FUSE"
stop_server memfs "$amnt"
if [[ ! -e /dev/vfsd ]]; then
	start_server "server-$TEST_NAME-auto" "$VFSD_SERVER" -f --backend=mem "$amnt"
	grep -q "transport: fuse (/dev/vfsd not found)" "$SERVER_LOG" ||
		fail "auto did not fall back to fuse"
	stop_server auto "$amnt"
fi
if VFSD_TRANSPORT=bogus "$VFSD_SERVER" -f --backend=mem "$amnt" \
	>"$VFSD_RESULTS/server-$TEST_NAME-bogus.log" 2>&1; then
	fail "VFSD_TRANSPORT=bogus was accepted"
fi
grep -q "neither vfsd nor fuse" "$VFSD_RESULTS/server-$TEST_NAME-bogus.log" ||
	fail "VFSD_TRANSPORT=bogus: no reason given"
log "ok: AUTO follows VFSD_TRANSPORT, refuses a bad value"

# The examples, unchanged, over FUSE.
VFSD_TRANSPORT=fuse start_server "example-hello" "$EX/hello" "$amnt"
[[ $(cat "$amnt/hello") = "Hello, world!" ]] || fail "hello over FUSE"
stop_server hello "$amnt"
if [[ -x $EX/passthrough ]]; then
	src=
	tmp_dir src
	VFSD_TRANSPORT=fuse start_server "example-passthrough" \
		"$EX/passthrough" "$src" "$amnt"
	head -c 3M /dev/urandom >"$src/in"
	cp "$amnt/in" "$amnt/out"
	cmp "$src/in" "$src/out" || fail "passthrough (async replies) over FUSE"
	stop_server passthrough "$amnt"
fi
log "ok: examples run over FUSE"
