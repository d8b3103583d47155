#!/bin/bash
# Boot a QEMU (TCG) guest, load the freshly built vfsd.ko and run one command
# in a chroot of the host's / (shared read-only over 9p), cwd = project dir.
#
# usage: tests/vm/run-guest.sh [options] -- COMMAND [ARG...]
#
#   --kernel K        stock (default: the installed kernel the module was
#                     built for, else the newest), kdebug (KASAN/lockdep build
#                     from the kdebug .debs), a Debian series like 6.12
#                     or 7.3 (unpacked, not installed, by
#                     tests/vm/fetch-kernel.sh),
#                     or a release like 6.1.0-56-amd64
#   --module PATH     module to insmod (default BUILD/kmod/vfsd.ko; for
#                     kdebug PROJECT/build-kdebug/kmod/vfsd.ko, for a series
#                     like 6.12 PROJECT/build-6.12/kmod/vfsd.ko unless
#                     --build names a dir with a module); skipped with a
#                     message if absent
#   --no-module       do not load any module
#   --module-args S   module parameters for insmod
#   --keep-module     do not rmmod the module after the command
#   --build DIR       the meson build dir the guest uses (default PROJECT/build)
#   --results DIR     per-run dir for console.log, dmesg.txt, ... (default
#                     $VFSD_VM_RUNS/DATE-KERNEL-PID, VFSD_VM_RUNS defaulting
#                     to /tmp/vfsd-vm-runs); the guest sees it writable at the
#                     same path, as $VFSD_RESULTS
#   --timeout SECS    kill the guest after SECS (default 600, kdebug 1800)
#   --mem SIZE        guest RAM (default 1G)
#   --prealloc        back all guest RAM before boot (QEMU -mem-prealloc):
#                     the benchmark's setting, so that no page the guest
#                     allocates costs the host a first-touch fault
#   --smp N           guest CPUs (default 2)
#   --kmemleak        scan for leaks after the command (default with kdebug)
#   --no-kmemleak
#   --append S        extra kernel command line
#   --card FILE[:SIZE] attach the emulated FPGA card: FILE (created with
#                     SIZE, default 64M) as ivshmem-plain card memory
#                     (BAR2) and QEMU's edu device as its DMA engine; the
#                     guest sees the file's path as $VFSD_CARD_FILE
#   --disk FILE[:SIZE] attach FILE (created sparse with SIZE, default 1G) as
#                     an emulated NVMe disk (virtio-blk on the kdebug kernel,
#                     which has no NVMe driver; VFSD_VM_DISK_BUS=nvme|virtio
#                     chooses); the guest sees its device as $VFSD_DISK_DEV
#
# One COMMAND argument is shell code (`-- 'uname -a; ls /dev'`); several are
# an argv run as is (`-- tests/guest/run-all.sh -v`).
#
# A boot that has not reached /init after VFSD_VM_BOOT_TIMEOUT seconds (60,
# kdebug 180) is killed and retried, twice at most: under TCG with 2 vCPUs
# the kdebug kernel stalled before its console came up in 5 boots of 12
# (none with earlyprintk, which it now always gets).
# Environment: VFSD_VM_RUNS, VFSD_VM_CACHE (kernel and initramfs cache,
# default ~/.cache/vfsd-vm), VFSD_KDEBUG_DEBS (dir of the kdebug .debs),
# VFSD_VM_MACHINE (q35), VFSD_VM_ACCEL (tcg), VFSD_VM_CPU (max,la57=off),
# VFSD_VM_PANIC_ACTION (QEMU's pvpanic action: exit-failure; none lets the
# guest print the whole panic before it powers off, a failed run either way),
# VFSD_VM_9P_CACHE (9p cache mode of the host's /: loose; none to see host
# files change during a run), VFSD_VM_LOCK (lock file that makes guests run
# one at a time, default /tmp/vfsd-vm.lock; empty: no lock).
#
# Exit status 0 only if QEMU exited cleanly, the guest printed its pass marker,
# the command exited 0 and the kernel logged none of tests/vm/kernel-errors.re.
set -euo pipefail

