# Integration: keel enters Debian 12's kernel from each image format and boot protocol (the bzImage and the
# vmlinux inside it, each by auto, --boot-protocol linux and --boot-protocol pvh) as far as the kernel's
# first console line, and refuses broken kernels (truncated, corrupted payload, too big for the RAM) with
# status 2 and one line naming the file, before it starts a VM.
# shellcheck shell=bash
#   KEEL_LINUX_FIRST_LINE_TIMEOUT=S   seconds each boot may take to print "Linux version" (default 300)
# Needs Debian's package mirror the first time, and lz4 (mk/deps.sh test) to unpack the vmlinux.

# shellcheck disable=SC2154  # here: set by run.sh, which sources this file
# shellcheck source=tests/linux/harness.sh
. "$here/../linux/harness.sh"

# first_line NAME KEEL-RUN-ARGS... : keel run until the kernel's banner reaches the console, then SIGKILL
first_line() {
	local name=$1 limit=${KEEL_LINUX_FIRST_LINE_TIMEOUT:-300} pid i st
	shift
	"$KEEL" run "$@" </dev/null >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for ((i = 0; i < limit * 5; i++)); do
		grep -qF "Linux version 6.1" "$TMP/out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	st=$?
	if out_has "Linux version 6.1"; then pass "$name"
	elif [ "$st" != 137 ]; then fail "$name" "keel exited with status $st before the kernel printed 'Linux version 6.1'"
	else fail "$name" "no 'Linux version 6.1' on the console within $limit s"; fi
}

# refused NAME FILE KEEL-RUN-ARGS... : keel must exit 2 at once with exactly one stderr line naming FILE
refused() {
	local name=$1 file=$2
	shift 2
	LIMIT=30 keel run --kernel "$file" "$@"
	if ! status_is 2; then fail "$name" "exit status $STATUS, expected 2"
	elif ! err_lines 1; then fail "$name" "expected one line on stderr, got $(wc -l <"$TMP/err")"
	elif ! err_has "$file"; then fail "$name" "the error line does not name $file"
	else pass "$name"; fi
}

