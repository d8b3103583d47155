# shellcheck shell=bash
# Helpers for the guest tests (tests/guest/t-*.sh). Sourced by bash inside
# the guest's chroot of the host's /, where tests/vm/run-guest.sh exported
# VFSD_PROJECT, VFSD_BUILD, VFSD_MODULE, VFSD_RESULTS, VFSD_KERNEL, VFSD_KVER.
#
#   . "$(dirname "$0")/lib.sh"
#   load_module; defer 'umount /mnt/x'; check "mount works" mount ...
#
# Exit status of a test: 0 pass, 77 skip, anything else fail.

# The basics (paths, log, fail, skip, check, wait_for, defer, tmp_dir)
# are the host tests' too.
# shellcheck source=tests/lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

VFSD_MODULE=${VFSD_MODULE-$VFSD_BUILD/kmod/vfsd.ko}
VFSD_MODULE_ARGS=${VFSD_MODULE_ARGS:-}
VFSD_KERNEL=${VFSD_KERNEL:-stock}
VFSD_MODNAME=vfsd
KERNEL_ERRORS_RE=$VFSD_PROJECT/tests/vm/kernel-errors.re

# drop_file_caches DIR...: write back, then drop the page cache of every
# regular file under each DIR (POSIX_FADV_DONTNEED, dd iflag=nocache). The
# benchmarks use it instead of /proc/sys/vm/drop_caches: after a guest-wide
# drop, single reads on every target stalled 100-400 ms in the measured run
# (cold 32 MiB reads on 7.3 ranged 24-126 MiB/s; with only the file's cache
# dropped, 71-86). Likely the guest rereading its programs over 9p.
drop_file_caches() {
	local d
	sync
	for d; do
		find "$d" -xdev -type f -exec dd iflag=nocache count=0 status=none 'if={}' \;
	done
}

# True inside a run-guest.sh guest; tests must not touch the host kernel.
in_guest() { [[ -n ${VFSD_KVER:-} && -e /proc/modules ]]; }
require_guest() { in_guest || skip "needs the test guest (tests/vm/run-guest.sh)"; }

module_loaded() { [[ -d /sys/module/$VFSD_MODNAME ]]; }

# load_module [PARAM=VALUE...]: insmod the module under test (the host's
# kmod insmod; it reads the .ko over 9p) and wait for /dev/vfsd.
load_module() {
	module_loaded && return 0
	[[ -n $VFSD_MODULE && -f $VFSD_MODULE ]] || fail "module ${VFSD_MODULE:-(none)} is not built"
	# shellcheck disable=SC2086 # a list of parameters
	insmod "$VFSD_MODULE" $VFSD_MODULE_ARGS "$@" || fail "insmod $VFSD_MODULE failed"
	wait_for 5 test -c /dev/vfsd || fail "/dev/vfsd did not appear after insmod"
}

# unload_module: rmmod, retrying while the last references drain (a server
# or mount that just went away drops them asynchronously).
unload_module() {
	module_loaded || return 0
	wait_for 10 rmmod "$VFSD_MODNAME" 2>/dev/null || rmmod "$VFSD_MODNAME" ||
		fail "rmmod $VFSD_MODNAME failed (refcnt $(cat "/sys/module/$VFSD_MODNAME/refcnt" 2>/dev/null))"
	! module_loaded || fail "$VFSD_MODNAME still loaded after rmmod"
}

reload_module() {
	unload_module
	load_module "$@"
}

# dmesg_mark: remember this point of the kernel log; dmesg_since prints what
# came after it, dmesg_check fails on kernel errors after it, dmesg_expect
# fails unless an extended regex shows up after it.
dmesg_mark() {
	DMESG_MARK="vfsd-test: mark $TEST_NAME $$ $RANDOM$RANDOM"
	echo "<6>$DMESG_MARK" >/dev/kmsg  # info level: kept off the console
}
dmesg_since() {
	dmesg | awk -v m="${DMESG_MARK:-}" 'm == "" || found { print } m != "" && index($0, m) { found = 1 }'
}
dmesg_check() {
	local bad
	bad=$(dmesg_since | grep -avE '[Cc]ommand line:' | grep -aE -f "$KERNEL_ERRORS_RE" || true)
	[[ -z $bad ]] || fail "kernel errors in dmesg:"$'\n'"$bad"
}
dmesg_expect() {
	dmesg_since | grep -qaE "$1" || fail "dmesg lacks /$1/"
}
