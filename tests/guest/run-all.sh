#!/bin/bash
# Run the guest integration tests (tests/guest/t-*.sh) in order inside the
# test guest; print PASS/FAIL/SKIP per test and a summary line.
# usage: tests/guest/run-all.sh [PATTERN...]   (default: every t-*.sh)
set -uo pipefail
cd "$(dirname "$0")/../.."

tests=()
if [ $# -gt 0 ]; then
	for p in "$@"; do tests+=(tests/guest/t-*"$p"*.sh); done
else
	tests=(tests/guest/t-*.sh)
fi

pass=0 fail=0 skip=0 failed=()
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	start=$SECONDS
	echo "=== $name"
	TEST_NAME=$name bash "$t"
	rc=$?
	secs=$((SECONDS - start))
	case $rc in
	0) pass=$((pass + 1)); echo "=== PASS $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "=== SKIP $name" ;;
	*) fail=$((fail + 1)); failed+=("$name"); echo "=== FAIL $name (status $rc, ${secs}s)" ;;
	esac
done
echo "guest tests: $pass passed, $fail failed, $skip skipped${failed:+ (failed: ${failed[*]})}"
[ "$fail" -eq 0 ]
