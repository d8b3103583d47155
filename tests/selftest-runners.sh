#!/bin/bash
# Self-test of the test runners: plant a passing, a failing and a skipping
# t-*.sh in a temp dir, run tests/host/run.sh (-d) and tests/guest/run-all.sh
# (VFSD_GUEST_TESTS, on the host: its summary logic needs no guest) on them,
# and check that each runner exits non-zero and writes exactly the
# PASS/FAIL/SKIP lines the plants deserve; and that a skip alone is not a
# failure. run-tests.sh runs this as its own stage.
#
# usage: tests/selftest-runners.sh [-o OUTDIR]
#
# Writes OUTDIR/results (default: a temp dir), one line per check:
# `PASS|FAIL|SKIP NAME [REASON]`, like the runners. Exits 1 if a check failed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=
while getopts o: o; do
	case $o in
	o) out=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \?//' >&2; exit 2 ;;
	esac
done
tmp=$(mktemp -d /tmp/vfsd-selftest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
[[ -n $out ]] || out=$tmp/out
mkdir -p "$out"
results=$out/results
: >"$results"
failed=0

result() { # STATUS CHECK [REASON]
	echo "$1 $2${3:+ $3}" >>"$results"
	echo "selftest: $1 $2${3:+: $3}"
	[[ $1 != FAIL ]] || failed=1
}

# plant DIR NAME BODY: an executable t-NAME.sh in DIR.
plant() {
	mkdir -p "$1"
	printf '#!/bin/bash\n%s\n' "$3" >"$1/t-$2.sh"
	chmod +x "$1/t-$2.sh"
}
all=$tmp/all ok=$tmp/ok
for d in "$all" "$ok"; do
	plant "$d" 1-pass 'echo "planted: passes"; exit 0'
	# lib.sh's skip(): the reason must reach the results file.
	plant "$d" 3-skip ". '$here/guest/lib.sh'; skip 'planted skip reason'"
done
# Output through the runner's tee, then a failure: the bug this guards
# against read tee's status (or true's) instead of the test's.
plant "$all" 2-fail 'echo "planted: fails"; exit 3'
want_all=$'PASS t-1-pass\nFAIL t-2-fail exit status 3\nSKIP t-3-skip planted skip reason'
want_ok=$'PASS t-1-pass\nSKIP t-3-skip planted skip reason'

# check NAME WANT_RC(0|nonzero) RC RESULTS_FILE WANT_RESULTS
check() {
	local name=$1 want_rc=$2 rc=$3 file=$4 want=$5 got
	got=$(cat "$file" 2>/dev/null) || {
		result FAIL "$name" "no results file $file"
		return
	}
	if [[ $want_rc = 0 && $rc -ne 0 ]]; then
		result FAIL "$name" "exit status $rc, want 0"
	elif [[ $want_rc != 0 && $rc -eq 0 ]]; then
		result FAIL "$name" "exit status 0, want non-zero"
	elif [[ $got != "$want" ]]; then
		result FAIL "$name" "results file: [${got//$'\n'/; }], want [${want//$'\n'/; }]"
	else
		result PASS "$name"
	fi
}

# --- tests/host/run.sh -----------------------------------------------------
rc=0
"$here/host/run.sh" -b "$tmp" -o "$tmp/host-all" -d "$all" >"$out/host-all.log" 2>&1 || rc=$?
check host-runner-fails-on-failure nonzero "$rc" "$tmp/host-all/results" "$want_all"
rc=0
"$here/host/run.sh" -b "$tmp" -o "$tmp/host-ok" -d "$ok" >"$out/host-ok.log" 2>&1 || rc=$?
check host-runner-skip-is-no-failure 0 "$rc" "$tmp/host-ok/results" "$want_ok"

# --- tests/guest/run-all.sh, on the host -----------------------------------
# No module (VFSD_MODULE empty); it marks the kernel log through /dev/kmsg
# and reads dmesg, so it needs root.
guest_run() { # DIR RESULTSDIR
	mkdir -p "$2"
	VFSD_GUEST_TESTS=$1 VFSD_RESULTS=$2 VFSD_MODULE='' VFSD_KERNEL=stock \
		VFSD_TEST_TIMEOUT=60 "$here/guest/run-all.sh" >"$2.log" 2>&1
}
if [[ $(id -u) != 0 || ! -w /dev/kmsg ]]; then
	result SKIP guest-runner-fails-on-failure "needs root (run-all.sh writes /dev/kmsg)"
	result SKIP guest-runner-skip-is-no-failure "needs root (run-all.sh writes /dev/kmsg)"
else
	rc=0
	guest_run "$all" "$tmp/guest-all" || rc=$?
	cp "$tmp/guest-all.log" "$out/guest-all.log"
	check guest-runner-fails-on-failure nonzero "$rc" "$tmp/guest-all/results" "$want_all"
	rc=0
	guest_run "$ok" "$tmp/guest-ok" || rc=$?
	cp "$tmp/guest-ok.log" "$out/guest-ok.log"
	check guest-runner-skip-is-no-failure 0 "$rc" "$tmp/guest-ok/results" "$want_ok"
fi

echo "selftest: results in $results"
exit "$failed"