# shellcheck source=tests/vm/common.sh
# shellcheck disable=SC1091 # found at run time
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }

kernel=stock module='' no_module=0 module_args='' unload=1 build=$PROJECT_DIR/build
results='' timeout='' mem=1G prealloc=0 smp='' kmemleak='' append='' card='' disk='' machine=${VFSD_VM_MACHINE:-q35} accel=${VFSD_VM_ACCEL:-tcg} cpu=${VFSD_VM_CPU:-max,la57=off}
while [[ $# -gt 0 ]]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--module) module=$2; shift 2 ;;
	--no-module) no_module=1; shift ;;
	--module-args) module_args=$2; shift 2 ;;
	--keep-module) unload=0; shift ;;
	--build) build=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--prealloc) prealloc=1; shift ;;
	--smp) smp=$2; shift 2 ;;
	--kmemleak) kmemleak=1; shift ;;
	--no-kmemleak) kmemleak=0; shift ;;
	--append) append=$2; shift 2 ;;
	--card) card=$2; shift 2 ;;
	--disk) disk=$2; shift 2 ;;
	--) shift; break ;;
	-h|--help) usage ;;
	*) echo "run-guest: unknown argument $1" >&2; usage ;;
	esac
done
[[ $# -gt 0 ]] || usage
[[ $timeout =~ ^[0-9]*$ ]] || vm_die "--timeout wants seconds"

build=$(realpath -m "$build")
if [[ $no_module = 0 && -z $module ]]; then
	if [[ $kernel = kdebug ]]; then
		module=$PROJECT_DIR/build-kdebug/kmod/vfsd.ko
	elif [[ $kernel =~ ^[0-9]+\.[0-9]+$ && ! -f $build/kmod/vfsd.ko ]]; then
		module=$PROJECT_DIR/build-$kernel/kmod/vfsd.ko
	else
		module=$build/kmod/vfsd.ko
	fi
fi
[[ -n $module ]] && module=$(realpath -m "$module")
if [[ -n $module && ! -f $module ]]; then
	echo "run-guest: $module not found: the guest runs without the module" >&2
fi

# Pick the kernel image, its release and its module tree (for the initramfs).
modkver=
[[ -f $module ]] && modkver=$(module_kver "$module")
case $kernel in
kdebug)
	kroot=$(kdebug_root)
	kver=$(kdebug_kver)
	vmlinuz=$kroot/boot/vmlinuz-$kver
	moddir=$kroot/lib/modules/$kver
	[[ -n $kmemleak ]] || kmemleak=1
	[[ -n $timeout ]] || timeout=1800
	boot_timeout=${VFSD_VM_BOOT_TIMEOUT:-180}
	# With 2 vCPUs and no early console this kernel stalled before its
	# console came up in 5 boots of 12 (2026-12-06); with earlyprintk, 0
	# of 4. It also shows where a boot stops.
	early_console=1
	;;
[1-9].[0-9]|[1-9].[0-9][0-9]|[1-9][0-9].[0-9]|[1-9][0-9].[0-9][0-9])
	# Prefer the cached tree the module was built against.
	kroot=$(debkernel_root "$kernel" "$modkver")
	kver=$(cat "$kroot/.kver")
	vmlinuz=$kroot/boot/vmlinuz-$kver
	moddir=$kroot/lib/modules/$kver
	;;
stock)
	if [[ -n $modkver && -f /boot/vmlinuz-$modkver && -d /lib/modules/$modkver ]]; then
		kver=$modkver
	elif [[ $modkver == *kdebug* ]]; then
		vm_die "$module is built for $modkver: use --kernel kdebug"
	else
		kver=$(stock_kver)
	fi
	vmlinuz=/boot/vmlinuz-$kver
	moddir=/lib/modules/$kver
	;;
