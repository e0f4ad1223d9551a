# Integration: gdb's monitor commands (qRcmd) through the real binary, on the bundled guest stopped in 64-bit code (exit=gdbtest).
# shellcheck shell=bash

if ! command -v gdb >/dev/null; then
	fail "gdb-monitor/available" "gdb is not installed (mk/deps.sh test installs it)"
	return 0
fi

mon_port=$((30000 + $$ % 20000))
while (: >"/dev/tcp/127.0.0.1/$mon_port") 2>/dev/null; do mon_port=$((mon_port + 1)); done

# mon_gdb OUTFILE COMMAND... : one gdb -batch session against keel on mon_port
mon_gdb() {
	local out=$1 c
	local -a ex=()
	shift
	for c in "$@"; do ex+=(-ex "$c"); done
	timeout -k 5 "${KEEL_GDB_TIMEOUT:-120}" gdb -batch -nx "$GUEST_ELF" -ex 'set pagination off' \
		-ex 'set confirm off' -ex "target remote :$mon_port" "${ex[@]}" </dev/null >"$out" 2>&1
}
# mon_has FILE TEXT, mon_has_re FILE REGEX
mon_has() { grep -qF -- "$2" "$1"; }
mon_has_re() { grep -qE -- "$2" "$1"; }
# walk_pa FILE VADDR : the physical address 'monitor walk VADDR' ended at
walk_pa() {
	awk -v w="walk $2:" 'index($0, w) == 1 { on = 1 } on && /-> physical/ { print $3; exit }' "$1"
}
# bytes_of_x FILE : the bytes of gdb's first 'x/8xb' line, as "c3 66 ..."
bytes_of_x() { grep -m1 -E '^0x[0-9a-f]+ <[^>]+>:' "$1" | cut -f2- | sed -e 's/0x//g' -e 's/\t/ /g'; }
# bytes_of_phys FILE PA : the first 8 bytes 'monitor phys read PA' printed
bytes_of_phys() {
	local pa
	pa=$(printf '0x%012x' "$2")
	grep -m1 -F "$pa: " "$1" | sed -E 's/^[^:]*: //; s/ +\|.*//' | cut -d' ' -f1-8
}

keel_out="$TMP/out" keel_err="$TMP/err"
: >"$keel_out"
timeout -k 5 "$LIMIT" "$KEEL" run -v --cpus 2 --cmdline exit=gdbtest --gdb "tcp:$mon_port" </dev/null \
	>"$keel_out" 2>"$keel_err" &
mon_pid=$!
for ((i = 0; i < 600; i++)); do grep -qF "gdbtest: waiting for gdbtest_poke" "$keel_out" && break; sleep 0.1; done
if ! grep -qF "gdbtest: waiting for gdbtest_poke" "$keel_out"; then
	fail "gdb-monitor/guest-ready" "the guest never waited for gdb"
	kill "$mon_pid" 2>/dev/null
	wait "$mon_pid"
	return 0
fi

# --- one session stopped at gdbtest_tick (64-bit code): every command, good and bad arguments
s1="$TMP/mon1"
mon_gdb "$s1" 'break gdbtest_tick' 'continue' 'delete' 'print/x $pc' 'info registers cs' 'x/8xb $pc' \
	'monitor help' 'monitor mode' 'eval "monitor walk 0x%lx", $pc' 'eval "monitor walk 0x%lx", &gdbtest_poke' \
	'monitor walk $sp' 'monitor mem' 'monitor gdt' 'monitor idt' 'monitor idt 14' 'monitor tss' 'monitor lapic' \
	'monitor ioapic' 'monitor pic' 'monitor frob' 'monitor walk xyz' 'monitor phys read 0xfffffffff000' \
	'monitor idt 999' 'detach'
