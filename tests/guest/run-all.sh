#!/bin/bash
# Run the guest integration tests (tests/guest/t-*.sh, in name order) inside
# the test guest, one bash process each; print PASS/FAIL/SKIP per test and a
# summary line. Normally started by run-tests.sh through tests/vm/run-guest.sh:
#
#   tests/vm/run-guest.sh -- tests/guest/run-all.sh [PATTERN...]
#
# PATTERN selects the tests whose name contains it (default: all). A test
# fails if it exits non-zero (77 = skip), outlives VFSD_TEST_TIMEOUT seconds
# (default 900, 3600 on the kdebug kernel), or the kernel logs an error
# (tests/vm/kernel-errors.re) while it runs. Writes $VFSD_RESULTS/results,
# one line per test as it ends: `PASS|FAIL|SKIP NAME [REASON]` (run-tests.sh
# counts these), $VFSD_RESULTS/summary ("passed=N failed=N skipped=N") and
# $VFSD_RESULTS/tests/NAME.log. VFSD_GUEST_TESTS: run the t-*.sh of another
# directory (the runner self-test, tests/selftest-runners.sh, does that on
# the host; run-guest.sh passes no environment into the guest).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # read by lib.sh
TEST_NAME=run-all
# shellcheck source=tests/guest/lib.sh
. "$here/lib.sh"

if [[ $VFSD_KERNEL == kdebug ]]; then
	per_test=${VFSD_TEST_TIMEOUT:-3600}
else
	per_test=${VFSD_TEST_TIMEOUT:-900}
fi

tests=()
for t in "${VFSD_GUEST_TESTS:-$here}"/t-*.sh; do
	[[ -f $t ]] || continue
	name=$(basename "$t" .sh)
	if [[ $# -gt 0 ]]; then
		want=0
		for pat in "$@"; do [[ $name == *"$pat"* ]] && want=1; done
		[[ $want = 1 ]] || continue
	fi
	tests+=("$t")
done
[[ ${#tests[@]} -gt 0 ]] || fail "no tests in ${VFSD_GUEST_TESTS:-$here} match: ${*:-t-*.sh}"

mkdir -p "$VFSD_RESULTS/tests"
results=$VFSD_RESULTS/results
: >"$results"
passed=0 failed=0 skipped=0
failed_names=() lines=()
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	# A test that unloaded the module must not make the next one fail.
	if [[ -n $VFSD_MODULE && -f $VFSD_MODULE ]] && ! module_loaded; then
		# shellcheck disable=SC2086 # a list of parameters
		insmod "$VFSD_MODULE" $VFSD_MODULE_ARGS || log "insmod before $name failed"
	fi
	mark="vfsd-run-all: begin $name $$ $RANDOM"
	echo "<6>$mark" >/dev/kmsg
	echo "=== $name"
	start=$SECONDS
	# skip() in tests/lib/common.sh writes its reason here.
	export VFSD_SKIP_FILE=$VFSD_RESULTS/tests/$name.skip
	rm -f "$VFSD_SKIP_FILE"
	set +e
	# timeout signals the test's whole process group: its servers die with it.
	TEST_NAME=$name timeout -k 10 "$per_test" bash "$t" 2>&1 | tee "$VFSD_RESULTS/tests/$name.log"
	rc=${PIPESTATUS[0]}
	set -e
	secs=$((SECONDS - start))

	why=
	case $rc in
	0) status=PASS ;;
	77) status=SKIP why="exit status 77"
		[[ ! -s $VFSD_SKIP_FILE ]] || why=$(head -c 300 "$VFSD_SKIP_FILE") ;;
	124 | 137) status=FAIL why="timed out after ${per_test}s" ;;
	*) status=FAIL why="exit status $rc" ;;
	esac
	kerr=$(dmesg | awk -v m="$mark" 'found { print } index($0, m) { found = 1 }' |
		grep -aE -f "$KERNEL_ERRORS_RE" | head -n 5 || true)
	if [[ -n $kerr ]]; then
		status=FAIL
		why="${why:+$why; }kernel errors: $kerr"
	fi
	# Mounts left by a failed test would break the following tests.
	grep ' vfsd ' /proc/mounts | cut -d' ' -f2 | while read -r m; do
		umount -l "$m" 2>/dev/null && echo "[run-all] unmounted $m left by $name"
	done || true

	case $status in
	PASS) passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	FAIL) failed=$((failed + 1)); failed_names+=("$name") ;;
	esac
	echo "$status $name${why:+ ${why//[$'\n\r']/ }}" >>"$results"
	lines+=("$(printf '%-4s %-28s %5ss%s' "$status" "$name" "$secs" "${why:+  ($why)}")")
	echo "=== $status $name (${secs}s)${why:+: $why}"
done

echo
echo "=== guest tests on $VFSD_KERNEL kernel $(uname -r)"
printf '%s\n' "${lines[@]}"
echo "guest tests: $passed passed, $failed failed, $skipped skipped${failed_names[*]:+ (failed: ${failed_names[*]})}"
{
	echo "passed=$passed failed=$failed skipped=$skipped"
	echo "failed_tests=${failed_names[*]}"
} >"$VFSD_RESULTS/summary"
[[ $failed -eq 0 ]]
