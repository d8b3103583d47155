#!/bin/bash
# vfsd's test command: build, run the host unit tests, the host tests over
# the FUSE transport (tests/host/, as root with /dev/fuse), then the guest
# integration tests (tests/guest/t-*.sh) in a QEMU guest with the module.
#
# usage: ./run-tests.sh [--kernel stock|kdebug|VERSION]... [--timeout SECS]
#                       [--no-guest] [--no-install] [--packages|--no-packages]
#                       [PATTERN...]
#
#   --kernel K    guest kernel (repeatable; default: stock (Debian 12's 6.1),
#                 7.3 from trixie-backports, then 6.12 from
#                 bookworm-backports, each in its own guest). kdebug is the
#                 KASAN/lockdep kernel from the kdebug .debs; the module is
#                 then built against its headers in build-kdebug/. A
#                 series like 6.12 or 7.3 is fetched and unpacked by
#                 tests/vm/fetch-kernel.sh (7.x: the module is built in a
#                 debootstrapped Debian 13 root with its gcc-14), module
#                 in build-SERIES/. VERSION: an installed kernel release,
#                 module in build-VERSION/
#   --timeout S   limit for each whole guest run (default 7200, kdebug 28800)
#   --smp N       guest CPUs (default 2)
#   --no-guest    build, unit and host tests only (also --unit-only)
#   --no-install  do not install missing packages (only done as root)
#   --packages    build the Debian packages, lintian them and install them
#                 on this machine (tests/packages.sh: vfsd-dkms builds the
#                 module with DKMS for the stock kernel, which t-90-install
#                 then loads in the guest). Default with CI=true, else off:
#                 it installs packages on the host
#   PATTERN       run only the guest tests whose name contains it
#
# Stages: build, unit (meson), runner self-test (tests/selftest-runners.sh),
# host, packages (with --packages), then guest per kernel. Counts come from exit codes, meson's
# build/meson-logs/testlog.json and the runners' results files (one
# `PASS|FAIL|SKIP NAME REASON` line per test); a missing results file or
# fewer results than tests is a failure. Every skip is listed by name and
# reason at the end; with CI=true in the environment (.ci/run sets it) a
# skipped test or stage (no cmocka, no root, no /dev/fuse, a failed
# tests/install-deps.sh, a test exiting 77) is a failure.
#
# Ends with `vfsd tests: N passed, M failed, K skipped`; exits non-zero on
# any failure. Logs of each guest run: the results dir that
# tests/vm/run-guest.sh prints (console.log, dmesg.txt, tests/NAME.log).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=tests/vm/common.sh
. tests/vm/common.sh

# What the VM harness needs beyond tests/install-deps.sh (the project's list).
# debootstrap makes the Debian 13 build root of the 7.x kernels.
# Debian 12's kernel image and headers are the stock guest's kernel (and
# build/'s module is built for it): the harness installs them on the host,
# tests/install-deps.sh alone does not.
HARNESS_PACKAGES=(qemu-system-x86 busybox-static cpio kmod xz-utils debootstrap
	linux-image-amd64 linux-headers-amd64)

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }

kernels=() only=() timeout='' smp='' guest=1 install=1 packages=
while [[ $# -gt 0 ]]; do
	case $1 in
	--kernel) kernels+=("$2"); shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--no-guest|--unit-only) guest=0; shift ;;
	--no-install) install=0; shift ;;
	--packages) packages=1; shift ;;
	--no-packages) packages=0; shift ;;
	-h|--help) usage ;;
	-*) echo "run-tests: unknown option $1" >&2; usage ;;
	*) only+=("$1"); shift ;;
	esac
