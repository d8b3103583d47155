#!/bin/bash
# The fpga backend over the module, with the drivers a guest without a
# card has: mem (a MAP_SHARED card file) and xdma (a regular file standing
# in for both channels). Files written through the mount must land on the
# "card" at the offsets its extent map says (vfsd-fpga-inspect), and a
# restarted server must show the same tree. With an emulated card
# attached, the qemu driver too (data by edu DMA). VFSD_FPGA_HOST=1 runs it on
# the host, over whatever transport the server finds there.
set -euo pipefail
# shellcheck source=tests/guest/vfsd-test.sh
. "$(dirname "$0")/vfsd-test.sh"

INSPECT=$VFSD_BUILD/server/vfsd-fpga-inspect
if [[ -z ${VFSD_FPGA_HOST:-} ]]; then
	require_guest
	dmesg_mark
	load_module
fi
T=$(make_tmpdir)
MNT=$T/mnt
mkdir -p "$MNT"

serve() {	# driver args...
	"$VFSD_SERVER" --backend=fpga "$@" "$MNT" ||
		fail "vfsd-server --backend=fpga $* did not start"
	defer "umount -l '$MNT' 2>/dev/null || true"
}

stop() {
	umount "$MNT" || fail "umount"
	# The server marks the card clean on its way out.
	wait_for 20 card_clean || fail "the card is not marked clean after umount"
}

card_clean() { "$INSPECT" "${INSPECT_ARGS[@]}" 2>/dev/null | head -1 | grep -q ' clean$'; }

# Card byte offset of a root file's first byte, from an inspect listing.
card_offset_of() {	# map name
	local ino
	ino=$(awk -v n="$2" '$1 == "name" && $2 == 1 && $4 == n {print $3}' "$1")
	[[ -n $ino ]] && awk -v i="$ino" '$1 == "extent" && $2 == i && $3 == 0 && $4 == 0 {print $5}' "$1"
}

# Bytes of file (in the mount's last life) at each extent, on the card.
check_on_card() {	# card file name copy-of-file inspect-args...
	local card=$1 name=$2 copy=$3 ino n=0 size
	shift 3
	"$INSPECT" "$@" >"$T/map" || fail "vfsd-fpga-inspect $*"
	grep '^extent ' "$T/map" >"$T/extents" || true
	ino=$(awk -v n="$name" '$1 == "name" && $2 == 1 && $4 == n {print $3}' "$T/map")
	[[ -n $ino ]] || fail "$name not in the card's names"
	while read -r _ owner stream foff coff len; do
		[[ $owner == "$ino" && $stream == 0 ]] || continue
		# The last block holds the file's tail, then zeros.
		size=$(stat -c %s "$copy")
		((len <= size - foff)) || len=$((size - foff))
		# No process substitution: the guest has no /dev/fd.
		dd if="$copy" of="$T/want" iflag=skip_bytes,count_bytes \
			skip="$foff" count="$len" bs=64K status=none
		dd if="$card" of="$T/got" iflag=skip_bytes,count_bytes \
			skip="$coff" count="$len" bs=64K status=none
		cmp -s "$T/want" "$T/got" ||
			fail "$name: bytes at file offset $foff are not at card offset $coff"
		n=$((n + 1))
	done <"$T/extents"
	((n > 0)) || fail "$name has no extents on the card"
	log "ok: $name is on the card in $n extent(s)"
}

run_driver() {	# label card server-args...
	local label=$1 card=$2
	shift 2
	serve "$@"
	head -c 3000000 /dev/urandom >"$T/big"
	check "$label: write a file" cp "$T/big" "$MNT/big"
	check "$label: mkdir, small file, symlink" sh -c \
		"mkdir '$MNT/d' && echo hello >'$MNT/d/small' && ln -s d/small '$MNT/link'"
	sync
	stop
	check_on_card "$card" big "$T/big" "${INSPECT_ARGS[@]}"
	serve "$@"
	check "$label: big intact after restart" cmp "$T/big" "$MNT/big"
	check "$label: small intact" grep -qx hello "$MNT/d/small"
	check "$label: link intact" test "$(readlink "$MNT/link")" = d/small
	check "$label: rm frees space" rm "$MNT/big"
	stop
}

truncate -s 64M "$T/card-mem"
INSPECT_ARGS=(--card="$T/card-mem")
run_driver mem "$T/card-mem" --driver=mem --card="$T/card-mem" --stats="$T/mem-stats"
# The counters count: mem's transfers are the CPU's own copies.
n=$(server_stat "$T/mem-stats" data_cpu_from_card)
((n >= 3000000)) || fail "mem: data_cpu_from_card is '$n' after reading 3 MB back"

truncate -s 64M "$T/card-xdma"
INSPECT_ARGS=(--driver=xdma --h2c="$T/card-xdma" --c2h="$T/card-xdma")
run_driver xdma "$T/card-xdma" --driver=xdma --h2c="$T/card-xdma" --c2h="$T/card-xdma"

