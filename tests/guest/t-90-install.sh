#!/bin/bash
# vfsd installed as a user would have it: the module under /lib/modules
# (by vfsd-dkms if tests/packages.sh installed it on the host for this
# kernel, else as `make -C kmod modules_install` puts it, then depmod),
# mount.vfsd in /sbin, the vfsd tool. Proves that modprobe and a plain
# open of /dev/vfsd load the module (no insmod), that an fstab line mounts
# a mem filesystem with `mount -a`, that `mount -t vfsd.dir` works and
# shows source and type in /proc/mounts, that `vfsd list` shows both with
# their servers, that `vfsd abort` makes a blocked reader fail within a
# second (and its server exit), and that umount ends both servers.
#
# The guest's / is the host's, read-only: without vfsd-dkms the module
# goes to a tmpfs bound over /lib/modules; mount.vfsd from the build goes
# into a tmpfs copy of /usr/sbin (symlinks to the real one), both undone
# at the end.
set -euo pipefail
# shellcheck source=tests/guest/lib.sh
. "$(dirname "$0")/lib.sh"

require_guest
kver=$(uname -r)
tool=$VFSD_BUILD/server/vfsd
helper=$VFSD_BUILD/server/mount.vfsd
for f in "$VFSD_MODULE" "$tool" "$helper" "$VFSD_SERVER"; do
	[[ -f $f ]] || fail "$f is not built"
done
dmesg_mark
T=$(make_tmpdir)

# --- the installed module, and the kernel's modprobe seeing it -------------
unload_module
# vfsd-dkms installed on the host (tests/packages.sh; the guest shares the
# host's /lib/modules) built it for this kernel: use that, if it is built
# from the same sources as the module under test. Else install the module
# as `make -C kmod modules_install` does (copy, depmod) into a tmpfs.
dkms_ko=/lib/modules/$kver/updates/dkms/vfsd.ko
if [[ -f $dkms_ko && $(modinfo -F srcversion "$dkms_ko") == "$(modinfo -F srcversion "$VFSD_MODULE")" ]]; then
	log "using the module vfsd-dkms installed: $dkms_ko"
	want_ko=$dkms_ko
else
	[[ ! -f $dkms_ko ]] || log "$dkms_ko is from other sources than $VFSD_MODULE: not using it"
	mkdir -p "$T/root/lib/modules/$kver/extra"
	install -m 0644 "$VFSD_MODULE" "$T/root/lib/modules/$kver/extra/vfsd.ko"
	check "depmod indexes the installed module" depmod -b "$T/root" "$kver"
	mount --bind "$T/root/lib/modules" /lib/modules
	defer 'umount /lib/modules'
	want_ko=/lib/modules/$kver/extra/vfsd.ko
fi
# The kernel runs its modprobe in /init's root (the initramfs), outside
# this chroot of the host's /: point it at a wrapper that enters the chroot.
old_modprobe=$(cat /proc/sys/kernel/modprobe)
printf '#!/bin/sh\nexec /bin/chroot /host /sbin/modprobe "$@"\n' >/proc/1/root/vfsd-modprobe
chmod 755 /proc/1/root/vfsd-modprobe
echo /vfsd-modprobe >/proc/sys/kernel/modprobe
defer "echo '$old_modprobe' >/proc/sys/kernel/modprobe"

check "modinfo finds the installed vfsd by name" test "$(modinfo -n vfsd)" = "$want_ko"
check "its version is 0.3.0" test "$(modinfo -F version vfsd)" = 0.3.0
check "modprobe vfsd loads it" modprobe vfsd
check "the module is loaded" module_loaded
check "/dev/vfsd appeared" wait_for 5 test -c /dev/vfsd
check "modprobe -r vfsd unloads it" wait_for 10 modprobe -r vfsd
check "/dev/vfsd is gone" test ! -e /dev/vfsd

# At boot kmod static-nodes (systemd-tmpfiles) makes the node from
# modules.devname; do what it does, then open the node.
log "modules.devname: $(grep -v '^#' "/lib/modules/$kver/modules.devname")"
# (to a file: the guest's devtmpfs has no /dev/stdout, kmod's default)
kmod static-nodes --format=tmpfiles --output="$T/static-nodes"
nodes=$(cat "$T/static-nodes")
log "static nodes: $nodes"
[[ $nodes == *"c! /dev/vfsd 0600 - - - 10:243"* ]] ||
	fail "kmod static-nodes does not make /dev/vfsd c 10:243"
mknod -m 0600 /dev/vfsd c 10 243
check "opening /dev/vfsd succeeds" bash -c ': </dev/vfsd'
check "opening /dev/vfsd loaded the module" module_loaded

# --- mount.vfsd in /sbin ------------------------------------------------------
mkdir -p "$T/orig-sbin" "$T/sbin"
mount --bind /usr/sbin "$T/orig-sbin"
defer "umount '$T/orig-sbin'"
for f in "$T"/orig-sbin/*; do
	ln -s "$f" "$T/sbin/${f##*/}"
done
ln -sfn "$helper" "$T/sbin/mount.vfsd"
mount --bind "$T/sbin" /usr/sbin
defer 'umount /usr/sbin'
export PATH=$T/sbin:$PATH
# Plain type vfsd (a server's fd=N mount through mount(8)) now reaches
# mount.vfsd too: it must go to mount(2) as before, kernel reason and all.
mkdir -p "$T/raw"
check_fails "mount -t vfsd with a bad fd= fails" mount -t vfsd -o fd=99,nosuid none "$T/raw"
dmesg_expect "fd=99 is not an open file"

