# shellcheck shell=bash
# What the host tests (tests/host/lib.sh) and the guest tests
# (tests/guest/lib.sh) share: the project's paths, log/fail/skip, checks,
# polling, cleanups at exit and scratch directories. The guest sees the
# host's / over 9p, so both source this same file from their lib.sh.
#
# Exit status of a test: 0 pass, 77 skip, anything else fail.
set -euo pipefail

VFSD_PROJECT=${VFSD_PROJECT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VFSD_BUILD=${VFSD_BUILD:-$VFSD_PROJECT/build}
VFSD_RESULTS=${VFSD_RESULTS:-/tmp}
VFSD_SERVER=${VFSD_SERVER:-$VFSD_BUILD/server/vfsd-server}
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}

log() { echo "[$TEST_NAME] $*"; }
fail() { echo "[$TEST_NAME] FAIL: $*" >&2; exit 1; }
# skip REASON: exit 77; the runner reads REASON from $VFSD_SKIP_FILE.
skip() {
	echo "[$TEST_NAME] SKIP: $*"
	[[ -z ${VFSD_SKIP_FILE:-} ]] || echo "$*" >"$VFSD_SKIP_FILE" || true
	exit 77
}

# check DESCRIPTION CMD [ARG...]: run CMD, fail the test if it fails.
check() {
	local what=$1
	shift
	if "$@"; then
		log "ok: $what"
	else
		fail "$what (status $?: $*)"
	fi
}

# check_fails DESCRIPTION CMD [ARG...]: CMD must fail.
check_fails() {
	local what=$1
	shift
	if "$@"; then
		fail "$what (unexpectedly succeeded: $*)"
	fi
	log "ok: $what"
}

# wait_for SECS CMD [ARG...]: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

# Cleanups run in reverse order when the test exits, pass or fail, so a
# failed test does not leave mounts or servers that break the next one.
_deferred=()
defer() { _deferred+=("$1"); }
_run_deferred() {
	local rc=$? i
	for ((i = ${#_deferred[@]} - 1; i >= 0; i--)); do
		eval "${_deferred[i]}" || log "cleanup failed: ${_deferred[i]}"
	done
	return "$rc"
}
trap _run_deferred EXIT

# tmp_dir VAR: a fresh world-readable directory under /tmp in VAR,
# removed at exit.
tmp_dir() {
	local d
	d=$(mktemp -d "/tmp/$TEST_NAME.XXXXXX")
	chmod 755 "$d"
	defer "rm -rf '$d'"
	printf -v "$1" %s "$d"
}

# make_tmpdir: the same, printed (in the guest /tmp is its tmpfs). Called
# as $(make_tmpdir) its cleanup is registered in the subshell: prefer
# tmp_dir.
make_tmpdir() {
	local d
	d=$(mktemp -d "/tmp/$TEST_NAME.XXXXXX")
	defer "rm -rf '$d'"
	echo "$d"
}
