# Integration: the four Multiboot test kernels (tests/multiboot/) boot through the real binary and print what keel handed over, field by field as keel meant it; QEMU boots the Multiboot 1 ones and agrees on every field that does not depend on the machine; bad Multiboot images get one line and status 2.
# shellcheck shell=bash
# shellcheck disable=SC2154  # here: set by run.sh, which sources this file

MB_OUT=${MB_OUT:-build/multiboot}
mb="$TMP/multiboot"
mkdir -p "$mb"
# the modules: known bytes, their FNV-1a (what the kernels print)
head -c 3000 /dev/urandom >"$mb/one.bin"
head -c 20000 /dev/urandom >"$mb/two.bin"
fnv() { python3 -c 'import sys
h = 0x811c9dc5
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x01000193) & 0xffffffff
print("0x%08x" % h)' "$1"; }
fnv_one=$(fnv "$mb/one.bin")
fnv_two=$(fnv "$mb/two.bin")
version=$("$KEEL" --version | sed -n 's/^keel //p')
mb_cmdline="mb test x=1 y"

# mb_line PREFIX : the one output line that starts with PREFIX (empty when none)
mb_line() { grep -m1 -F -- "$1" "$TMP/out" | tr -d '\r'; }
# mb_expect NAME LINE : the output has LINE exactly (a whole line); mb_expect_q LINE: the test of it
mb_expect() { check "$1" "no line '$2'" grep -qxF -- "$2" <(tr -d '\r' <"$TMP/out"); }
mb_expect_q() { grep -qxF -- "$1" <(tr -d '\r' <"$TMP/out"); }

# mb_modules_in_order : module 0 starts at or above 1 MiB, module 1 after module 0's end
mb_modules_in_order() {
	local s0 e0 s1
	read -r s0 e0 < <(sed -nE 's/^module 0: start (0x[0-9a-f]+) end (0x[0-9a-f]+) .*/\1 \2/p' "$TMP/out")
	s1=$(sed -nE 's/^module 1: start (0x[0-9a-f]+) .*/\1/p' "$TMP/out")
	[ -n "$s0" ] && [ -n "$s1" ] && ((s0 >= 0x100000 && s1 >= e0))
}

# mb_common NAME KERNEL MAGIC : the fields every kernel prints, as keel meant them
mb_common() {
	local n=$1 k=$2 magic=$3
	expect_status "$n/status" 1
	mb_expect "$n/done" "mbtest: done"
	mb_expect "$n/magic" "magic: $magic"
	mb_expect "$n/info-address" "info: 0x00006000"
	mb_expect "$n/cr0" "cr0: 0x00000011 pe 1 pg 0"
	mb_expect "$n/eflags" "eflags: 0x00000002 if 0 vm 0"
	mb_expect "$n/selectors" "selectors: cs 0x0010 ds 0x0018 es 0x0018 fs 0x0018 gs 0x0018 ss 0x0018"
	mb_expect "$n/flat" "flat: yes"
	mb_expect "$n/a20" "a20: on"
	mb_expect "$n/cmdline" "cmdline: $k $mb_cmdline"
	mb_expect "$n/loader" "loader: keel $version"
	mb_expect "$n/mem_lower" "mem_lower: 640"
	mb_expect "$n/mem_upper" "mem_upper: $(((64 - 1) * 1024))"
	check "$n/mmap" "the memory map is not keel's for 64 MiB: $(grep '^mmap:' "$TMP/out" | tr '\n' ' ')" \
		diff <(grep '^mmap:' "$TMP/out" | tr -d '\r') - <<EOF
mmap: base 0x0000000000000000 length 0x00000000000a0000 type 1
mmap: base 0x00000000000a0000 length 0x0000000000060000 type 2
mmap: base 0x0000000000100000 length 0x0000000003f00000 type 1
EOF
	mb_expect "$n/modules" "modules: 2"
	check "$n/module-0" "module 0: $(mb_line 'module 0:')" grep -qE \
		"^module 0: start 0x[0-9a-f]{8} end 0x[0-9a-f]{8} size 3000 fnv $fnv_one page-aligned yes string $mb/one.bin\$" "$TMP/out"
	check "$n/module-1" "module 1: $(mb_line 'module 1:')" grep -qE \
		"^module 1: start 0x[0-9a-f]{8} end 0x[0-9a-f]{8} size 20000 fnv $fnv_two page-aligned yes string $mb/two.bin\$" "$TMP/out"
	check "$n/modules-in-order" "modules overlap or are out of order: $(grep '^module' "$TMP/out" | tr '\n' ' ')" \
		mb_modules_in_order
	check "$n/one-line-of-stderr-at-most" "stderr: $(head -c 300 "$TMP/err")" [ "$(grep -vc 'debug-exit' "$TMP/err")" -eq 0 ]
}

