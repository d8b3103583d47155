#!/bin/bash
# The host test stage: vfsd-server and the examples over the FUSE
# transport on this machine's /dev/fuse (no module, no guest). Needs root.
#
# usage: tests/host/run.sh [-b BUILDDIR] [-o RESULTSDIR] [PATTERN...]
#   PATTERN  run only the tests whose name contains it
#
# Runs tests/host/t-*.sh; each exits 0 (pass), 77 (skip) or else (fail).
# Ends with `host tests: N passed, M failed, K skipped`; exits 1 on any
# failure.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$here/../../build
out=
while getopts b:o: o; do
	case $o in
	b) build=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \?//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
export VFSD_BUILD VFSD_RESULTS
VFSD_BUILD=$(cd "$build" && pwd)
VFSD_RESULTS=${out:-$VFSD_BUILD/host-results}
mkdir -p "$VFSD_RESULTS"
VFSD_RESULTS=$(cd "$VFSD_RESULTS" && pwd)

passed=0 failed=0 skipped=0
for t in "$here"/t-*.sh; do
	name=$(basename "$t" .sh)
	if [[ $# -gt 0 ]]; then
		match=0
		for p in "$@"; do [[ $name == *"$p"* ]] && match=1; done
		[[ $match = 1 ]] || continue
	fi
	start=$SECONDS
	rc=0
	TEST_NAME=$name timeout 900 "$t" 2>&1 | tee "$VFSD_RESULTS/$name.log" || true
	rc=${PIPESTATUS[0]}
	case $rc in
	0) echo "PASS $name ($((SECONDS - start)) s)"; passed=$((passed + 1)) ;;
	77) echo "SKIP $name"; skipped=$((skipped + 1)) ;;
	*) echo "FAIL $name (exit $rc, $((SECONDS - start)) s)"; failed=$((failed + 1)) ;;
	esac
done
echo "host tests: results in $VFSD_RESULTS"
echo "host tests: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