# The xdma driver against a stand-in with the real driver's semantics
# (tests/xdma-standin: the channels pin the caller's buffer, the CPU plays
# the engine). Over the module, file data moves by "DMA" straight between
# the card and the window's page-cache pages (the server asks for
# pinnable pages, VFSD_SETUP_PIN); the server itself copies no byte.
if [[ -z ${VFSD_FPGA_HOST:-} ]]; then
	standin=$(dirname "$VFSD_MODULE")/../tests/xdma-standin/xdma_standin.ko
	[[ -f $standin ]] || fail "no xdma stand-in module at $standin"
	! grep -q '^xdma_standin ' /proc/modules || rmmod xdma_standin ||
		fail "rmmod xdma_standin"
	insmod "$standin" card_mb=64 || fail "insmod $standin"
	defer "rmmod xdma_standin 2>/dev/null || true"
	XARGS=(--driver=xdma --h2c=/dev/xdma0_h2c_0 --c2h=/dev/xdma0_c2h_0 --size=64M)
	INSPECT_ARGS=("${XARGS[@]}")
	run_driver xdma-standin /dev/xdma0_c2h_0 "${XARGS[@]}"
	# Counted in one server life: written, dropped from the cache, read.
	serve "${XARGS[@]}" --stats="$T/xdma-stats"
	check "xdma-standin: write by DMA" cp "$T/big" "$MNT/big2"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	check "xdma-standin: read back by DMA" cmp "$T/big" "$MNT/big2"
	stop
	stop_stats() { server_stat "$T/xdma-stats" "$1"; }
	for d in to from; do
		n=$(stop_stats data_cpu_${d}_card)
		[[ $n == 0 ]] || fail "xdma-standin: the server copied '$n' bytes ${d} the card by CPU"
	done
	n=$(stop_stats data_dma_to_card)
	((n >= 3000000)) || fail "xdma-standin: only '$n' bytes went to the card by DMA"
	n=$(stop_stats data_dma_from_card)
	((n >= 3000000)) || fail "xdma-standin: only '$n' bytes came from the card by DMA"
	pinned=$(cat /sys/module/xdma_standin/parameters/pages_pinned)
	((pinned > 0)) || fail "xdma-standin: the stand-in pinned no page"
	log "ok: xdma stand-in: $(stop_stats data_dma_to_card) bytes to and $n from the card by pinned DMA, 0 by the server's CPU, $pinned pages pinned"
fi

