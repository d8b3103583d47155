#!/bin/bash
# The module under test is loaded (/sys/module/vfsd, /dev/vfsd, the vfsd
# filesystem type) and unloads and loads again without kernel complaints.
set -euo pipefail
# shellcheck source=tests/guest/lib.sh
. "$(dirname "$0")/lib.sh"

require_guest
dmesg_mark
load_module
check "/sys/module/vfsd exists" test -d /sys/module/vfsd
check "/dev/vfsd is a character device" test -c /dev/vfsd
check "vfsd is a registered filesystem type" grep -qw vfsd /proc/filesystems
unload_module
check "/dev/vfsd is gone after rmmod" test ! -e /dev/vfsd
load_module
check "/dev/vfsd is back after insmod" test -c /dev/vfsd
dmesg_check
log "ok: no kernel errors"
