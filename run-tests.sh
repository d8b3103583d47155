#!/bin/bash
# vfsd's test command: build, run the host unit tests, the host tests over
# the FUSE transport (tests/host/, as root with /dev/fuse), then the guest
# integration tests (tests/guest/t-*.sh) in a QEMU guest with the module.
#
# usage: ./run-tests.sh [--kernel stock|kdebug|VERSION]... [--timeout SECS]
#                       [--no-guest] [--no-install] [PATTERN...]
#
#   --kernel K    guest kernel (repeatable; default: stock, then 6.12 from
#                 bookworm-backports, each in its own guest). kdebug is the
#                 KASAN/lockdep kernel from the kdebug .debs; the module is
#                 then built against its headers in build-kdebug/. A
#                 series like 6.12 is fetched and unpacked by
#                 tests/vm/fetch-kernel.sh, module in build-6.12/. VERSION:
#                 an installed kernel release, module in build-VERSION/
#   --timeout S   limit for each whole guest run (default 7200, kdebug 28800)
#   --no-guest    build, unit and host tests only (also --unit-only)
#   --no-install  do not install missing packages (only done as root)
#   PATTERN       run only the guest tests whose name contains it
#
# Ends with `vfsd tests: N passed, M failed, K skipped`; exits non-zero on
# any failure. Logs of each guest run: the results dir that
# tests/vm/run-guest.sh prints (console.log, dmesg.txt, tests/NAME.log).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=tests/vm/common.sh
. tests/vm/common.sh

# What the VM harness needs beyond tests/install-deps.sh (the project's list).
HARNESS_PACKAGES=(qemu-system-x86 busybox-static cpio kmod xz-utils)

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }

kernels=() only=() timeout='' guest=1 install=1
while [[ $# -gt 0 ]]; do
	case $1 in
	--kernel) kernels+=("$2"); shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--no-guest|--unit-only) guest=0; shift ;;
	--no-install) install=0; shift ;;
	-h|--help) usage ;;
	-*) echo "run-tests: unknown option $1" >&2; usage ;;
	*) only+=("$1"); shift ;;
	esac