pc=$(sed -nE 's/^\$1 = (0x[0-9a-f]+)$/\1/p' "$s1")
cs=$(awk '$1 == "cs" { print $2; exit }' "$s1")
poke=$(nm "$GUEST_ELF" | awk '$3 == "gdbtest_poke" { print "0x" $1 }' | sed 's/0x0*/0x/')
pc_pa=$(walk_pa "$s1" "$pc")
poke_pa=$(walk_pa "$s1" "$poke")
echo "# gdb-monitor: pc $pc -> $pc_pa, gdbtest_poke $poke -> $poke_pa, cs $cs"
check "gdb-monitor/stopped-in-64-bit" "no stop at gdbtest_tick" mon_has_re "$s1" 'Breakpoint 1, gdbtest_tick'
check "gdb-monitor/help" "help does not list every command" \
	eval "[ \"\$(grep -cE '^  monitor (help|mode|walk|mem|phys|gdt|idt|tss|lapic|ioapic|pic) ' \"$s1\")\" -eq 11 ]"
check "gdb-monitor/mode" "mode's first line is not long64" mon_has "$s1" "mode: long64 arch=i386:x86-64"
check "gdb-monitor/mode-gdb-command" "mode does not name the code's architecture" mon_has "$s1" "code: i386:x86-64"
check "gdb-monitor/walk-levels" "the walk of the PC does not go through 4 levels" \
	eval "mon_has_re '$s1' '^  PML4 table 0x[0-9a-f]+ \[511\] = 0x[0-9a-f]+  P' && mon_has_re '$s1' '^  PDPT table'"
check "gdb-monitor/walk-pa" "no physical address for the PC" [ -n "$pc_pa" ]
check "gdb-monitor/walk-register" "walk \$sp did not resolve the register" mon_has_re "$s1" '^walk 0xffff[0-9a-f]+: 4-level'
check "gdb-monitor/mem-covers-pc" "no executable mapped range holds the PC" python3 - "$s1" "$pc" "$pc_pa" <<'PY'
import re, sys
text, pc, pa = open(sys.argv[1]).read(), int(sys.argv[2], 16), int(sys.argv[3], 16)
for m in re.finditer(r'^0x([0-9a-f]+)-0x([0-9a-f]+) size 0x[0-9a-f]+ +phys 0x([0-9a-f]+) ([u-]r[w-][x-][g-])$', text, re.M):
    lo, hi, phys, flags = int(m[1], 16), int(m[2], 16), int(m[3], 16), m[4]
    if lo <= pc < hi and flags[3] == 'x' and phys + (pc - lo) == pa:
        sys.exit(0)
sys.exit(1)
PY
check "gdb-monitor/mem-summary" "no summary line" mon_has_re "$s1" '^[0-9]+ ranges, 0x[0-9a-f]+ bytes mapped, [0-9]+ page tables read'
cs_hex=$(printf '0x%04x' "$((cs))")
check "gdb-monitor/gdt-cs-64-bit" "the GDT mon_has no L=1 code segment at CS ($cs_hex)" \
	mon_has_re "$s1" "^  $cs_hex \[ *[0-9]+\] base 0x[0-9a-f]+ limit 0x[0-9a-f]+ DPL 0 P=1 L=1 D/B=0 .* code64 .*<- cs"
check "gdb-monitor/gdt-tss" "the GDT mon_has no busy 64-bit TSS for TR" mon_has_re "$s1" 'TSS64 busy \(system type 0xb\)  <- tr'
check "gdb-monitor/idt" "no 64-bit #PF or #BP gate" \
	eval "mon_has_re '$s1' '^  \[ 14\] #PF  int gate64  $cs_hex:0xffff' && mon_has_re '$s1' '^  \[  3\] #BP  int gate64'"
check "gdb-monitor/idt-one" "'idt 14' did not print vector 14 alone" \
	eval "[ \"\$(grep -c '^  \[ 14\] #PF' \"$s1\")\" -eq 2 ]"
check "gdb-monitor/tss" "no 64-bit TSS contents" \
	eval "mon_has '$s1' 'TR 0x' && mon_has_re '$s1' '^  RSP0 0x[0-9a-f]{16}' && mon_has_re '$s1' 'IST7 0x'"
check "gdb-monitor/lapic" "no decoded local APIC" \
	eval "mon_has '$s1' 'local APIC: IA32_APIC_BASE' && mon_has_re '$s1' '^SVR 0x[0-9a-f]+: software enabled' && mon_has_re '$s1' '^LVT timer '"
check "gdb-monitor/ioapic" "not 24 redirection entries" \
	eval "mon_has '$s1' 'I/O APIC: ID' && [ \"\$(grep -cE '^  pin +[0-9]+: 0x' \"$s1\")\" -eq 24 ]"