# mb_rsdp NAME : the ACPI RSDP copies of a Multiboot 2 boot (keel's RSDP is revision 2)
mb_rsdp() {
	mb_expect "$1/rsdp-old" "rsdp_old: signature RSD PTR  revision 2 oem KEEL   length 20 checksum ok"
	mb_expect "$1/rsdp-new" "rsdp_new: signature RSD PTR  revision 2 oem KEEL   length 36 checksum ok"
	check "$1/info-aligned" "total_size line: $(mb_line total_size)" grep -qE '^total_size: [0-9]+ aligned yes' "$TMP/out"
	check "$1/no-framebuffer" "a framebuffer tag" out_lacks "tag: type 8 "
}

mb_boot() { keel run --kernel "$1" --mem 64M --cpus 2 --cmdline "$mb_cmdline" --initrd "$mb/one.bin" --initrd "$mb/two.bin"; }

for k in mb1-elf.elf mb1-aout.bin mb2-elf32.elf mb2-elf64.elf; do
	if [ ! -s "$MB_OUT/$k" ]; then
		fail "multiboot/$k/built" "$MB_OUT/$k is missing (make $MB_OUT/$k)"
		continue
	fi
done

mb_boot "$MB_OUT/mb1-elf.elf"
mb_common multiboot/mb1-elf "$MB_OUT/mb1-elf.elf" 0x2badb002
mb_expect multiboot/mb1-elf/flags "flags: 0x0000024d"
cp "$TMP/out" "$mb/keel-mb1-elf.out"

mb_boot "$MB_OUT/mb1-aout.bin"
mb_common multiboot/mb1-aout "$MB_OUT/mb1-aout.bin" 0x2badb002
cp "$TMP/out" "$mb/keel-mb1-aout.out"

mb_boot "$MB_OUT/mb2-elf32.elf"
mb_common multiboot/mb2-elf32 "$MB_OUT/mb2-elf32.elf" 0x36d76289
mb_rsdp multiboot/mb2-elf32
check multiboot/mb2-elf32/runs-high "kernel_main line: $(mb_line kernel_main)" grep -qE '^kernel_main: 0xc01[0-9a-f]{5}$' "$TMP/out"

mb_boot "$MB_OUT/mb2-elf64.elf"
mb_common multiboot/mb2-elf64 "$MB_OUT/mb2-elf64.elf" 0x36d76289
mb_rsdp multiboot/mb2-elf64
mb_expect multiboot/mb2-elf64/load-base "load_base: 0x00100000"
check multiboot/mb2-elf64/not-the-elf-entry "entered at the ELF entry instead of the entry tag's" out_lacks "!"