# The emulated card (run-guest.sh --card): ivshmem BAR2 + edu DMA, the
# window's bus addresses from the module; a directly mapped file is card
# memory itself. Formatted: other tests use it.
if [[ -n ${VFSD_CARD_FILE:-} && -z ${VFSD_FPGA_HOST:-} ]]; then
	INSPECT_ARGS=(--driver=qemu)
	serve --driver=qemu --format
	head -c 100000 /dev/urandom >"$T/q"
	check "qemu: write a file by DMA" cp "$T/q" "$MNT/q"
	# A directly mapped file: write(2) goes straight to card memory.
	touch "$MNT/direct"
	check "qemu: mark a file direct" setfattr -n user.vfsd.direct -v 65536 "$MNT/direct"
	head -c 65536 /dev/urandom >"$T/dm"
	conn=$(vfsd_conn_of "$MNT")
	before=$(vfsd_counter "$conn" bytes_direct)
	check "qemu: write the direct file" dd if="$T/dm" of="$MNT/direct" bs=64K conv=notrunc status=none
	after=$(vfsd_counter "$conn" bytes_direct)
	((after - before >= 65536)) ||
		fail "qemu: the direct file's write did not go direct ($((after - before)) bytes)"
	check "qemu: read the direct file back" cmp "$T/dm" "$MNT/direct"

	# fio verify through the DMA path, small: QEMU's edu takes about
	# 100 ms a transfer, two per page (3 jobs x 1 MiB took 10 minutes, and
	# a close waiting on that writeback tripped the hung-task panic). The
	# module itself copies no file data on the way.
	stop
	serve --driver=qemu --stats="$T/qemu-stats"
	conn=$(vfsd_conn_of "$MNT")
	copied=$(vfsd_counter "$conn" bytes_copied)
	mapped=$(vfsd_counter "$conn" bytes_mapped)
	check "qemu: fio verify, buffered and O_DIRECT" fio --output=/dev/null \
		--directory="$MNT" --ioengine=psync --bs=4k --size=64k --verify=crc32c \
		--name=seq --rw=write --name=rand --rw=randwrite --bs=16k \
		--name=direct --rw=randwrite --direct=1 --bs=8k
	delta=$(($(vfsd_counter "$conn" bytes_copied) - copied))
	((delta == 0)) || fail "qemu: the module copied $delta bytes of file data"
	delta=$(($(vfsd_counter "$conn" bytes_mapped) - mapped))
	((delta >= 3 * 65536)) || fail "qemu: only $delta bytes went through the window"
	log "ok: fio verify on the card: $delta bytes mapped, 0 copied by the module"
	stop
	# And the server copied none either: every file byte went by edu DMA.
	for d in to from; do
		n=$(server_stat "$T/qemu-stats" data_cpu_${d}_card)
		[[ $n == 0 ]] || fail "qemu: the server copied '$n' bytes ${d} the card by CPU"
	done
	n=$(server_stat "$T/qemu-stats" data_dma_to_card)
	((n >= 3 * 65536)) || fail "qemu: only '$n' bytes went to the card by DMA"
	n=$(server_stat "$T/qemu-stats" data_dma_from_card)
	((n >= 65536)) || fail "qemu: only '$n' bytes came from the card by DMA"
	log "ok: the server moved $(server_stat "$T/qemu-stats" data_dma_to_card) bytes to and $n from the card by DMA, 0 by CPU"
	"$INSPECT" --driver=qemu >"$T/qmap" || fail "inspect --driver=qemu"
	grep -q '^extent ' "$T/qmap" || fail "qemu: no extents on the card"
	check_on_card "$VFSD_CARD_FILE" direct "$T/dm" --driver=qemu
	serve --driver=qemu
	check "qemu: the file read back by DMA after a restart" cmp "$T/q" "$MNT/q"
	check "qemu: the direct file intact after a restart" cmp "$T/dm" "$MNT/direct"

	# The direct file mapped by applications: stores reach card memory
	# without msync, two processes share them, read/write go straight to
	# the card; no request carries its data.
	dcoff=$(card_offset_of "$T/qmap" direct)
	[[ -n $dcoff ]] || fail "qemu: no extent at file offset 0 for direct"
	conn=$(vfsd_conn_of "$MNT")
	mapped=$(vfsd_counter "$conn" bytes_mapped)
	if ! "$VFSD_BUILD/tests/guest/dmapcheck" check "$MNT/direct" "$VFSD_CARD_FILE" "$dcoff" >"$T/dmap"; then
		sed 's/^/    /' "$T/dmap"
		fail "qemu: dmapcheck on the direct file found failures"
	fi
	delta=$(($(vfsd_counter "$conn" bytes_mapped) - mapped))
	((delta == 0)) || fail "qemu: $delta bytes of the direct file went through the window"
	log "ok: the direct file at card offset $dcoff: $(grep -c '^ok ' "$T/dmap") dmapcheck checks"

	# Card memory changed behind the server's back: once the kernel drops
	# its cached pages, the mount reads the new bytes (by DMA).
	coff=$(card_offset_of "$T/qmap" q)
	[[ -n $coff ]] || fail "qemu: no extent at file offset 0 for q"
	printf CHANGED-ON-THE-CARD | dd of="$VFSD_CARD_FILE" bs=1 seek="$coff" conv=notrunc,fsync status=none
	echo 3 >/proc/sys/vm/drop_caches
	check "qemu: the mount sees bytes changed on the card" \
		test "$(head -c 19 "$MNT/q")" = CHANGED-ON-THE-CARD
	stop

	# A DMA engine that does not finish in time (edu takes ~100 ms, the
	# limit is 1 ms): file data fails with EIO at once, nothing hangs, the
	# engine is fenced off, and a restarted server works again.
	serve --driver=qemu --dma-timeout=1 --stats="$T/slow-stats"
	rc=0
	timeout 120 cat "$MNT/q" >/dev/null 2>"$T/err" || rc=$?
	((rc != 0 && rc != 124)) || fail "qemu: a read with a timed-out DMA gave rc $rc"
	grep -q "Input/output error" "$T/err" || fail "qemu: the read failed with '$(cat "$T/err")', not EIO"
	rc=0
	timeout 120 dd if=/dev/urandom of="$MNT/late" bs=4k count=2 conv=fsync status=none 2>"$T/err" || rc=$?
	((rc != 0 && rc != 124)) || fail "qemu: a write with a timed-out DMA gave rc $rc"
	grep -q "Input/output error" "$T/err" || fail "qemu: the write failed with '$(cat "$T/err")', not EIO"
	check "qemu: names still work with the engine off" ls "$MNT/q" "$MNT/direct"
	stop
	n=$(server_stat "$T/slow-stats" transfer_errors)
	((n >= 2)) || fail "qemu: transfer_errors is '$n' after two failed transfers"
	serve --driver=qemu
	check "qemu: a restarted server reads by DMA again" \
		cmp -s -i 19 "$T/q" "$MNT/q"
	log "ok: a timed-out DMA failed with EIO ($n transfer errors), the next server recovered"
	stop
else
	log "no emulated card: qemu driver not checked"
fi

[[ -n ${VFSD_FPGA_HOST:-} ]] || dmesg_check
log "ok"