if linux_guest; then
	lf_bz=$LINUX_DIR/vmlinuz
	lf_vm=$TMP/vmlinux
	# earlyprintk: the banner leaves through the early serial console as soon as the kernel parses its
	# parameters, before the 8250 driver is up (12 s later on kvm_pvm hosts); then keel is killed anyway.
	lf_cmd="console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1 $(linux_host_params)"
	lf_cmd=${lf_cmd% }
	for proto in auto linux pvh; do
		first_line "linux-formats/bzimage/$proto" --kernel "$lf_bz" --initrd "$LINUX_DIR/initramfs.cpio" \
			--boot-protocol "$proto" --cpus 2 --mem 1G --cmdline "$lf_cmd"
	done
	if ! command -v lz4 >/dev/null; then
		fail "linux-formats/vmlinux" "lz4 is not installed (mk/deps.sh test installs it): cannot unpack the vmlinux"
	elif ! python3 "$here/../linux/bzimage.py" vmlinux "$lf_bz" "$lf_vm" 2>"$TMP/err"; then
		fail "linux-formats/vmlinux" "cannot unpack the vmlinux: $(cat "$TMP/err")"
	else
		for proto in auto linux pvh; do
			first_line "linux-formats/vmlinux/$proto" --kernel "$lf_vm" --initrd "$LINUX_DIR/initramfs.cpio" \
				--boot-protocol "$proto" --cpus 2 --mem 1G --cmdline "$lf_cmd"
		done
		rm -f "$lf_vm"
	fi

	# gdb from the first instruction: held at startup_64 with --gdb-wait, a breakpoint at start_kernel (its
	# address from Debian's System.map; nothing maps that address yet: keel's own identity page tables run)
	# stops there, in 64-bit code with the kernel's own page tables, then gdb kills the VM.
	if ! command -v gdb >/dev/null; then
		fail "linux-formats/gdb-start-kernel" "gdb is not installed (mk/deps.sh test installs it)"
	elif ! lf_map=$(bash "$here/../linux/system_map.sh" "$LINUX_DIR" 2>"$TMP/err"); then
		fail "linux-formats/gdb-start-kernel" "no System.map: $(tail -n 1 "$TMP/err")"
	else
		lf_sk=$(awk '$3 == "start_kernel" { print $1; exit }' "$lf_map")
		lf_port=$((20000 + ($$ + 7) % 30000))
		"$KEEL" run --kernel "$lf_bz" --initrd "$LINUX_DIR/initramfs.cpio" --cpus 2 --mem 1G --cmdline "$lf_cmd" \
			--gdb "tcp:127.0.0.1:$lf_port" --gdb-wait </dev/null >"$TMP/out" 2>"$TMP/err" &
		lf_pid=$!
		for ((i = 0; i < 100; i++)); do grep -qF "listening on tcp:" "$TMP/err" && break; sleep 0.1; done
		timeout -k 5 "${KEEL_LINUX_FIRST_LINE_TIMEOUT:-300}" gdb -batch -nx -ex 'set pagination off' \
			-ex "target remote 127.0.0.1:$lf_port" -ex 'print $mode' -ex 'print/x $cr3' -ex "break *0x$lf_sk" \
			-ex continue -ex 'print/x $pc' -ex 'print $mode' -ex 'print/x $cr3' -ex 'x/1i $pc' -ex kill \
			</dev/null >"$TMP/gdb" 2>&1
		kill -KILL "$lf_pid" 2>/dev/null
		wait "$lf_pid" 2>/dev/null
		if [ -z "$lf_sk" ]; then
			fail "linux-formats/gdb-start-kernel" "$lf_map has no start_kernel"
		elif ! grep -qE "^Breakpoint 1 at 0x$lf_sk" "$TMP/gdb" || grep -qE 'Cannot (insert|access)' "$TMP/gdb"; then
			fail "linux-formats/gdb-start-kernel" "gdb could not plant the breakpoint at start_kernel (0x$lf_sk): $(grep -m1 -E 'Cannot|rror' "$TMP/gdb")"
		elif ! grep -qE "Breakpoint 1, 0x0*$lf_sk in" "$TMP/gdb" || ! grep -qE "^\\\$3 = 0x$lf_sk$" "$TMP/gdb"; then
			fail "linux-formats/gdb-start-kernel" "continue did not stop at start_kernel (0x$lf_sk): $(grep -E '^(Breakpoint|Program|\\\$3)' "$TMP/gdb" | tr '\n' ' ')"
		elif ! grep -qE '^\$1 = 64$' "$TMP/gdb" || ! grep -qE '^\$4 = 64$' "$TMP/gdb"; then
			fail "linux-formats/gdb-start-kernel" "\$mode is not 64 at startup_64 and start_kernel"
		elif [ "$(sed -nE 's/^\$2 = (0x[0-9a-f]+)$/\1/p' "$TMP/gdb")" = "$(sed -nE 's/^\$5 = (0x[0-9a-f]+)$/\1/p' "$TMP/gdb")" ]; then
			fail "linux-formats/gdb-start-kernel" "CR3 at start_kernel is still keel's boot page tables"
		else
			pass "linux-formats/gdb-start-kernel"
		fi
	fi

	# Broken kernels: refused while the inputs are judged, before KVM is asked for anything.
	python3 "$here/../linux/bzimage.py" truncate "$lf_bz" "$TMP/truncated-bzImage"
	refused "linux-formats/bad/truncated-bzimage" "$TMP/truncated-bzImage"
	python3 "$here/../linux/bzimage.py" corrupt "$lf_bz" "$TMP/corrupt-bzImage"
	refused "linux-formats/bad/corrupt-payload" "$TMP/corrupt-bzImage"
	# Too big: Debian's 6.1 cloud kernel loads at 16 MiB (pref_address) and its image reaches 62 MiB (its
	# init_size, what it needs from there while it boots, is 51.5 MiB): 32 MiB of RAM cannot hold it. (64 MiB
	# can hold the image itself: keel may boot it there, as Linux's 64-bit entry needs no room to unpack.)
	read -r lf_pref lf_init _ < <(python3 "$here/../linux/bzimage.py" info "$lf_bz")
	if [ $((lf_pref + lf_init)) -le $((32 << 20)) ]; then
		fail "linux-formats/bad/too-big" "this kernel fits in 32 MiB (pref_address $lf_pref + init_size $lf_init): the test needs another size"
	else
		refused "linux-formats/bad/too-big" "$lf_bz" --mem 32M --cmdline "$lf_cmd"
	fi
fi