# More RAM than fits below 4 GiB: the map and mem_upper follow keel's layout (3 GiB low, the rest at 4 GiB).
keel run --kernel "$MB_OUT/mb1-elf.elf" --mem 4G --cmdline "$mb_cmdline"
expect_status multiboot/4g/status 1
mb_expect multiboot/4g/mem_upper "mem_upper: $(((3 * 1024 - 1) * 1024))"
mb_expect multiboot/4g/mmap-low "mmap: base 0x0000000000100000 length 0x00000000bff00000 type 1"
mb_expect multiboot/4g/mmap-high "mmap: base 0x0000000100000000 length 0x0000000040000000 type 1"
mb_expect multiboot/4g/no-modules "modules: 0"
# forced by name, and a kernel with one header refused by the other protocol
keel run --kernel "$MB_OUT/mb2-elf64.elf" --boot-protocol multiboot2 --mem 64M
expect_status multiboot/forced-multiboot2 1
keel run --kernel "$MB_OUT/mb2-elf64.elf" --boot-protocol multiboot --mem 64M
check multiboot/forced-wrong-version "status $STATUS, stderr: $(head -c 300 "$TMP/err")" \
	eval 'status_is 2 && err_lines 1 && err_has "no Multiboot header (magic 0x1badb002"'

# gdb: a breakpoint on the higher-half kernel's kernel_main (0xc01xxxxx), set while the vCPU is
# held at the 32-bit entry with paging off (keel plants it through the image map), stops there once
# the kernel has paged itself in. gdb takes the ELF32 symbols on top of keel's x86-64 target; the
# helper decodes 32-bit code as 32-bit; the monitor answers in both modes; the kernel's own int3
# (cmdline "int3": it has no IDT) is reported to gdb after `monitor int3 report`, and it goes on.
# shellcheck disable=SC2016 # $pc, $cr0 and $N are gdb's, not the shell's
if command -v gdb >/dev/null; then
	sock="$mb/gdb.sock"
	timeout -k 5 "$LIMIT" "$KEEL" run -v --kernel "$MB_OUT/mb2-elf32.elf" --mem 64M --cmdline int3 \
		--gdb "unix:$sock" --gdb-wait </dev/null >"$TMP/out" 2>"$TMP/err" &
	kpid=$!
	for _ in $(seq 100); do grep -qF "listening on unix:" "$TMP/err" && break; sleep 0.1; done
	timeout -k 5 120 gdb -batch -nx -x "$here/../../vmm/gdb/keel-gdb.py" -ex 'set pagination off' \
		-ex 'set confirm off' -ex "target remote $sock" -ex 'print/x $pc' -ex "add-symbol-file $MB_OUT/mb2-elf32.elf" \
		-ex 'print $mode' -ex 'x/2i $pc' -ex 'monitor mode' -ex 'monitor walk 0xc0100000' \
		-ex 'break kernel_main' -ex 'continue' -ex 'print/x $pc' -ex 'print/x $cr0' -ex 'print $mode' \
		-ex 'x/1i $pc' -ex 'monitor mode' -ex 'monitor walk $pc' -ex 'monitor mem' -ex 'monitor int3 report' \
		-ex 'delete' -ex 'continue' -ex 'x/1i $pc - 1' -ex 'continue' </dev/null >"$mb/gdb" 2>&1
	wait "$kpid"
	STATUS=$?
	mbg() { grep -qE -- "$1" "$mb/gdb"; }
	check multiboot/gdb/held-at-entry "first pc: $(grep -m1 '^\$1' "$mb/gdb")" mbg '^\$1 = 0x1000[0-9a-f]{2}$'
	check multiboot/gdb/entry-mode-32 "\$mode at the entry: $(grep -m1 '^\$2' "$mb/gdb")" mbg '^\$2 = 32$'
	check multiboot/gdb/entry-decodes-32-bit "x/i at the entry is not 32-bit code" \
		mbg '^=> 0x1000[0-9a-f]{2}:[[:space:]]+mov +%eax,0x'
	check multiboot/gdb/monitor-mode-prot32 "monitor mode at the entry" mbg '^mode: prot32 arch=i386$'
	check multiboot/gdb/monitor-walk-paging-off "monitor walk with paging off" \
		mbg 'paging is off .*linear 0xc0100000 is physical 0xc0100000 \(identity\)'
	check multiboot/gdb/break-kernel_main "no stop at kernel_main: $(grep -i -m2 'breakpoint\|error' "$mb/gdb" | tr '\n' ' ')" \
		mbg '^Breakpoint 1, 0x00000000c01[0-9a-f]{5} in kernel_main'
	check multiboot/gdb/paging-on-there "cr0: $(grep -m1 '^\$4' "$mb/gdb")" mbg '^\$4 = 0x80000011$'
	check multiboot/gdb/compat-mode-32 "\$mode at kernel_main: $(grep -m1 '^\$5' "$mb/gdb")" mbg '^\$5 = 32$'
	check multiboot/gdb/kernel_main-decodes-32-bit "x/i at kernel_main is not 32-bit code" \
		mbg '^=> 0xc01[0-9a-f]{5} <kernel_main>:[[:space:]]+push +%ebp$'
	check multiboot/gdb/monitor-mode-compat32 "monitor mode at kernel_main" mbg '^mode: compat32 arch=i386$'
	mb_kpc=$(sed -nE 's/^\$3 = 0xc0(1[0-9a-f]{5})$/\1/p' "$mb/gdb")
	check multiboot/gdb/monitor-walk "the walk of kernel_main does not end at its load address (0x$mb_kpc)" \
		eval "[ -n '$mb_kpc' ] && grep -qE '^  -> physical 0x$mb_kpc ' '$mb/gdb'"
	check multiboot/gdb/monitor-mem "monitor mem does not map 0xc0000000 to physical 0" \
		mbg '^0x00000000c0000000-0x0000000100000000 size 0x40000000 +phys 0x000000000000 -rwx-$'
	check multiboot/gdb/int3-reported "the kernel's own int3 did not reach gdb as SIGTRAP" \
		eval "mbg 'received signal SIGTRAP' && mbg '<kernel_main\\+[0-9]+>:[[:space:]]+int3$'"
	check multiboot/gdb/int3-goes-on "the kernel did not go on after its int3" mb_expect_q "int3: after"
	expect_status multiboot/gdb/runs-to-the-end 1
	mb_expect multiboot/gdb/done "mbtest: done"