check "gdb-monitor/pic" "no 8259 state" eval "mon_has '$s1' '8259 master: IRQ 0-7' && mon_has '$s1' '8259 slave: IRQ 8-15'"
check "gdb-monitor/unknown" "no error line for an unknown command" mon_has "$s1" "unknown command 'frob': try monitor help"
check "gdb-monitor/bad-address" "no error line for a bad address" mon_has "$s1" "walk: bad address 'xyz' (want a hex address"
check "gdb-monitor/outside-ram" "no error line for memory outside RAM" mon_has "$s1" "phys: 0xfffffffff000 is outside guest RAM"
check "gdb-monitor/bad-vector" "no error line for a bad vector" mon_has "$s1" "idt: bad vector '999'"
check "gdb-monitor/detach" "gdb did not detach" mon_has "$s1" "[Inferior 1 (Remote target) detached]"

# --- a second session: physical memory at the walk's address is what gdb reads at the PC; a physical write reaches the guest
s2="$TMP/mon2"
if [ -n "$pc_pa" ] && [ -n "$poke_pa" ]; then
	mon_gdb "$s2" "x/8xb $pc" "monitor phys read $pc_pa 8" "monitor phys write $poke_pa 15000000" \
		"monitor phys read $poke_pa 4" 'detach'
	want=$(bytes_of_x "$s2")
	got=$(bytes_of_phys "$s2" "$pc_pa")
	echo "# gdb-monitor: x/8xb gives '$want', phys read '$got'"
	check "gdb-monitor/phys-read-matches-x" "x/8xb '$want' and phys read '$got' differ" \
		eval "[ -n \"$want\" ] && [ \"$want\" = \"$got\" ]"
	check "gdb-monitor/phys-write-reply" "no write reply" mon_has "$s2" "phys: wrote 4 bytes at $poke_pa"
	check "gdb-monitor/phys-read-back" "the written bytes do not read back" mon_has_re "$s2" ': 15 00 00 00 +\|'
fi
wait "$mon_pid"
STATUS=$?
check "gdb-monitor/phys-write-reaches-guest" "the guest did not see gdbtest_poke = 21" out_has "gdbtest: poke=21 after"
expect_status "gdb-monitor/guest-finishes" 0
check "gdb-monitor/no-sanitizer-report" "a sanitizer complained" eval "! grep -qE 'Sanitizer|runtime error' '$keel_err'"

# --- held at the first instruction (PVH: 32-bit protected mode, paging off): mode and walk say so, no crash on empty tables
while (: >"/dev/tcp/127.0.0.1/$mon_port") 2>/dev/null; do mon_port=$((mon_port + 1)); done
: >"$keel_out"
: >"$keel_err"
timeout -k 5 "$LIMIT" "$KEEL" run -v --gdb "tcp:$mon_port" --gdb-wait </dev/null >"$keel_out" 2>"$keel_err" &
mon_pid=$!
for ((i = 0; i < 300; i++)); do grep -qF "listening on tcp:" "$keel_err" && break; sleep 0.1; done
s3="$TMP/mon3"
mon_gdb "$s3" 'monitor mode' 'monitor walk 0x100000' 'monitor mem' 'monitor gdt' 'monitor idt' 'monitor tss' \
	'monitor lapic' 'detach'
wait "$mon_pid"
STATUS=$?
check "gdb-monitor/entry-mode" "mode at the PVH entry is not prot32" mon_has "$s3" "mode: prot32 arch=i386"
check "gdb-monitor/entry-walk-identity" "walk with paging off is not the identity" \
	mon_has "$s3" "paging is off (CR0.PG=0): linear 0x100000 is physical 0x100000 (identity)"
check "gdb-monitor/entry-mem" "mem with paging off does not say so" \
	mon_has "$s3" "paging is off (CR0.PG=0): every linear address is the physical one (identity)"
check "gdb-monitor/entry-tables" "gdt/idt/tss/lapic did not answer" \
	eval "mon_has '$s3' 'GDT base 0x' && mon_has '$s3' 'IDT base 0x' && mon_has_re '$s3' '^(TR 0x|tss: )' && mon_has '$s3' 'local APIC:'"
expect_status "gdb-monitor/entry-detach-boots-guest" 0