done
[[ ${#kernels[@]} -gt 0 ]] || kernels=(stock 6.12)

passed=0 failed=0 skipped=0
report=()
note() { echo; echo "##### $*"; }
tally() { # STAGE PASSED FAILED SKIPPED
	passed=$((passed + $2)) failed=$((failed + $3)) skipped=$((skipped + $4))
	report+=("$(printf '%-22s %3d passed, %3d failed, %3d skipped' "$1:" "$2" "$3" "$4")")
}
finish() {
	echo
	printf '%s\n' "${report[@]}"
	echo "vfsd tests: $passed passed, $failed failed, $skipped skipped"
	if [[ $failed -ne 0 ]]; then exit 1; fi
	exit 0
}

# --- packages -------------------------------------------------------------
if [[ $install = 1 ]] && command -v dpkg-query >/dev/null; then
	# Exits non-zero when packages are missing and we are not root: go on,
	# the step that needs them will say what failed.
	[[ ! -x tests/install-deps.sh ]] || tests/install-deps.sh || true
	missing=()
	for p in "${HARNESS_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [[ ${#missing[@]} -gt 0 && $(id -u) = 0 ]]; then
		note "installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q
		apt-get install -y -q --no-install-recommends "${missing[@]}"
	elif [[ ${#missing[@]} -gt 0 ]]; then
		echo "run-tests: missing packages (run as root to install): ${missing[*]}" >&2
	fi
fi

# --- build ----------------------------------------------------------------
# meson_setup DIR [KDIR]: configure once; reconfigure only if KDIR changed
# (a reconfigure rebuilds everything).
meson_setup() {
	local dir=$1 kdir=${2:-} cur
	if [[ ! -f $dir/meson-private/coredata.dat ]]; then
		meson setup "$dir" ${kdir:+-Dkdir="$kdir"}
	elif [[ -n $kdir ]]; then
		cur=$(meson introspect --buildoptions "$dir" | python3 -c \
			'import json, sys; print(next((o["value"] for o in json.load(sys.stdin) if o["name"] == "kdir"), ""))')
		[[ $cur == "$kdir" ]] || meson configure "$dir" -Dkdir="$kdir"
	fi
}
note "build"
if ! { meson_setup build && meson compile -C build; }; then
	tally build 0 1 0
	finish
fi

# --- host unit tests --------------------------------------------------------
note "unit tests"
unit_log=build/meson-logs/run-tests-unit.txt
set +e
meson test -C build --suite unit --print-errorlogs 2>&1 | tee "$unit_log"
unit_rc=${PIPESTATUS[0]}
set -e
# meson's summary block: "Ok: N", "Fail: N", ... (absent if no tests).
count() { awk -v k="$1:" '$1 == k || ($1 " " $2) == k { n = $NF } END { print n + 0 }' "$unit_log"; }
u_ok=$(($(count Ok) + $(count 'Expected Fail')))
u_fail=$(($(count Fail) + $(count 'Unexpected Pass') + $(count Timeout)))
u_skip=$(count Skipped)
if [[ $unit_rc -ne 0 && $u_fail -eq 0 ]]; then
	u_fail=1   # meson itself failed
fi
if grep -q 'No \(suitable \)\?tests defined' "$unit_log"; then
	echo "run-tests: no unit tests defined yet"
fi
tally "unit" "$u_ok" "$u_fail" "$u_skip"

# --- host tests: servers over the FUSE transport ---------------------------
note "host tests (FUSE transport)"
if [[ $(id -u) != 0 ]]; then
	echo "run-tests: host stage skipped: it mounts, run as root"
	tally host 0 0 1
elif [[ ! -c /dev/fuse ]]; then
	echo "run-tests: host stage skipped: no /dev/fuse (modprobe fuse)"
	tally host 0 0 1
else
	host_log=build/meson-logs/run-tests-host.txt
	set +e
	tests/host/run.sh -b build 2>&1 | tee "$host_log"
	host_rc=${PIPESTATUS[0]}
	set -e
	read -r h_ok h_fail h_skip < <(sed -n 's/^host tests: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$host_log") || true
	h_ok=${h_ok:-0} h_fail=${h_fail:-0} h_skip=${h_skip:-0}
	if [[ $host_rc -ne 0 && $h_fail -eq 0 ]]; then
		h_fail=1   # the runner itself failed
	fi
	tally "host (fuse)" "$h_ok" "$h_fail" "$h_skip"
fi

# --- guest integration tests -----------------------------------------------
[[ $guest = 1 ]] || finish
for k in "${kernels[@]}"; do
	module=$PWD/build/kmod/vfsd.ko
	if [[ $k != stock ]]; then
		# The module must match the guest kernel: build it in its own dir.
		if [[ $k = kdebug ]]; then
			kdir=$(kdebug_kdir)
			bdir=build-kdebug
		elif [[ $k =~ ^[0-9]+\.[0-9]+$ ]]; then
			# A Debian series (6.12) unpacked, not installed.
			kdir=$(tests/vm/fetch-kernel.sh --kdir "$k")
			bdir=build-$k
		else
			kdir=/lib/modules/$k/build
			bdir=build-$k
		fi
		note "build for the $k kernel ($kdir)"
		if ! { meson_setup "$bdir" "$kdir" && meson compile -C "$bdir"; }; then
			tally "build ($k)" 0 1 0
			continue
		fi
		module=$PWD/$bdir/kmod/vfsd.ko
	fi
	note "guest tests, $k kernel"
	results=${VFSD_VM_RUNS:-${TMPDIR:-/tmp}/vfsd-vm-runs}/$(date +%Y%m%d-%H%M%S)-run-tests-$k-$$
	t=$timeout
	[[ -n $t ]] || { [[ $k = kdebug ]] && t=28800 || t=7200; }
	grc=0
	# Every run gets a fresh emulated FPGA card (ivshmem + edu, run-guest.sh
	# --card) in its results dir, for the tests that need card memory.
	mkdir -p "$results"
	tests/vm/run-guest.sh --kernel "$k" --module "$module" --build "$PWD/build" \
		--results "$results" --timeout "$t" --card "$results/card.img:64M" \
		-- tests/guest/run-all.sh "${only[@]}" || grc=$?
	g_pass=0 g_fail=0 g_skip=0
	if [[ -f $results/summary ]]; then
		read -r g_pass g_fail g_skip < <(sed -n '1s/passed=\([0-9]*\) failed=\([0-9]*\) skipped=\([0-9]*\)/\1 \2 \3/p' "$results/summary")
	fi
	# A crash, a timeout or a kernel error outside any test fails the run.
	if [[ $grc -ne 0 && $g_fail -eq 0 ]]; then
		g_fail=1
	fi
	tally "guest ($k)" "$g_pass" "$g_fail" "$g_skip"
done
finish