else
	fail "multiboot/gdb/available" "gdb is not installed (mk/deps.sh test installs it)"
fi

# QEMU's -kernel boots the Multiboot 1 kernels; every field that does not depend on the machine agrees.
# mb_portable FILE : those fields (module addresses, the memory map, the loader, selectors and PF/ZF dropped)
mb_portable() {
	tr -d '\r' <"$1" | sed -nE \
		-e '/^(magic|cmdline|flat|a20|modules|version):/p' \
		-e 's/^cr0: 0x[0-9a-f]{8} (pe . pg .)$/cr0: \1/p' \
		-e 's/^eflags: 0x[0-9a-f]{8} (if . vm .)$/eflags: \1/p' \
		-e 's/^(module [0-9]+): start 0x[0-9a-f]{8} end 0x[0-9a-f]{8} (.*)$/\1: \2/p'
}
if command -v qemu-system-x86_64 >/dev/null; then
	for k in mb1-elf.elf mb1-aout.bin; do
		timeout -k 5 "$LIMIT" qemu-system-x86_64 -accel tcg -machine pc -m 64M -nodefaults -no-user-config \
			-display none -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
			-kernel "$MB_OUT/$k" -initrd "$mb/one.bin,$mb/two.bin" -append "$mb_cmdline" \
			</dev/null >"$TMP/out" 2>"$TMP/err"
		STATUS=$?
		expect_status "multiboot/qemu/$k/status" 1
		mb_expect "multiboot/qemu/$k/done" "mbtest: done"
		mb_portable "$TMP/out" >"$mb/qemu.fields"
		mb_portable "$mb/keel-${k%.*}.out" >"$mb/keel.fields"
		check "multiboot/qemu/$k/fields-counted" "too few fields: $(wc -l <"$mb/qemu.fields")" \
			[ "$(wc -l <"$mb/qemu.fields")" -ge 10 ]
		check "multiboot/qemu/$k/agrees-with-keel" "$(diff "$mb/keel.fields" "$mb/qemu.fields" | tr '\n' ' ')" \
			cmp -s "$mb/keel.fields" "$mb/qemu.fields"
	done
