# Integration: the bundled guest's own virtio drivers (virtio/ checks) on both transports, the disk bytes it wrote, and hostile rings.
# shellcheck shell=bash

vg="$TMP/virtio-guest"
mkdir -p "$vg"

# The guest writes sector S of the first writable disk as the 32-byte line
# "keel-virtio-blk sector %08x\n" (S in hex) repeated 16 times (checks_virtio.c, sector_pattern).
sector_ok() {	# IMAGE SECTOR
	cmp -s <(dd if="$1" bs=512 skip="$2" count=1 status=none) \
		<(for _ in $(seq 16); do printf 'keel-virtio-blk sector %08x\n' "$2"; done)
}

vargs=(--disk "$vg/data.img,id=data" --disk "$vg/ro.img,readonly" --rng --cpus 2)
for t in pci mmio; do
	rm -f "$vg/data.img" "$vg/ro.img" "$vg/cons.$t"
	truncate -s 8M "$vg/data.img"
	truncate -s 1M "$vg/ro.img"
	echo "word$t" >"$vg/in.$t"
	keel run --virtio-transport "$t" "${vargs[@]}" --console "file:$vg/cons.$t,in=$vg/in.$t" \
		--cmdline "tests=virtio virtio-write=1 vblk-id=data vcons-input=word$t"
	expect_status "virtio-guest/$t/status" 0
	check "virtio-guest/$t/all-pass" "no 'guest: 16 passed, 0 failed'" out_has "guest: 16 passed, 0 failed"
	for c in blk-read blk-write blk-readonly blk-get-id console-write console-input rng; do
		check "virtio-guest/$t/$c" "not run or skipped" grep -qE "^ok [0-9]+ - virtio/$c\$" "$TMP/out"
	done
	check "virtio-guest/$t/get-id" "the id is not noted" out_has '# virtio-blk 0 id "data"'
	check "virtio-guest/$t/stderr-quiet" "keel printed to stderr" [ ! -s "$TMP/err" ]
	check "virtio-guest/$t/console-hello" "no hello line in the console file" \
		grep -qxF "virtio: console says hello" "$vg/cons.$t"
	last=$(( $(stat -c %s "$vg/data.img") / 512 - 1 ))
	for s in 0 $(( (last + 1) / 2 )) "$last"; do
		check "virtio-guest/$t/disk-sector-$s" "sector $s lacks the pattern" sector_ok "$vg/data.img" "$s"
	done
	check "virtio-guest/$t/disk-rest-zero" "bytes changed outside the three sectors" \
		cmp -s <(dd if="$vg/data.img" bs=512 skip=1 count=8191 status=none | tr -d '\0' | \
			tr -d 'keel-virtosc0123456789abcdef \n' | head -c1) /dev/null
	check "virtio-guest/$t/readonly-untouched" "the read-only image changed" \
		cmp -s "$vg/ro.img" <(head -c 1M /dev/zero)

	# Hostile rings: every check passes (NEEDS_RESET seen, the device works after a reset), keel exits
	# cleanly, and stderr names the violations, once per kind and device.
	keel run --virtio-transport "$t" "${vargs[@]}" --console "file:$vg/cons.$t" \
		--cmdline "tests=virtio/hostile-* virtio-hostile=1"
	expect_status "virtio-guest/$t/hostile/status" 0
	check "virtio-guest/$t/hostile/report" "no 'guest: 9 passed, 0 failed'" out_has "guest: 9 passed, 0 failed"
	check "virtio-guest/$t/hostile/needs-reset" "a check did not see NEEDS_RESET" \
		[ "$(grep -c 'after the bad ring, NEEDS_RESET' "$TMP/out")" -eq 9 ]
	for k in "descriptor loop" "buffer outside guest RAM" "buffer length overflows" \
		"buffer of the wrong direction" "available index jumped ahead"; do
		check "virtio-guest/$t/hostile/blk-$k" "stderr lacks one blk line for '$k'" \
			[ "$(grep -F "virtio-blk0: guest driver error" "$TMP/err" | grep -cF "$k")" -eq 1 ]
	done
	check "virtio-guest/$t/hostile/rng-lines" "stderr lacks the rng lines" \
		[ "$(grep -cF "virtio-rng0: guest driver error" "$TMP/err")" -eq 2 ]
	check "virtio-guest/$t/hostile/only-warnings" "stderr has other lines" \
		[ "$(grep -cvF "guest driver error" "$TMP/err")" -eq 0 ]
done
