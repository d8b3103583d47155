#!/bin/bash
# The test command: install what is missing, build, run the host unit
# tests, then the guest integration suite in a QEMU guest with the fresh
# module. Ends with one summary line.
#
# usage: ./run-tests.sh [--kernel stock|kdebug] [--unit-only] [PATTERN...]
#   --kernel kdebug  the suite on the KASAN/lockdep 6.1 kernel
#                    (../shared/kernels), module built in build-kdebug/
#   PATTERN          run only guest tests whose name contains it
set -uo pipefail
cd "$(dirname "$0")"
. tests/vm/common.sh

kernel=stock unit_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--unit-only) unit_only=1; shift ;;
	-h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \?//'; exit 0 ;;
	*) break ;;
	esac
done

tests/install-deps.sh || exit 1

build=$PWD/build
[ -d "$build" ] || meson setup "$build" || exit 1
meson compile -C "$build" || exit 1
guest_args=(--build "$build")
if [ "$kernel" = kdebug ]; then
	kdir=$(kdebug_kdir) || exit 1
	[ -d build-kdebug ] || meson setup build-kdebug -Dkdir="$kdir" || exit 1
	meson compile -C build-kdebug || exit 1
	guest_args=(--kernel kdebug --build "$build"
		--module "$PWD/build-kdebug/kmod/vfsd.ko" --timeout 3000)
fi

unit=0
meson test -C "$build" --suite unit --print-errorlogs || unit=1
[ "$unit" -eq 0 ] && echo "unit tests: passed" || echo "unit tests: FAILED"

guest=0
if [ "$unit_only" -eq 0 ]; then
	tests/vm/run-guest.sh "${guest_args[@]}" -- tests/guest/run-all.sh "$@" || guest=1
fi

if [ "$unit" -eq 0 ] && [ "$guest" -eq 0 ]; then
	echo "vfsd tests: PASS (unit + guest on $kernel kernel)"
	exit 0
fi
echo "vfsd tests: FAIL (unit: $([ $unit -eq 0 ] && echo ok || echo failed), guest: $([ $guest -eq 0 ] && echo ok || echo failed))"
exit 1
