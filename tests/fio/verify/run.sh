#!/bin/bash
# Run fio verify jobs on a directory: every job writes, reads back and
# checks each block. Fails if fio fails, a job reports an error, or a job
# that should verify read back less than it wrote (so it did not verify).
#
# usage: tests/fio/verify/run.sh [-o OUTDIR] DIR [JOB.fio...]
#   DIR     the directory under test (tmpfs, a vfsd mount, ...); the jobs
#           see it as ${VFSD_FIO_DIR}; emptied after each job file
#   JOB     job files (default: every *.fio next to this script)
#   OUTDIR  where NAME.json and NAME.log go (default: a temp dir, printed);
#           fio runs there, so its *-verify.state files land there too
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=
while getopts o: o; do
	case $o in
	o) out=$OPTARG ;;
	*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \?//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[[ $# -ge 1 ]] || { sed -n '2,/^set /p' "$0" | sed '$d; s/^# \?//' >&2; exit 2; }
dir=$1
shift
jobs=("$@")
[[ ${#jobs[@]} -gt 0 ]] || jobs=("$here"/*.fio)
[[ -d $dir ]] || { echo "run.sh: $dir is not a directory" >&2; exit 2; }
[[ -n $out ]] || out=$(mktemp -d /tmp/fio-verify.XXXXXX)
mkdir -p "$out"
out=$(cd "$out" && pwd)
for i in "${!jobs[@]}"; do jobs[i]=$(realpath "${jobs[i]}"); done
export VFSD_FIO_DIR=$dir

# Per job: no error; unless it only writes for a later job to verify
# (do_verify=0), it read back at least what it wrote.
check_json() {
	python3 - "$1" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
text = text[text.index('{'):] if text.startswith('{') else text[text.index('\n{') + 1:]
doc = json.loads(text)
bad = 0
for j in doc['jobs']:
    opts = dict(doc.get('global options', {}), **j.get('job options', {}))
    w, r = j['write']['io_bytes'], j['read']['io_bytes']
    verifies = opts.get('do_verify', '1') != '0'
    why = ('error %d' % j['error'] if j['error'] else
           'read back %d of %d bytes' % (r, w) if verifies and (r == 0 or r < w) else '')
    if why:
        bad += 1
    print('  %-34s wrote %9d read %9d %s' % (j['jobname'], w, r, 'FAIL: ' + why if why else 'ok'))
sys.exit(1 if bad else 0)
PY
}

failed=0
for job in "${jobs[@]}"; do
	name=$(basename "$job" .fio)
	start=$SECONDS
	rc=0
	(cd "$out" && exec fio --output-format=json --output="$name.json" \
		"$job") >"$out/$name.log" 2>&1 || rc=$?
	if [[ $rc -ne 0 ]]; then
		echo "FAIL $name: fio exit $rc ($((SECONDS - start)) s)"
		sed 's/^/  /' "$out/$name.log" | tail -20
		check_json "$out/$name.json" 2>/dev/null || true
		failed=1
	elif check_json "$out/$name.json" >"$out/$name.check"; then
		echo "ok $name ($((SECONDS - start)) s)"
	else
		echo "FAIL $name: a job did not verify"
		cat "$out/$name.check"
		failed=1
	fi
	find "$dir" -mindepth 1 -delete
done
echo "fio verify: results in $out"
exit "$failed"
