# Integration: every bad input gets one line on stderr naming the problem and exit status 2 (4 for a host without KVM).
# shellcheck shell=bash

# bad NAME NEEDLE ARGS... : keel run ARGS must exit 2 with exactly one stderr line containing NEEDLE
bad() {
	local name=$1 needle=$2
	shift 2
	keel "$@"
	expect_bad "bad/$name" "$needle"
}

d="$TMP/inputs"
mkdir -p "$d"
printf 'this is not an ELF file\n' >"$d/text"
: >"$d/empty"
"$ELFPATCH" "$GUEST_ELF" "$d/truncated" truncate 100
"$ELFPATCH" "$GUEST_ELF" "$d/phnum" e_phnum 60000
"$ELFPATCH" "$GUEST_ELF" "$d/phoff" e_phoff 0xffffffffffffff00
"$ELFPATCH" "$GUEST_ELF" "$d/class32" class 1
"$ELFPATCH" "$GUEST_ELF" "$d/arm" e_machine 183
"$ELFPATCH" "$GUEST_ELF" "$d/filesz" load0.filesz 0x7fffffffffff
"$ELFPATCH" "$GUEST_ELF" "$d/overlap" copy-load0-paddr-to-load1 0
"$ELFPATCH" "$GUEST_ELF" "$d/toohigh" load0.paddr 0x3ff00000
truncate -s 300M "$d/big-initrd"
cp "$GUEST_ELF" "$d/unreadable" && chmod 000 "$d/unreadable"
chmod 755 "$TMP" "$d"

bad missing-kernel "No such file or directory" run --kernel "$d/nope.elf"
bad kernel-is-directory "is a directory" run --kernel "$d"
bad empty-kernel "empty" run --kernel "$d/empty"
bad not-elf "not an ELF" run --kernel "$d/text"
bad truncated-elf "truncated" run --kernel "$d/truncated"
bad lying-phnum "program header" run --kernel "$d/phnum"
bad lying-phoff "program header" run --kernel "$d/phoff"
bad elf32 "64-bit" run --kernel "$d/class32"
bad wrong-machine "x86-64" run --kernel "$d/arm"
bad segment-past-file "segment" run --kernel "$d/filesz"
bad overlapping-segments "overlaps" run --kernel "$d/overlap"
bad segment-outside-mem "does not fit" run --kernel "$d/toohigh" --mem 64M
bad missing-initrd "No such file or directory" run --initrd "$d/nope.img"
bad initrd-too-big "does not fit" run --initrd "$d/big-initrd" --mem 64M
bad cpus-zero "--cpus 0" run --cpus 0
bad cpus-not-number "--cpus many" run --cpus many
bad cpus-above-kvm "allows at most" run --cpus 4000
bad mem-not-size "--mem lots: not a size" run --mem lots
bad mem-too-small "too small" run --mem 1M
bad mem-not-page-multiple "multiple of 4 KiB" run --mem 5001K
bad unknown-option "unknown option '--turbo'" run --turbo
bad missing-value "--mem needs a value" run --mem
bad unknown-command "unknown command 'sail'" sail
bad no-command "no command" 
bad cmdline-too-long "too long" run --cmdline "$(head -c 3000 /dev/zero | tr '\0' x)"
bad unknown-protocol "--boot-protocol bogus: unknown protocol (auto, linux, multiboot, multiboot2 or pvh)" \
	run --boot-protocol bogus
bi_rds=()
for _ in $(seq 17); do bi_rds+=(--initrd "$d/text"); done
bad too-many-initrds "--initrd given more than 16 times" run "${bi_rds[@]}"

if command -v setpriv >/dev/null; then
	timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups "$KEEL" run --kernel "$d/unreadable" \
		</dev/null >"$TMP/out" 2>"$TMP/err"
	STATUS=$?
	if status_is 2 && err_lines 1 && err_has "Permission denied"; then pass "bad/unreadable-kernel"
	else fail "bad/unreadable-kernel" "status $STATUS"; fi
else
	fail "bad/unreadable-kernel" "setpriv (util-linux) is missing"
fi

# A host without a usable /dev/kvm: hide it in a private mount namespace.
if unshare -m true 2>/dev/null; then
	timeout 60 unshare -m sh -c "mount -t tmpfs none /dev && exec '$KEEL' run" </dev/null >"$TMP/out" 2>"$TMP/err"
	STATUS=$?
	if status_is 4 && err_lines 1 && err_has "/dev/kvm does not exist"; then pass "host/no-dev-kvm"
	else fail "host/no-dev-kvm" "status $STATUS"; fi
	timeout 60 unshare -m sh -c "mount --bind /dev/null /dev/kvm && exec '$KEEL' run" </dev/null >"$TMP/out" 2>"$TMP/err"
	STATUS=$?
	if status_is 4 && err_lines 1 && err_has "not a KVM device"; then pass "host/dev-kvm-not-kvm"
	else fail "host/dev-kvm-not-kvm" "status $STATUS"; fi
else
	fail "host/no-dev-kvm" "cannot make a mount namespace (needs root)"
fi

keel --help
check "cli/help" "--help lacks the exit statuses" out_has "Exit status:"
expect_status "cli/help/status" 0
keel --version
check "cli/version" "--version prints no version" grep -qE '^keel [0-9]+\.[0-9]+' "$TMP/out"