*)
	kver=$kernel
	vmlinuz=/boot/vmlinuz-$kver
	moddir=/lib/modules/$kver
	[[ -f $vmlinuz ]] || vm_die "no /boot/vmlinuz-$kver (installed: $(cd /boot && echo vmlinuz-*))"
	;;
esac
[[ -n $kmemleak ]] || kmemleak=0
[[ -n $timeout ]] || timeout=600
[[ -n $smp ]] || smp=2
boot_timeout=${boot_timeout:-${VFSD_VM_BOOT_TIMEOUT:-60}}
[[ -r $vmlinuz ]] || vm_die "cannot read $vmlinuz"
# Fail now rather than after a boot: insmod would refuse it anyway.
if [[ -n $modkver && $modkver != "$kver" ]]; then
	vm_die "$module was built for $modkver but the guest kernel is $kver (build it against that kernel's headers, e.g. run-tests.sh --kernel ...)"
fi

# The initramfs depends only on the kernel and on the two files building it.
key=$(cat "$VM_DIR/mkinitramfs.sh" "$VM_DIR/init" <(echo "$kver $moddir") | sha256sum | cut -c1-12)
initrd=$VM_CACHE/initramfs-$kver-$key.cpio.gz
if [[ ! -f $initrd ]]; then
	"$VM_DIR/mkinitramfs.sh" --moddir "$moddir" "$kver" "$initrd"
fi

flavor=$kernel
[[ $kernel = stock || $kernel = kdebug ]] || flavor=$kver
# Not under build/: a concurrent `rm -rf build` would pull the share away.
results=$(realpath -m "${results:-${VFSD_VM_RUNS:-${TMPDIR:-/tmp}/vfsd-vm-runs}/$(date +%Y%m%d-%H%M%S)-$flavor-$$}")
mkdir -p "$results"
rm -f "$results"/{console.log,dmesg.txt,kmemleak.txt,rc,qemu.rc,qemu.pid}
log=$results/console.log

card_file=
if [[ -n $card ]]; then
	card_file=$(realpath -m "${card%%:*}") card_size=64M
	[[ $card = *:* ]] && card_size=${card#*:}
	[[ -f $card_file ]] || truncate -s "$card_size" "$card_file" ||
		vm_die "cannot create the card file $card_file"
	card_size=$(stat -c %s "$card_file")
fi

disk_file='' disk_dev=''
if [[ -n $disk ]]; then
	disk_file=$(realpath -m "${disk%%:*}") disk_size=1G
	[[ $disk = *:* ]] && disk_size=${disk#*:}
	[[ -f $disk_file ]] || truncate -s "$disk_size" "$disk_file" ||
		vm_die "cannot create the disk file $disk_file"
	disk_bus=${VFSD_VM_DISK_BUS:-nvme}
	[[ -n ${VFSD_VM_DISK_BUS:-} || $kernel != kdebug ]] || disk_bus=virtio
	case $disk_bus in
	nvme) disk_dev=/dev/nvme0n1 ;;
	virtio) disk_dev=/dev/vda ;;
	*) vm_die "VFSD_VM_DISK_BUS: nvme or virtio, not $disk_bus" ;;
	esac
fi

# Quote for busybox sh (guest.env) without relying on bash's $'' forms.
shq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

