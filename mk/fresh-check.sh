#!/usr/bin/env bash
# make fresh-check: the README's quick-start commands, run in a brand-new Debian 12 root on a clone of the committed HEAD.
#
# Usage: mk/fresh-check.sh BUILD_DIR      (as root: it needs chroot and mounts)
#   FRESH_MIRROR=URI|FILE   where the root's packages come from (default: this host's Debian 12
#                           sources, else http://deb.debian.org/debian)
#   FRESH_KEEP=1            keep the root (BUILD_DIR/fresh/root) after the run, for a look inside
# The root is built with mmdebstrap (minbase plus make, git, ca-certificates), /proc, /sys, /dev
# and a /run tmpfs are mounted in it, HEAD is cloned to /root/keel, and each command of the
# README's "Quick start" block runs there in order, as root, with a clean environment and stdin
# /dev/null. Everything that mounts runs in a private mount namespace (unshare), so no mount
# outlives the run whatever ends it; the root is then removed. Downloaded .deb files are kept
# in BUILD_DIR/fresh/debs, outside the root, so a second run downloads nothing it already has.
# Exit status: 0 every command passed; 1 a command failed (its name and output's tail are
# printed); 2 usage or this host cannot build the root; 128+N stopped by signal N.
set -euo pipefail

say() { echo "fresh-check: $*"; }
die() { echo "fresh-check: $*" >&2; exit 2; }

