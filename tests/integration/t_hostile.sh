# Integration: hostile inputs from outside: every file option given a FIFO ends at once with one line and status 2, and a value with control characters is shown escaped on one line.
# shellcheck shell=bash

hd="$TMP/hostile"
mkdir -p "$hd"
fifo="$hd/fifo"
mkfifo "$fifo"

# Each file option with the FIFO: nobody at the other end, then someone at both ends (a descriptor open for
# reading and writing, with bytes waiting in it). A hang would end in timeout's 124 after LIMIT seconds: 20 here.
fifo_cases=(
	"kernel|--kernel|$fifo"
	"initrd|--initrd|$fifo"
	"console-out|--console|file:$fifo"
	"console-in|--console|file:$hd/out,in=$fifo"
	"fw-cfg|--fw-cfg|name=opt/x,file=$fifo"
	"disk|--disk|$fifo"
	"config-file|--config-file|$fifo"
)
LIMIT_SAVED=$LIMIT
LIMIT=20
for partner in none both; do
	if [ "$partner" = both ]; then
		exec 7<>"$fifo"
		printf 'bytes waiting in the FIFO\n' >&7
	fi
	for c in "${fifo_cases[@]}"; do
		IFS='|' read -r name opt val <<<"$c"
		keel run "$opt" "$val"
		expect_bad "hostile/fifo/$partner/$name" "FIFO"
	done
	[ "$partner" = both ] && exec 7>&-
done
# the Firecracker command line's files too: its own status for a bad --config-file or --metadata is 152
keel firecracker --no-api --config-file "$fifo"
check "hostile/fifo/firecracker-config" "status $STATUS, expected 152" status_is 152
keel firecracker --no-api --config-file "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../configs" && pwd)/guest-minimal.json" --metadata "$fifo"
check "hostile/fifo/firecracker-metadata" "status $STATUS, expected 152" status_is 152
LIMIT=$LIMIT_SAVED

# A value with a newline, an escape sequence and DEL, given to each option: one line, the characters escaped.
nasty=$'a\nb\x1b[31m\x7f'
shown='a\nb\x1b[31m\x7f'
for opt in --mem --cpus --kernel --initrd --boot-protocol --gdb --disk --console --rng --net --gpu --input --vsock \
	--fw-cfg --display --virtio-transport --host-workarounds --reboot --shutdown-timeout --config-file; do
	if [ "$opt" = --rng ]; then keel run "--rng=$nasty"; else keel run "$opt" "$nasty"; fi
	if ! status_is 2; then fail "hostile/control-chars/$opt" "exit status $STATUS, expected 2"
	elif ! err_lines 1; then fail "hostile/control-chars/$opt" "$(wc -l <"$TMP/err") lines on stderr, expected 1"
	elif ! err_has "$shown"; then fail "hostile/control-chars/$opt" "stderr does not show the value escaped ($shown)"
	elif LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$TMP/err"; then
		fail "hostile/control-chars/$opt" "stderr holds raw control characters"
	else pass "hostile/control-chars/$opt"; fi
done
# an unknown option and a --disk id with the same characters inside an otherwise valid value
keel run "--me${nasty}"
expect_bad "hostile/control-chars/unknown-option" "--me$shown"
keel run --disk "$hd/out,id=$nasty"
expect_bad "hostile/control-chars/disk-id" "id=$shown"

# A SIGKILLed keel leaves its disk image unlocked the moment it is reaped (the lock is not on a descriptor io_uring
# registered, which the kernel lets go of only some milliseconds later): a supervisor may start keel again at once.
truncate -s 1M "$hd/disk.img"
held=0
for _ in 1 2 3 4 5; do
	bg_start run --disk "$hd/disk.img" --cmdline exit=halt
	wait_until 30 grep -q "guest: halted" "$TMP/out"
	kill -KILL "$BG_PID"
	wait "$BG" 2>/dev/null
	flock -n -x "$hd/disk.img" true || held=$((held + 1))
done
check "hostile/sigkill/disk-unlocked-at-once" "the image was still locked after $held of 5 kills" [ "$held" -eq 0 ]