# --- fstab: a mem filesystem with mount -a ------------------------------------
mkdir -p "$T/mem" "$T/dir" "$T/src"
echo "from the host directory" >"$T/src/hello"
cat >"$T/fstab" <<EOT
# vfsd lines as in /etc/fstab
scratch $T/mem vfsd.mem size=64M,noatime,nofail,_netdev,x-systemd.requires=network.target 0 0
EOT
check "mount -a mounts the fstab line" mount -a -T "$T/fstab"
defer "umount -l '$T/mem' 2>/dev/null || true"
line=$(grep " $T/mem " /proc/mounts) || fail "no $T/mem in /proc/mounts"
log "mem: $line"
[[ $line == "scratch $T/mem vfsd.mem "* ]] || fail "source/type of the mem mount: $line"
[[ $line == *noatime* ]] || fail "noatime did not reach the mount: $line"
head -c 1M /dev/urandom >"$T/data"
cp "$T/data" "$T/mem/data"
check "the mem mount stores a file" cmp "$T/data" "$T/mem/data"

# --- mount -t vfsd.dir, as a systemd mount unit runs it ------------------------
check "mount -t vfsd.dir works" mount -t vfsd.dir "$T/src" "$T/dir" -o ro,nosuid,nodev
defer "umount -l '$T/dir' 2>/dev/null || true"
line=$(grep " $T/dir " /proc/mounts) || fail "no $T/dir in /proc/mounts"
log "dir: $line"
[[ $line == "$T/src $T/dir vfsd.dir ro,"* ]] || fail "source/type/ro of the dir mount: $line"
check "the dir mount serves the directory" grep -q "from the host directory" "$T/dir/hello"

# --- vfsd list -------------------------------------------------------------------
"$tool" list
json=$("$tool" list --json)
log "list --json: $json"
# (no process substitution: the guest's devtmpfs has no /dev/fd)
pids=$(python3 - "$json" "$T" <<'PY'
import json, sys
conns, t = json.loads(sys.argv[1]), sys.argv[2]
by_mp = {c["mountpoint"]: c for c in conns}
mem, d = by_mp[t + "/mem"], by_mp[t + "/dir"]
assert mem["type"] == "vfsd.mem" and mem["source"] == "scratch", mem
assert d["type"] == "vfsd.dir" and d["source"] == t + "/src", d
assert mem["connected"] == 1 and d["connected"] == 1
assert mem["pids"] and d["pids"], (mem, d)
print(mem["pids"][0], d["pids"][0])
PY
) || fail "vfsd list --json does not show both mounts with their servers"
read -r mem_pid dir_pid <<<"$pids"
log "servers: mem $mem_pid, dir $dir_pid"
"$tool" list | grep -q "$T/mem .*vfsd.mem" || fail "vfsd list (text) lacks the mem mount"
"$tool" list | grep -q "$T/dir .*vfsd.dir" || fail "vfsd list (text) lacks the dir mount"
check "vfsd stats by mount point" bash -c "'$tool' stats '$T/mem' | grep -q '^requests [1-9]'"
check "vfsd stats --json parses" bash -c "'$tool' stats '$T/mem' --json | python3 -m json.tool >/dev/null"

# --- vfsd abort frees a reader blocked on a stopped server -------------------
sync "$T/mem/data"
echo 3 >/proc/sys/vm/drop_caches
kill -STOP "$mem_pid"
defer "kill -CONT $mem_pid 2>/dev/null || true"
cat "$T/mem/data" >/dev/null 2>"$T/reader.err" &
reader=$!
sleep 1.5
kill -0 "$reader" 2>/dev/null || fail "the reader did not block on the stopped server"
t0=$(date +%s%N)
check "vfsd abort by mount point" "$tool" abort "$T/mem"
t1=$(date +%s%N)
rc=0
wait "$reader" || rc=$?
ms=$((($(date +%s%N) - t1) / 1000000))
log "vfsd abort ran $(((t1 - t0) / 1000000)) ms; the reader ended ${ms} ms after it, status $rc: $(cat "$T/reader.err")"
((rc != 0)) || fail "the blocked reader succeeded after abort"
# A second; the KASAN kernel runs everything several times slower.
limit=1000
[[ $VFSD_KERNEL != kdebug ]] || limit=5000
((ms < limit)) || fail "the blocked reader took ${ms} ms (over ${limit}) to fail after abort"
check "the connection shows as aborted" test "$(cat "/sys/fs/vfsd/$("$tool" list --json | python3 -c '
import json, sys; print([c["id"] for c in json.load(sys.stdin) if c["mountpoint"] == sys.argv[1]][0])' "$T/mem")/connected")" = 0
kill -CONT "$mem_pid"
# The aborted server sees the connection end, unmounts and exits.
check "the aborted mem server exited" wait_for 10 bash -c "! kill -0 $mem_pid 2>/dev/null"
check "its mount is gone" wait_for 5 bash -c "! grep -q ' $T/mem ' /proc/mounts"

# --- umount ends both servers ------------------------------------------------------
check "mount -a mounts the mem line again" mount -a -T "$T/fstab"
mem_pid=$("$tool" list --json | python3 -c '
import json, sys
print([c["pids"][0] for c in json.load(sys.stdin) if c["mountpoint"] == sys.argv[1]][0])' "$T/mem")
check "umount of the mem mount" umount "$T/mem"
check "umount of the dir mount" umount "$T/dir"
check "umount ended the mem server" wait_for 10 bash -c "! kill -0 $mem_pid 2>/dev/null"
check "umount ended the dir server" wait_for 10 bash -c "! kill -0 $dir_pid 2>/dev/null"
check "no vfsd mounts are left" bash -c "! grep -q ' vfsd' /proc/mounts"
dmesg_check
log "ok: no kernel errors"
