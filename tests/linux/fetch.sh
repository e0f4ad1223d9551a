#!/usr/bin/env bash
# Fetch the Linux guest the test suite boots: Debian 12's cloud (or generic) kernel and busybox-static, from Debian's mirror with apt-get.
# Usage: tests/linux/fetch.sh [DIR] [FLAVOUR]   (DIR defaults to build/linux; FLAVOUR: cloud, the default, or
#        generic: linux-image-amd64, whose modules include virtio-gpu and DRM, which the cloud kernel lacks)
# Leaves DIR/debs/*.deb (the cache: nothing is downloaded again while they are there),
# DIR/vmlinuz (the bzImage), DIR/modules/ (lib/modules/<version>), DIR/busybox, DIR/version.
# Says what it fetched on stderr; any failure is one line on stderr and a non-zero status.
set -u
set -o pipefail

dir=${1:-build/linux}
flavour=${2:-cloud}
me=fetch.sh
die() { echo "$me: $*" >&2; exit 1; }
case $flavour in
cloud) meta=linux-image-cloud-amd64 kglob='linux-image-[0-9]*-cloud-amd64_*.deb' kname='-cloud-amd64' ;;
generic) meta=linux-image-amd64 kglob='linux-image-[0-9]*[0-9]-amd64_*.deb' kname='[0-9]-amd64' ;;
*) die "unknown kernel flavour '$flavour' (cloud or generic)" ;;
esac

command -v apt-get >/dev/null 2>&1 || die "apt-get is not available: cannot fetch Debian's $meta and busybox-static"
for c in apt-cache dpkg-deb; do command -v $c >/dev/null 2>&1 || die "$c is not available"; done
mkdir -p "$dir/debs" || die "cannot create $dir/debs"
dir=$(cd "$dir" && pwd)
debs=$dir/debs
log=$debs/apt.log

# apt-get download runs as root here: do not drop to _apt (it could not write to $debs anyway).
apt_opts=(-q -o APT::Sandbox::User=root)

have() { compgen -G "$debs/$1" >/dev/null; }

# the kernel package the metapackage points at: linux-image-6.1.0-NN-cloud-amd64 (generic: -NN-amd64)
resolve_kernel() {
	apt-cache depends "$meta" 2>/dev/null |
		sed -nE "s/^ *Depends: (linux-image-[0-9][^ ]*${kname})\$/\\1/p" | head -n 1
}

download() {	# download PKG: into $debs, output in $log
	(cd "$debs" && apt-get download "${apt_opts[@]}" "$1") >>"$log" 2>&1
}

if ! have "$kglob" || ! have 'busybox-static_*.deb'; then
	: >"$log"
	kpkg=$(resolve_kernel)
	if [ -z "$kpkg" ] && [ "$(id -u)" = 0 ]; then	# no package lists yet (a fresh machine)
		apt-get update -q >>"$log" 2>&1
		kpkg=$(resolve_kernel)
	fi
	[ -n "$kpkg" ] || die "apt-cache cannot resolve $meta (no Debian package lists? run apt-get update)"
	if ! have "$kglob"; then
		download "$kpkg" || die "apt-get download $kpkg failed (no route to Debian's mirror?): see $log"
		echo "$me: fetched $(basename "$(compgen -G "$debs/$kpkg"'_*.deb' | head -n 1)")" >&2
	fi
	if ! have 'busybox-static_*.deb'; then
		download busybox-static || die "apt-get download busybox-static failed (no route to Debian's mirror?): see $log"
		echo "$me: fetched $(basename "$(compgen -G "$debs/busybox-static_*.deb" | head -n 1)")" >&2
	fi
fi

kdeb=$(compgen -G "$debs/$kglob" | sort -V | tail -n 1)
bdeb=$(compgen -G "$debs/busybox-static_*.deb" | sort -V | tail -n 1)

# Extract once per .deb: a stamp names the packages the stable paths came from.
stamp="$(basename "$kdeb") $(basename "$bdeb")"
if [ "$(cat "$dir/.extracted" 2>/dev/null)" = "$stamp" ] && [ -f "$dir/vmlinuz" ] && [ -x "$dir/busybox" ] &&
	[ -d "$dir/modules" ] && [ -s "$dir/version" ]; then
	exit 0
fi
rm -rf "$dir/root" "$dir/modules" "$dir/vmlinuz" "$dir/busybox" "$dir/version" "$dir/.extracted"
mkdir -p "$dir/root"
dpkg-deb -x "$kdeb" "$dir/root" || die "dpkg-deb -x $kdeb failed"
dpkg-deb -x "$bdeb" "$dir/root" || die "dpkg-deb -x $bdeb failed"
kimg=$(compgen -G "$dir/root/boot/vmlinuz-*" | head -n 1)
[ -n "$kimg" ] || die "$kdeb has no boot/vmlinuz-*"
ver=${kimg##*/vmlinuz-}
[ -d "$dir/root/lib/modules/$ver" ] || die "$kdeb has no lib/modules/$ver"
[ -x "$dir/root/bin/busybox" ] || die "$bdeb has no bin/busybox"
if ! { mv "$kimg" "$dir/vmlinuz" && mkdir -p "$dir/modules" && mv "$dir/root/lib/modules/$ver" "$dir/modules/$ver" &&
	mv "$dir/root/bin/busybox" "$dir/busybox" && echo "$ver" >"$dir/version"; }; then
	die "cannot move the extracted files into $dir"
fi
rm -rf "$dir/root"
echo "$stamp" >"$dir/.extracted"
echo "$me: extracted Linux $ver and busybox into $dir" >&2
