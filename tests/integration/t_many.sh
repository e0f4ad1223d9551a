# Integration: as many virtio devices as keel allows (32: 31 disks and the rng) on both transports: the guest boots and passes, keel stays quiet.
# shellcheck shell=bash

md="$TMP/many"
mkdir -p "$md"
many=()
for i in $(seq 0 30); do
	truncate -s 1M "$md/d$i.img"
	many+=(--disk "$md/d$i.img")
done

# 31 disks and the rng: VIRTIO_MAX_DEVICES. IOAPIC inputs 16-23 are each shared by four devices;
# over MMIO there are 32 windows. Over PCI the disks are function 0 of slots 1-31 and the rng is
# function 1 of slot 1. The bundled guest's PCI scan (guest/drivers/pci.c) reads only function 0
# of each slot, which is fine for this test: it finds the 31 disks and skips its rng check; over
# MMIO it finds all 32 devices.
for t in mmio pci; do
	keel run --virtio-transport "$t" "${many[@]}" --rng
	expect_status "many/$t/status" 0
	check "many/$t/report" "no 'guest: N passed, 0 failed' line" grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
	check "many/$t/stderr-quiet" "keel printed to stderr" [ ! -s "$TMP/err" ]
	check "many/$t/all-disks" "the guest did not read the ids of 31 disks" \
		[ "$(grep -cE '^# virtio-blk [0-9]+ id "keel-disk[0-9]+"$' "$TMP/out")" -eq 31 ]
	check "many/$t/last-disk" "the guest did not see the 31st disk" out_has '# virtio-blk 30 id "keel-disk30"'
	if [ "$t" = mmio ]; then
		check "many/mmio/rng" "the guest did not find the 32nd device (the rng)" \
			grep -qE '^ok [0-9]+ - virtio/rng$' "$TMP/out"
	fi
done