else
	echo "# SKIP multiboot/qemu: qemu-system-x86_64 is not installed; keel's Multiboot 1 kernels are NOT compared with QEMU (mk/deps.sh test installs it)"
	fail "multiboot/qemu/available" "qemu-system-x86_64 is not installed (mk/deps.sh test installs it)"
fi

# Bad Multiboot images: one line on stderr naming what is wrong, exit status 2.
# mbpatch SRC DST OP [ARGS] : a copy of SRC with one thing broken (the header found by its magic)
mbpatch() {
	python3 - "$@" <<'EOF'
import struct, sys
src, dst, op, *args = sys.argv[1:]
b = bytearray(open(src, "rb").read())
def find(magic, window, align):
    for o in range(0, min(len(b), window) - 3, align):
        if struct.unpack_from("<I", b, o)[0] == magic:
            return o
    raise SystemExit("no magic in " + src)
def word(o, i, v=None):
    if v is None:
        return struct.unpack_from("<I", b, o + 4 * i)[0]
    struct.pack_into("<I", b, o + 4 * i, v & 0xffffffff)
if op.startswith("mb1"):
    h = find(0x1BADB002, 8192, 4)
    if op == "mb1-checksum":
        word(h, 2, word(h, 2) ^ 1)
    elif op == "mb1-flags-or":
        word(h, 1, word(h, 1) | int(args[0], 0))
        word(h, 2, -(word(h, 0) + word(h, 1)))
    elif op == "mb1-field":	# an address field (3..7): the checksum does not cover it
        word(h, int(args[0]), int(args[1], 0))
elif op.startswith("mb2"):
    h = find(0xE85250D6, 32768, 8)
    if op == "mb2-length":
        word(h, 2, int(args[0], 0))
    elif op in ("mb2-tag-size", "mb2-tag-flags"):
        t = h + 16
        while struct.unpack_from("<H", b, t)[0] != int(args[0]):
            t += (struct.unpack_from("<I", b, t + 4)[0] + 7) & ~7
        if op == "mb2-tag-size":
            struct.pack_into("<I", b, t + 4, int(args[1], 0))
        else:
            struct.pack_into("<H", b, t + 2, int(args[1], 0))
    word(h, 3, -(word(h, 0) + word(h, 1) + word(h, 2)))
elif op == "truncate":
    del b[int(args[0], 0):]
open(dst, "wb").write(b)
EOF
}

# mbbad NAME NEEDLE KERNEL [ARGS] : keel must exit 2 with one stderr line containing NEEDLE
mbbad() {
	local name=$1 needle=$2 k=$3
	shift 3
	keel run --kernel "$k" "$@"
	if ! status_is 2; then fail "multiboot/bad/$name" "exit status $STATUS, expected 2"
	elif ! err_lines 1; then fail "multiboot/bad/$name" "expected one line on stderr, got: $(head -c 400 "$TMP/err")"
	elif ! err_has "$needle"; then fail "multiboot/bad/$name" "stderr lacks '$needle': $(cat "$TMP/err")"
	else pass "multiboot/bad/$name"; fi
}