# --- inside the private mount namespace: mount, run each command, unmount ------------------
if [ "${1:-}" = "--inner" ]; then
	root=$2 cache=$3 logs=$4
	shift 4
	mounts=()
	umount_all() {
		local i
		for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -R "${mounts[i]}" 2>/dev/null || umount -lR "${mounts[i]}" || true; done
	}
	trap umount_all EXIT
	mnt() {	# mnt TARGET MOUNT-ARGS...
		mount "${@:2}" "$1"
		mounts+=("$1")
	}
	mnt "$root" --bind "$root"	# / is a mount point on a real machine (unshare -m needs that)
	mnt "$root/proc" -t proc proc
	mnt "$root/sys" --rbind /sys
	mnt "$root/dev" --rbind /dev
	mnt "$root/run" -t tmpfs -o mode=0755 tmpfs
	mkdir -p "$root/var/cache/apt/archives/partial"
	mnt "$root/var/cache/apt/archives" --bind "$cache"
	# the machine's name service, as an installed system has it (mmdebstrap leaves none)
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	[ -s "$root/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
	n=0
	for cmd in "$@"; do
		n=$((n + 1))
		say "[$n/$#] $cmd  (in the fresh root, /root/keel)"
		set +e
		chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/bin/bash -c "cd /root/keel && $cmd" </dev/null 2>&1 | tee "$logs/$n.log"
		st=${PIPESTATUS[0]}
		set -e
		if [ "$st" -ne 0 ]; then
			echo "fresh-check: FAILED: '$cmd' exited with status $st on a fresh Debian 12; its last 40 lines:" >&2
			tail -n 40 "$logs/$n.log" | sed 's/^/  | /' >&2
			exit 1
		fi
		say "[$n/$#] $cmd: passed"
	done
	exit 0
fi

# --- outside: check, build the root, clone, run the inner part, clean up ---------------------
[ $# -eq 1 ] || die "usage: mk/fresh-check.sh BUILD_DIR"
[ "$(id -u)" -eq 0 ] || die "needs root (it builds a Debian root with mmdebstrap, mounts /proc, /sys and /dev into it and chroots); run it as root"
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
work=$(cd "$1" && pwd)/fresh
root=$work/root cache=$work/debs logs=$work/logs
head=$(git -C "$top" rev-parse HEAD) || die "$top is not a git checkout"
[ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] ||
	say "note: uncommitted changes are not checked: the fresh root gets the committed HEAD ${head:0:12}"

# The README's quick start: the indented lines between "## Quick start" and the next paragraph.
mapfile -t cmds < <(awk '/^## Quick start/ { on = 1; next } on && /^    [^ ]/ { sub(/^    /, ""); print; seen = 1; next }
	on && seen && !/^[[:space:]]*$/ { exit }' "$top/README.md")
[ "${#cmds[@]}" -gt 0 ] || die "README.md has no indented commands under '## Quick start'"

bash "$top/mk/deps.sh" fresh || die "cannot install mmdebstrap"

mounted_under() { grep -qF " $1" /proc/self/mountinfo; }
remove_root() {
	[ -e "$root" ] || return 0
	if mounted_under "$root"; then
		echo "fresh-check: something is still mounted under $root: not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$root"
}
inner=""
finish() {
	local st=$?
	if [ -n "$inner" ] && kill -0 "$inner" 2>/dev/null; then
		kill -TERM -- "-$inner" 2>/dev/null || true
		wait "$inner" 2>/dev/null || true
	fi
	if [ "${FRESH_KEEP:-0}" = 1 ]; then say "kept the root at $root"; else remove_root || st=2; fi
	exit "$st"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

remove_root || exit 2
mkdir -p "$cache" "$logs"
rm -f "$logs"/*.log

# The host's sources when it runs Debian 12 (its mirror, maybe a local one); otherwise Debian's.
mirror=${FRESH_MIRROR:-}
if [ -z "$mirror" ]; then
	mirror=http://deb.debian.org/debian
	if grep -q '^VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
		for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
			if [ -s "$f" ] && grep -q '^[^#]*bookworm' "$f"; then mirror=$f; break; fi
		done
	fi
fi
# The host's way of reaching that mirror (a proxy; a snapshot mirror's expired Release dates).
aptopt=$work/apt.conf
apt-config dump 2>/dev/null | grep -E '^Acquire::(https?::Proxy|Check-Valid-Until|Check-Date|Retries) ' >"$aptopt" || true

say "building a Debian 12 root (mmdebstrap minbase + make, git, ca-certificates) in $root from $mirror"
t0=$SECONDS
# shellcheck disable=SC2016 # $1 is the hooks' argument: the root
setsid unshare --mount --propagation private mmdebstrap --variant=minbase --include=make,git,ca-certificates \
	--aptopt="$aptopt" --skip=essential/unlink \
	--setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
	--setup-hook="find '$cache' -maxdepth 1 -name '*.deb' -exec cp -t \"\$1/var/cache/apt/archives/\" {} +" \
	--customize-hook="find \"\$1/var/cache/apt/archives\" -maxdepth 1 -name '*.deb' -exec cp -n -t '$cache/' {} +" \
	bookworm "$root" "$mirror" >"$logs/mmdebstrap.log" 2>&1 </dev/null &
inner=$!
if ! wait "$inner"; then
	inner=""
	echo "fresh-check: mmdebstrap could not build the root; the last 30 lines of $logs/mmdebstrap.log:" >&2
	tail -n 30 "$logs/mmdebstrap.log" | sed 's/^/  | /' >&2
	exit 2
fi
inner=""
say "root ready in $((SECONDS - t0)) s; cloning HEAD ${head:0:12} into /root/keel"
git clone -q --no-local "$top" "$root/root/keel"
git -C "$root/root/keel" checkout -q "$head"

say "running the README's quick start: $(printf "'%s' " "${cmds[@]}")"
setsid unshare --mount --propagation private bash "$0" --inner "$root" "$cache" "$logs" "${cmds[@]}" </dev/null &
inner=$!
set +e
wait "$inner"
st=$?
set -e
inner=""
if [ "$st" -eq 0 ]; then
	say "every README command passed on a fresh Debian 12 in $((SECONDS - t0)) s (HEAD ${head:0:12})"
else
	say "failed (status $st); logs in $logs"
	[ "$st" -gt 1 ] && [ "$st" -lt 128 ] && st=1
fi
exit "$st"
