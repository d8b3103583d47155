#!/bin/bash
# The installed tools' behaviour that needs no module, over FUSE on the
# host: vfsd-server -f tells systemd (NOTIFY_SOCKET) READY=1 once the mount
# is live and STOPPING=1 at the end; mount.vfsd starts a server for
# -t vfsd.mem that umount ends; the fpga backend refuses FUSE and a
# missing /dev/vfsd in one line; vfsd-fpga-inspect --help and its size
# parsing; vfsd list with no module.
set -euo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

S=$VFSD_BUILD/server

# --- sd_notify ------------------------------------------------------------------
nd=
tmp_dir nd
mkdir "$nd/mnt"
python3 - "$nd/notify" >"$nd/notify.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
for _ in range(2):
    print(s.recv(256).decode().replace("\n", " "), flush=True)
PY
listener=$!
defer "kill $listener 2>/dev/null || true"
wait_for 10 test -S "$nd/notify" || fail "the notify listener did not start"
NOTIFY_SOCKET=$nd/notify start_vfsd_server "server-$TEST_NAME-notify" --backend=mem "$nd/mnt"
check "READY=1 arrives" wait_for 10 grep -q "^READY=1 MAINPID=$SERVER_PID$" "$nd/notify.out"
check "the mount was live when READY=1 came" fuse_mounted "$nd/mnt"
kill -TERM "$SERVER_PID"
wait_server_exit "SIGTERM" "$nd/mnt"
check "STOPPING=1 arrives" wait_for 10 grep -q "^STOPPING=1$" "$nd/notify.out"

# --- mount.vfsd -------------------------------------------------------------------
m=
tmp_dir m
check "mount.vfsd starts a mem server" env VFSD_TRANSPORT=fuse \
	"$S/mount.vfsd" scratch "$m" -o size=16M,noatime,nofail,_netdev,x-systemd.automount -t vfsd.mem
defer "umount -l '$m' 2>/dev/null || true"
check "it is mounted" fuse_mounted "$m"
pid=$(pgrep -f "vfsd-server --backend=mem --size=16M .* $m\$") || fail "no server for $m"
echo data >"$m/f"
check "the mount works" grep -q data "$m/f"
check "umount" umount "$m"
check "umount ended the server" wait_for 10 bash -c "! kill -0 $pid 2>/dev/null"
check_fails "an unknown option is refused" "$S/mount.vfsd" none "$m" -o bogus -t vfsd.mem

# --- the fpga backend refuses FUSE --------------------------------------------------
# one_line_error OUTFILE PATTERN: exactly one line, matching.
one_line_error() {
	[[ $(wc -l <"$1") = 1 ]] && grep -q "$2" "$1"
}
f=
tmp_dir f
check_fails "fpga with --transport=fuse fails" \
	"$VFSD_SERVER" --backend=fpga --transport=fuse -f "$f" 2>"$f.err"
check "... in one line saying why" one_line_error "$f.err" "runs only over the vfsd module, not over FUSE"
check_fails "fpga with VFSD_TRANSPORT=fuse fails" \
	env VFSD_TRANSPORT=fuse "$VFSD_SERVER" --backend=fpga -f "$f" 2>"$f.err"
check "... in one line saying why" one_line_error "$f.err" "not over FUSE (VFSD_TRANSPORT=fuse)"
if [[ ! -e /dev/vfsd ]]; then
	check_fails "fpga without /dev/vfsd fails" "$VFSD_SERVER" --backend=fpga "$f" 2>"$f.err"
	check "... in one line saying why" one_line_error "$f.err" "there is no /dev/vfsd"
fi
! fuse_mounted "$f" || fail "an fpga mount appeared over FUSE"

# --- vfsd-fpga-inspect, vfsd --------------------------------------------------------
check "vfsd-fpga-inspect --help" bash -c "'$S/vfsd-fpga-inspect' --help | grep -q '^usage: vfsd-fpga-inspect'"
check_fails "a bad size is refused" "$S/vfsd-fpga-inspect" --size=12Q --card=/nonexistent 2>"$f.err"
check "... in one line" one_line_error "$f.err" "bad size '12Q'"
if [[ ! -d /sys/fs/vfsd ]]; then
	check "vfsd list --json without the module is []" test "$("$S/vfsd" list --json)" = "[]"
	check_fails "vfsd abort without the module fails" "$S/vfsd" abort /mnt
fi