b="$mb/bad"
mkdir -p "$b"
mbpatch "$MB_OUT/mb1-elf.elf" "$b/checksum" mb1-checksum
mbbad checksum "bad checksum" "$b/checksum"
mbpatch "$MB_OUT/mb1-elf.elf" "$b/flags" mb1-flags-or 0x8
mbbad unknown-required-flags "require features keel does not know (bits 0x0008" "$b/flags"
mbpatch "$MB_OUT/mb1-elf.elf" "$b/video" mb1-flags-or 0x4
mbbad video-mode-required "keel has no display" "$b/video"
mbpatch "$MB_OUT/mb1-aout.bin" "$b/aout-end" mb1-field 5 0x00200000
mbbad aout-load-end-past-file "load_end_addr 0x200000 asks for" "$b/aout-end"
mbpatch "$MB_OUT/mb1-aout.bin" "$b/aout-load" mb1-field 4 0x00100100
mbbad aout-load-above-header "load_addr 0x100100 is above header_addr 0x100000" "$b/aout-load"
mbpatch "$MB_OUT/mb1-aout.bin" "$b/aout-bss" mb1-field 6 0x00100010
mbbad aout-bss-before-end "bss_end_addr 0x100010 is below the end of the loaded part" "$b/aout-bss"
python3 - "$MB_OUT/mb1-aout.bin" "$b/aout-high" <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
h, l, e, s, n = struct.unpack_from("<5I", b, 12)
d = 0x80000000 - 0x100000	# the same image 2 GiB higher
struct.pack_into("<5I", b, 12, h + d, l + d, e + d, s + d, n + d)
open(sys.argv[2], "wb").write(b)
EOF
mbbad load-outside-ram "is not in the guest's RAM" "$b/aout-high"
mbpatch "$MB_OUT/mb1-aout.bin" "$b/aout-entry" mb1-field 7 0x00050000
mbbad entry-outside-image "entry_addr 0x50000 is outside the executable part" "$b/aout-entry"
mbpatch "$MB_OUT/mb2-elf32.elf" "$b/mb2-length" mb2-length 0x100000
mbbad mb2-header-length "header_length 1048576 runs past" "$b/mb2-length"
mbpatch "$MB_OUT/mb2-elf32.elf" "$b/mb2-short" mb2-length 16
mbbad mb2-header-too-short "header_length 16 is too short" "$b/mb2-short"
mbpatch "$MB_OUT/mb2-elf32.elf" "$b/mb2-tag" mb2-tag-size 1 4
mbbad mb2-tag-size "size 4 is smaller than a tag header" "$b/mb2-tag"
mbpatch "$MB_OUT/mb2-elf32.elf" "$b/mb2-tag-long" mb2-tag-size 1 0x4000
mbbad mb2-tag-past-header "runs past header_length" "$b/mb2-tag-long"
mbpatch "$MB_OUT/mb2-elf32.elf" "$b/mb2-fb" mb2-tag-flags 5 0
mbbad mb2-framebuffer-required "framebuffer tag is not optional and keel has no display" "$b/mb2-fb"
mbpatch "$MB_OUT/mb2-elf64.elf" "$b/mb2-entry" mb2-tag-size 3 16
mbbad mb2-entry-tag-size "size 16, expected 12" "$b/mb2-entry"
mbpatch "$MB_OUT/mb1-elf.elf" "$b/trunc-header" truncate 0x1008
mbbad truncated-header "truncated: the Multiboot header at offset 0x1000 needs 12 bytes" "$b/trunc-header"
mbpatch "$MB_OUT/mb2-elf32.elf" "$b/trunc-elf" truncate 0x1800
mbbad truncated-elf "truncated: segment 0 ends at file offset" "$b/trunc-elf"
mbpatch "$MB_OUT/mb1-aout.bin" "$b/trunc-aout" truncate 0x1000
mbbad truncated-aout "but the file has 0x1000 bytes" "$b/trunc-aout"
truncate -s 5M "$b/big.bin"
mbbad module-too-big "big.bin: the 5 MiB module does not fit in guest RAM" "$MB_OUT/mb1-elf.elf" --mem 4M --initrd "$b/big.bin"
