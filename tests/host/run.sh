#!/bin/bash
# The host test stage: vfsd-server and the examples over the FUSE
# transport on this machine's /dev/fuse (no module, no guest). Needs root.
#
# usage: tests/host/run.sh [-b BUILDDIR] [-o RESULTSDIR] [-d TESTDIR] [PATTERN...]
#   PATTERN  run only the tests whose name contains it
#   TESTDIR  where the t-*.sh are (default: tests/host; the runner
#            self-test, tests/selftest-runners.sh, points it elsewhere)
#
# Runs TESTDIR/t-*.sh; each exits 0 (pass), 77 (skip) or else (fail).
# Writes RESULTSDIR/results, one line per test as it ends:
# `PASS|FAIL|SKIP NAME [REASON]` (run-tests.sh counts these), and
# RESULTSDIR/NAME.log. Ends with `host tests: N passed, M failed, K
# skipped`; exits 1 on any failure (a skip is not one).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$here/../../build
tests=$here
out=
while getopts b:o:d: o; do
	case $o in
	b) build=$OPTARG ;;
	o) out=$OPTARG ;;
	d) tests=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \?//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
export VFSD_BUILD VFSD_RESULTS VFSD_SKIP_FILE
VFSD_BUILD=$(cd "$build" && pwd)
VFSD_RESULTS=${out:-$VFSD_BUILD/host-results}
mkdir -p "$VFSD_RESULTS"
VFSD_RESULTS=$(cd "$VFSD_RESULTS" && pwd)
results=$VFSD_RESULTS/results
: >"$results"

passed=0 failed=0 skipped=0
for t in "$tests"/t-*.sh; do
	[[ -f $t ]] || continue
	name=$(basename "$t" .sh)
	if [[ $# -gt 0 ]]; then
		match=0
		for p in "$@"; do [[ $name == *"$p"* ]] && match=1; done
		[[ $match = 1 ]] || continue
	fi
	start=$SECONDS
	# skip() in tests/lib/common.sh writes its reason here.
	VFSD_SKIP_FILE=$VFSD_RESULTS/$name.skip
	rm -f "$VFSD_SKIP_FILE"
	set +e
	TEST_NAME=$name timeout -k 10 900 "$t" 2>&1 | tee "$VFSD_RESULTS/$name.log"
	rc=${PIPESTATUS[0]}
	set -e
	secs=$((SECONDS - start))
	case $rc in
	0) status=PASS why= ;;
	77) status=SKIP why="exit status 77"
		[[ ! -s $VFSD_SKIP_FILE ]] || why=$(head -c 300 "$VFSD_SKIP_FILE") ;;
	124 | 137) status=FAIL why="timed out after 900 s" ;;
	*) status=FAIL why="exit status $rc" ;;
	esac
	case $status in
	PASS) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	FAIL) failed=$((failed + 1)) ;;
	esac
	echo "$status $name ($secs s)${why:+: $why}"
	echo "$status $name${why:+ ${why//[$'\n\r']/ }}" >>"$results"
done
echo "host tests: results in $VFSD_RESULTS"
echo "host tests: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