done
[[ ${#kernels[@]} -gt 0 ]] || kernels=(stock 7.3 6.12)

ci=0
case ${CI:-} in true | 1) ci=1 ;; esac
[[ -n $packages ]] || packages=$ci

passed=0 failed=0 skipped=0
report=() skips=() fails=()
note() { echo; echo "##### $*"; }
tally() { # STAGE PASSED FAILED SKIPPED
	passed=$((passed + $2)) failed=$((failed + $3)) skipped=$((skipped + $4))
	report+=("$(printf '%-22s %3d passed, %3d failed, %3d skipped' "$1:" "$2" "$3" "$4")")
}
# stage_skip STAGE REASON: a stage that could not run. In CI a failure.
stage_skip() {
	echo "run-tests: $1 stage skipped: $2"
	if [[ $ci = 1 ]]; then
		fails+=("$1: skipped, which CI does not allow: $2")
		tally "$1" 0 1 0
	else
		skips+=("$1: $2")
		tally "$1" 0 0 1
	fi
}
# stage_results STAGE RESULTS_FILE RUNNER_RC EXPECTED: count a results
# file (`PASS|FAIL|SKIP NAME [REASON]` per line). A missing file, a line
# of another form, fewer or more lines than EXPECTED tests, or a runner
# that failed with no FAIL line are failures. In CI a SKIP is a failure.
stage_results() {
	local stage=$1 file=$2 rc=$3 want=$4 p=0 f=0 k=0 n=0 status name why
	if [[ ! -f $file ]]; then
		fails+=("$stage: no results file $file (runner exit status $rc)")
		tally "$stage" 0 1 0
		return
	fi
	while read -r status name why; do
		n=$((n + 1))
		case $status in
		PASS) p=$((p + 1)) ;;
		FAIL) f=$((f + 1)); fails+=("$stage/$name: ${why:-failed}") ;;
		SKIP)
			if [[ $ci = 1 ]]; then
				f=$((f + 1)); fails+=("$stage/$name: skipped, which CI does not allow: $why")
			else
				k=$((k + 1)); skips+=("$stage/$name: $why")
			fi ;;
		*) f=$((f + 1)); fails+=("$stage: results line $n is not PASS/FAIL/SKIP: $status $name $why") ;;
		esac
	done <"$file"
	if [[ $n -ne $want ]]; then
		f=$((f + 1)); fails+=("$stage: $n results for $want tests ($file)")
	fi
	if [[ $rc -ne 0 && $f -eq 0 ]]; then
		f=1; fails+=("$stage: the runner exited $rc with no failed test")
	fi
	tally "$stage" "$p" "$f" "$k"
}
finish() {
	echo
	printf '%s\n' "${report[@]}"
	[[ ${#skips[@]} -eq 0 ]] || printf 'skipped: %s\n' "${skips[@]}"
	[[ ${#fails[@]} -eq 0 ]] || printf 'FAILED:  %s\n' "${fails[@]}"
	echo "vfsd tests: $passed passed, $failed failed, $skipped skipped"
	if [[ $failed -ne 0 ]]; then exit 1; fi
	exit 0
}
[[ $ci = 0 ]] || echo "run-tests: CI=$CI: a skipped test or stage fails the run"

# --- packages -------------------------------------------------------------
if [[ $install = 1 ]] && command -v dpkg-query >/dev/null; then
	# Exits non-zero when packages are missing and we are not root: go on,
	# the step that needs them will say what failed (in CI: a failure).
	deps_rc=0
	[[ ! -x tests/install-deps.sh ]] || tests/install-deps.sh || deps_rc=$?
	[[ $deps_rc = 0 ]] || stage_skip packages "tests/install-deps.sh exited $deps_rc"
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
# build/ holds the module for the stock guest kernel, not the host's.
stock_kdir=
if kv=$(stock_kver 2>/dev/null) && [[ -f /lib/modules/$kv/build/Makefile ]]; then
	stock_kdir=/lib/modules/$kv/build
fi
if ! { meson_setup build "$stock_kdir" && meson compile -C build; }; then
	fails+=("build: meson setup or compile failed")
	tally build 0 1 0
	finish
fi

# --- host unit tests --------------------------------------------------------
note "unit tests"
# The suites' tests as meson knows them, and what each did (testlog.json:
# one JSON object per test with a "result"). unit: cmocka; sdk: the
# installed library built against out of tree (tests/sdk/).
read -r unit_only unit_want < <(meson introspect --tests build | python3 -c '
import json, sys
suites = [{s.split(":")[-1] for s in t["suite"]} for t in json.load(sys.stdin)]
print(sum("unit" in s for s in suites), sum(bool(s & {"unit", "sdk"}) for s in suites))')
if [[ $unit_only -eq 0 ]]; then
	stage_skip unit "no unit tests defined (cmocka not found by meson?)"
else
	testlog=build/meson-logs/testlog.json
	rm -f "$testlog"
	unit_rc=0
	meson test -C build --suite unit --suite sdk --print-errorlogs || unit_rc=$?
	unit_results=build/meson-logs/run-tests-unit.results
	rm -f "$unit_results"
	if [[ -f $testlog ]] && ! python3 - "$testlog" >"$unit_results" <<'PY'
import json, sys
status = {"OK": "PASS", "EXPECTEDFAIL": "PASS", "SKIP": "SKIP"}
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    t = json.loads(line)
    r = t.get("result", "no result")
    why = "" if r == "OK" else "meson %s, exit status %s" % (r, t.get("returncode"))
    print(status.get(r, "FAIL"), t["name"].replace(" ", "_"), why)
PY
	then
		rm -f "$unit_results"   # counted as missing
		echo "run-tests: cannot read $testlog" >&2
	fi
	stage_results unit "$unit_results" "$unit_rc" "$unit_want"
fi

# --- the runners' self-test ---------------------------------------------------
note "runner self-test"
st_out=build/selftest-results
rm -f "$st_out/results"
st_rc=0
tests/selftest-runners.sh -o "$st_out" || st_rc=$?
stage_results "runner self-test" "$st_out/results" "$st_rc" 4

# --- host tests: servers over the FUSE transport ---------------------------
note "host tests (FUSE transport)"
if [[ $(id -u) != 0 ]]; then
	stage_skip host "it mounts: run as root"
elif [[ ! -c /dev/fuse ]]; then
	stage_skip host "no /dev/fuse (modprobe fuse)"
else
	host_out=build/host-results
	rm -f "$host_out/results"
	host_want=$(find tests/host -maxdepth 1 -name 't-*.sh' -type f | wc -l)
	host_rc=0
	tests/host/run.sh -b build -o "$host_out" || host_rc=$?
	stage_results "host (fuse)" "$host_out/results" "$host_rc" "$host_want"
fi

# --- Debian packages, installed on this machine -----------------------------
if [[ $packages = 1 ]]; then
	note "packages (dpkg-buildpackage, lintian, install, DKMS)"
	if [[ $(id -u) != 0 ]]; then
		stage_skip packages "it installs packages: run as root"
	else
		pkg_rc=0
		tests/packages.sh -o build/packages-results || pkg_rc=$?
		stage_results packages build/packages-results/results "$pkg_rc" 4
	fi
else
	report+=("packages: not run (--packages)")
fi

# --- guest integration tests -----------------------------------------------
if [[ $guest = 0 ]]; then
	report+=("guest: not run (--no-guest)")
	finish
fi
# The guest tests run-all.sh will run: those matching a PATTERN, or all.
guest_want=0
for t in tests/guest/t-*.sh; do
	[[ -f $t ]] || continue
	name=$(basename "$t" .sh) match=$((${#only[@]} == 0))
	for pat in "${only[@]}"; do [[ $name == *"$pat"* ]] && match=1; done
	[[ $match = 0 ]] || guest_want=$((guest_want + 1))
done
for k in "${kernels[@]}"; do
	module=$PWD/build/kmod/vfsd.ko
	if [[ $k != stock ]]; then
		# The module must match the guest kernel: build it in its own dir.
		if [[ $k = kdebug ]]; then
			kdir=$(kdebug_kdir)
			bdir=build-kdebug
		elif [[ $k =~ ^[0-9]+\.[0-9]+$ ]]; then
			# A Debian series (6.12, 7.3) unpacked, not installed.
			# One that cannot be fetched fails the run (CI too).
			if ! kdir=$(tests/vm/fetch-kernel.sh --kdir "$k"); then
				fails+=("build ($k): tests/vm/fetch-kernel.sh failed")
				tally "build ($k)" 0 1 0
				continue
			fi
			bdir=build-$k
		else
			kdir=/lib/modules/$k/build
			bdir=build-$k
		fi
		note "build for the $k kernel ($kdir)"
		if ! { meson_setup "$bdir" "$kdir" && meson compile -C "$bdir"; }; then
			fails+=("build ($k): meson setup or compile failed")
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
	# --card) and a fresh emulated disk (NVMe; virtio-blk on kdebug) in its
	# results dir, for the tests that need card memory or a block device.
	mkdir -p "$results"
	tests/vm/run-guest.sh --kernel "$k" --module "$module" --build "$PWD/build" \
		--results "$results" --timeout "$t" ${smp:+--smp "$smp"} \
		--card "$results/card.img:64M" --disk "$results/disk.img:1G" \
		-- tests/guest/run-all.sh "${only[@]}" || grc=$?
	rm -f "$results/disk.img"
	# A crash, a timeout or a kernel error outside any test fails the run
	# (run-guest.sh exits non-zero), as does a test without a result.
	stage_results "guest ($k)" "$results/results" "$grc" "$guest_want"
done
finish
