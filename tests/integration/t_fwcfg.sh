# Integration: fw_cfg through the real binary: the bundled guest's fw_cfg checks, two --fw-cfg files (a string, a binary file) it reads back by the ports and by DMA and prints, and every bad --fw-cfg (one stderr line, status 2).
# shellcheck shell=bash

# fbad NAME NEEDLE ARGS... : keel ARGS must exit 2 with exactly one stderr line containing NEEDLE
fbad() {
	local name=$1 needle=$2
	shift 2
	keel "$@"
	if ! status_is 2; then fail "fw_cfg/bad/$name" "exit status $STATUS, expected 2"
	elif ! err_lines 1; then fail "fw_cfg/bad/$name" "expected one line on stderr, got $(wc -l <"$TMP/err")"
	elif ! err_has "$needle"; then fail "fw_cfg/bad/$name" "stderr lacks '$needle'"
	else pass "fw_cfg/bad/$name"; fi
}

# hexof FILE : its bytes as the guest prints them (lower-case hex, no spaces)
hexof() { od -An -v -tx1 "$1" | tr -d ' \n'; }

fd="$TMP/fwcfg"
mkdir -p "$fd"
chmod 755 "$TMP" "$fd"
# every kind of byte a file may hold: NUL, newline, a comma, high bytes, then random ones
printf 'keel\000blob\n,\377\200' >"$fd/blob"
head -c 200 /dev/urandom >>"$fd/blob"
printf 'hello, fw_cfg world' >"$fd/text"	# what string= below stands for (",," is a comma)
: >"$fd/empty"
mkfifo "$fd/fifo"

keel run --cpus 2 --fw-cfg "name=opt/keel/test,string=hello,, fw_cfg world" \
	--fw-cfg "name=opt/keel/blob,file=$fd/blob" --cmdline "tests=fw_cfg fw-cfg-show=opt/keel/test,opt/keel/blob"
expect_status fw_cfg/guest 0
check fw_cfg/all-checks "not every fw_cfg/ check of the guest passed unskipped" \
	bash -c "[ \$(grep -c '^ok [0-9]* - fw_cfg/' '$TMP/out') -eq 10 ] && ! grep -q '^ok [0-9]* - fw_cfg/.*# SKIP' '$TMP/out'"
check fw_cfg/string "the guest did not read back opt/keel/test's bytes" \
	out_has "guest: fw_cfg opt/keel/test: $(stat -c %s "$fd/text") bytes: $(hexof "$fd/text")"
check fw_cfg/file "the guest did not read back opt/keel/blob's bytes" \
	out_has "guest: fw_cfg opt/keel/blob: $(stat -c %s "$fd/blob") bytes: $(hexof "$fd/blob")"

# the kernel and initrd items from a kernel file and an initrd: the files keel mapped for the boot
keel run --kernel "$GUEST_ELF" --initrd "$fd/blob" --cmdline "tests=fw_cfg/kernel-initrd"
check fw_cfg/kernel-initrd "KERNEL_DATA or INITRD_DATA is not what keel booted" \
	eval "status_is 0 && out_has 'ok 1 - fw_cfg/kernel-initrd' && out_has 'INITRD_DATA the $(stat -c %s "$fd/blob") bytes of module 0'"

# QEMU's -fw_cfg [name=]NAME form: the first item without a key is the name
keel run --fw-cfg "opt/keel/short,file=$fd/text" --cmdline "tests=fw_cfg/show fw-cfg-show=opt/keel/short"
check fw_cfg/name-implied "QEMU's [name=]NAME form was not taken" \
	out_has "guest: fw_cfg opt/keel/short: $(stat -c %s "$fd/text") bytes: $(hexof "$fd/text")"

fbad needs-value "--fw-cfg needs a value" run --fw-cfg
fbad no-contents "no contents (file=PATH or string=TEXT)" run --fw-cfg name=opt/x
fbad no-name "no name" run --fw-cfg string=x
fbad not-opt "must start with opt/" run --fw-cfg name=etc/e820,string=x
fbad name-too-long "the name is 56 bytes long (at most 55)" \
	run --fw-cfg "name=opt/$(printf 'n%.0s' $(seq 52)),string=x"
fbad name-empty-part "empty, '.' or '..' part" run --fw-cfg name=opt//x,string=x
fbad name-twice "the name opt/x is given twice" run --fw-cfg name=opt/x,string=a --fw-cfg name=opt/x,string=b
fbad both "file= and string= both given" run --fw-cfg "name=opt/x,string=a,file=$fd/blob"
fbad empty-string "string= is empty" run --fw-cfg name=opt/x,string=
fbad unknown-item "unknown item 'gen_id=x'" run --fw-cfg name=opt/x,gen_id=x
fbad missing-file "No such file or directory" run --fw-cfg "name=opt/x,file=$fd/nope"
fbad directory "is a directory" run --fw-cfg "name=opt/x,file=$fd"
fbad empty-file "is empty" run --fw-cfg "name=opt/x,file=$fd/empty"
fbad fifo "is a FIFO" run --fw-cfg "name=opt/x,file=$fd/fifo"
fbad device-file "is not a regular file" run --fw-cfg name=opt/x,file=/dev/zero