if [[ $# -eq 1 ]]; then
	cmdline=$1
else
	cmdline=$(printf '%q ' "$@")
fi
nonce=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
{
	echo "VFSD_NONCE=$(shq "$nonce")"
	echo "VFSD_PROJECT=$(shq "$PROJECT_DIR")"
	echo "VFSD_BUILD=$(shq "$build")"
	echo "VFSD_MODULE=$(shq "$module")"
	echo "VFSD_MODULE_ARGS=$(shq "$module_args")"
	echo "VFSD_RESULTS=$(shq "$results")"
	echo "VFSD_UNLOAD=$unload"
	echo "VFSD_KMEMLEAK=$kmemleak"
	echo "VFSD_9P_CACHE=$(shq "${VFSD_VM_9P_CACHE:-loose}")"
	echo "VFSD_COMMAND_TEXT=$(shq "$cmdline")"
} >"$results/guest.env"
# The command runs under `env -i`: everything it gets is set here.
# shellcheck disable=SC2016 # expanded in the guest
{
	echo '#!/bin/bash'
	echo "# Generated by tests/vm/run-guest.sh; run by the guest's /init in a chroot."
	printf 'export VFSD_PROJECT=%q VFSD_BUILD=%q VFSD_MODULE=%q VFSD_RESULTS=%q\n' \
		"$PROJECT_DIR" "$build" "$module" "$results"
	printf 'export VFSD_KERNEL=%q VFSD_KVER=%q VFSD_MODULE_ARGS=%q VFSD_MODULE_LOADED\n' \
		"$flavor" "$kver" "$module_args"
	printf 'export VFSD_CARD_FILE=%q VFSD_DISK_DEV=%q VFSD_VM_PREALLOC=%q\n' "$card_file" "$disk_dev" "$prealloc"
	echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	echo 'export HOME=/tmp/home TERM=dumb LANG=C.UTF-8'
	echo 'mkdir -p "$HOME"'
	echo 'cd "$VFSD_PROJECT" || exit 126'
	echo "$cmdline"
} >"$results/cmd.sh"

kcmd="console=ttyS0 quiet panic=-1 oops=panic panic_on_warn=1 hung_task_panic=1"
kcmd+=" printk.time=1 log_buf_len=4M"
[[ $kmemleak = 1 ]] && kcmd+=" kmemleak=on"
[[ ${early_console:-0} = 1 ]] && kcmd+=" earlyprintk=serial,ttyS0,115200"
[[ -n $append ]] && kcmd+=" $append"

# shellcheck disable=SC2054 # commas belong to QEMU options
qemu=(qemu-system-x86_64 -machine "$machine" -accel "$accel" -cpu "$cpu" -m "$mem" -smp "$smp"
	-nographic -no-reboot -nic none
	-device pvpanic -action "panic=${VFSD_VM_PANIC_ACTION:-exit-failure}"
	-kernel "$vmlinuz" -initrd "$initrd" -append "$kcmd"
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
	-virtfs "local,path=$results,mount_tag=results,security_model=none,multidevs=remap")
[[ $prealloc = 1 ]] && qemu+=(-mem-prealloc)

# One guest at a time per machine: under TCG two guests on two cores make
# each other's timeouts fire. VFSD_VM_LOCK='' turns this off.
lock=${VFSD_VM_LOCK-/tmp/vfsd-vm.lock}
if [[ -n $lock ]]; then
	exec 9>>"$lock"
	if ! flock -n 9; then
		echo "run-guest: waiting for another guest to finish ($lock)" >&2
		flock 9
	fi
fi
if [[ -n $card_file ]]; then
	# shellcheck disable=SC2054 # commas belong to QEMU options
	qemu+=(-object "memory-backend-file,id=cardmem,mem-path=$card_file,size=$card_size,share=on"
		-device ivshmem-plain,memdev=cardmem
		-device edu,dma_mask=0xffffffffffffffff)
fi

if [[ -n $disk_file ]]; then
	# shellcheck disable=SC2054 # commas belong to QEMU options
	qemu+=(-drive "if=none,id=disk0,file=$disk_file,format=raw,cache=unsafe")
	if [[ $disk_bus = nvme ]]; then
		qemu+=(-device nvme,serial=vfsd-disk0,drive=disk0)
	else
		qemu+=(-device virtio-blk-pci,drive=disk0)
	fi
fi

echo "run-guest: kernel $kver, module ${module:-none}, timeout ${timeout}s, results $results" >&2
# If we are interrupted, QEMU (in timeout's own process group) must not live on.
# shellcheck disable=SC2317 # called from the traps
kill_guest() {
	local pid
	pid=$(cat "$results/qemu.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
}
trap kill_guest EXIT
trap 'echo "run-guest: interrupted, guest killed (log $log)" >&2; exit 130' INT
trap 'echo "run-guest: terminated, guest killed (log $log)" >&2; exit 143' TERM

# One boot. Sets qrc (QEMU's exit status) and boot_hung. Runs in the
# background so that the traps run at once and so that we can watch the boot.
# stdin from /dev/null: QEMU must not put the caller's terminal in raw mode.
run_qemu() {
	local job t0=$SECONDS booted=0
	rm -f "$results/qemu.rc" "$results/qemu.pid"
	boot_hung=0
	{
		local rc=0
		timeout -k 10 "$timeout" "${qemu[@]}" -pidfile "$results/qemu.pid" </dev/null 2>&1 || rc=$?
		echo "$rc" >"$results/qemu.rc"
	} | tee "$log" &
	job=$!
	while kill -0 "$job" 2>/dev/null; do
		if [[ $booted = 0 ]]; then
			if grep -aq 'vfsd-init: started' "$log"; then
				booted=1
			elif ((SECONDS - t0 > boot_timeout)); then
				echo "run-guest: /init did not start within ${boot_timeout}s: boot hang, killing the guest" >&2
				boot_hung=1
				kill_guest
			fi
		fi
		sleep 0.5
	done
	wait "$job" || true
	qrc=$(cat "$results/qemu.rc")
	# Died before /init (so before the module): the emulated boot failed.
	if [[ $booted = 0 ]] && ! grep -aq 'vfsd-init: started' "$log"; then
		boot_hung=1
	fi
}

start=$SECONDS
# Early boot sometimes stalls under TCG with several vCPUs (seen with the
# kdebug kernel), or oopses (seen: int3 in run_timer_softirq on 6.12), all
# before /init and so before the module loads: retry those.
for attempt in 1 2 3; do
	run_qemu
	[[ $boot_hung = 1 && $attempt -lt 3 ]] || break
	mv "$log" "$results/console.boot-fail-$attempt.log"
	echo "run-guest: the boot failed before /init, retrying (attempt $((attempt + 1)))" >&2
done
elapsed=$((SECONDS - start))

# The console has \r\n line ends and interleaves the command's own output;
# only lines carrying a printk timestamp are kernel messages.
errors=$( { tr -d '\r' <"$log" | grep -aE '\[ *[0-9]+\.[0-9]{6}\]' || true
	[[ -f $results/dmesg.txt ]] && cat "$results/dmesg.txt"; } |
	grep -avE '[Cc]ommand line:' | grep -aE -f "$KERNEL_ERRORS_RE" |
	awk '!seen[$0]++' | head -n 30 || true)

fails=()
if [[ $boot_hung = 1 ]]; then
	fails+=("the kernel hung or died before /init on every attempt")
elif [[ $qrc -eq 124 || $qrc -eq 137 ]]; then
	fails+=("timed out after ${timeout}s")
elif [[ $qrc -ne 0 ]]; then
	fails+=("QEMU exited with status $qrc (guest kernel panic?)")
fi
marker=$(tr -d '\r' <"$log" | grep -a "^VFSD-GUEST-DONE $nonce rc=" | tail -n1 || true)
if [[ -z $marker ]]; then
	fails+=("the guest did not finish (no pass marker)")
elif [[ ${marker##*rc=} != 0 ]]; then
	fails+=("the command exited with status ${marker##*rc=}")
fi
[[ -n $errors ]] && fails+=("kernel errors in the log:"$'\n'"$errors")
[[ -s $results/kmemleak.txt ]] && fails+=("kmemleak found leaks: $results/kmemleak.txt")

echo >&2 # the console may end mid-line
if [[ ${#fails[@]} -eq 0 ]]; then
	echo "run-guest: PASS ($kver, ${elapsed}s, log $log)" >&2
	exit 0
fi
echo "run-guest: FAIL ($kver, ${elapsed}s, log $log)" >&2
for f in "${fails[@]}"; do
	echo "run-guest:   $f" >&2
done
exit 1
