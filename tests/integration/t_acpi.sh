# Integration: keel's ACPI tables for a plain, a PCI, an MMIO and a many-vCPU machine, disassembled by Debian's iasl (no error, no warning) and the DSDT compiled back.
# shellcheck shell=bash

: "${ACPI_TABLES:?}"
ACPI_TABLES=$(realpath "$ACPI_TABLES")
ad="$TMP/acpi"
mkdir -p "$ad"
for i in 0 1 2; do truncate -s 1M "$ad/d$i.img"; done
disks=(--disk "$ad/d0.img" --disk "$ad/d1.img" --disk "$ad/d2.img")

# acpi_machine NAME ARGS... : the tables of `keel run ARGS` into $ad/NAME, each disassembled by
# iasl -d, whose output must hold no "Error" or "Warning"; the DSDT's disassembly must compile
# back with 0 errors and 0 warnings. The RSDP is checked by the unit tests: it has no table
# header, and iasl takes only tables.
acpi_machine() {
	local name=$1 dir="$ad/$1" t
	shift
	mkdir -p "$dir"
	if ! "$ACPI_TABLES" "$dir" "$@" >"$TMP/out" 2>"$TMP/err"; then
		fail "acpi/$name/build" "acpi_tables failed"
		return 1
	fi
	pass "acpi/$name/build"
	for t in XSDT FACP FACS APIC DSDT; do
		(cd "$dir" && iasl -d "$t.dat") >"$TMP/out" 2>"$TMP/err"
		STATUS=$?
		if [ "$STATUS" -ne 0 ] || [ ! -s "$dir/$t.dsl" ]; then
			fail "acpi/$name/$t" "iasl -d $t.dat failed (status $STATUS)"
		elif grep -qE 'Error|Warning' "$TMP/out" "$TMP/err"; then
			fail "acpi/$name/$t" "iasl -d $t.dat reports errors or warnings"
		else
			pass "acpi/$name/$t"
		fi
	done
	cp "$dir/DSDT.dsl" "$dir/recompiled.dsl"
	(cd "$dir" && iasl recompiled.dsl) >"$TMP/out" 2>"$TMP/err"
	STATUS=$?
	check "acpi/$name/dsdt-compiles" "iasl cannot compile the DSDT back without errors and warnings" \
		bash -c "[ $STATUS -eq 0 ] && grep -q 'Compilation successful. 0 Errors, 0 Warnings' '$TMP/out'"
	return 0
}

dsdt_has() { grep -qF -- "$2" "$ad/$1/DSDT.dsl"; }
dsdt_lacks() { ! grep -qF -- "$2" "$ad/$1/DSDT.dsl"; }

if ! command -v iasl >/dev/null 2>&1; then
	fail "acpi/iasl" "iasl is not installed (Debian's acpica-tools: bash mk/deps.sh test)"
else
	acpi_machine plain --cpus 1
	check "acpi/plain/s5" "no \\_S5" dsdt_has plain "Name (\\_S5, Package"
	check "acpi/plain/com1" "no COM1 (PNP0501)" dsdt_has plain 'EisaId ("PNP0501")'
	check "acpi/plain/no-pci" "a PCI host without virtio-pci" dsdt_lacks plain "PNP0A03"
	check "acpi/plain/fw-cfg" "no fw_cfg (QEMU0002) on ports 0x510, 12 of them" bash -c \
		"grep -qF '\"QEMU0002\"' '$ad/plain/DSDT.dsl' && grep -A12 'Device (FWCF)' '$ad/plain/DSDT.dsl' | grep -q '0x0C,'"
	check "acpi/plain/no-keyboard" "a PS/2 keyboard keel cannot serve" dsdt_lacks plain "PNP0303"
	check "acpi/plain/fadt" "the FADT's PM blocks are not keel's" bash -c \
		"grep -q 'PM1A Event Block Address : 00000600' '$ad/plain/FACP.dsl' &&
		 grep -q 'PM Timer Block Address : 00000608' '$ad/plain/FACP.dsl' &&
		 grep -q 'SCI Interrupt : 0009' '$ad/plain/FACP.dsl' &&
		 grep -q 'Hardware Reduced (V5) : 0' '$ad/plain/FACP.dsl'"

	acpi_machine pci --cpus 2 "${disks[@]}" --rng
	check "acpi/pci/host" "no PNP0A03" dsdt_has pci 'EisaId ("PNP0A03")'
	check "acpi/pci/prt" "no _PRT" dsdt_has pci "Name (_PRT, Package"
	check "acpi/pci/links" "no interrupt link for GSI 16" dsdt_has pci "\\_SB.LK16,"
	check "acpi/pci/edge" "the links are not edge, active-high" dsdt_has pci "Interrupt (ResourceConsumer, Edge, ActiveHigh, Shared"
	check "acpi/pci/s5" "no \\_S5" dsdt_has pci "Name (\\_S5, Package"
	check "acpi/pci/cpus" "the MADT does not list 2 local APICs" \
		[ "$(grep -c 'Subtable Type : 00 \[Processor Local APIC\]' "$ad/pci/APIC.dsl")" -eq 2 ]

	acpi_machine mmio --cpus 4 --virtio-transport mmio "${disks[@]}" --rng
	check "acpi/mmio/devices" "not 4 LNRO0005 devices" [ "$(grep -c '"LNRO0005"' "$ad/mmio/DSDT.dsl")" -eq 4 ]
	check "acpi/mmio/window" "no window at 0xd0003000" dsdt_has mmio "0xD0003000,"
	check "acpi/mmio/no-pci" "a PCI host over MMIO" dsdt_lacks mmio "PNP0A03"
	check "acpi/mmio/s5" "no \\_S5" dsdt_has mmio "Name (\\_S5, Package"

	acpi_machine many-cpus --cpus 300
	check "acpi/many-cpus/x2apic" "not 45 x2APIC entries past APIC id 254" \
		[ "$(grep -c 'Subtable Type : 09 \[Processor Local x2APIC\]' "$ad/many-cpus/APIC.dsl")" -eq 45 ]
fi
