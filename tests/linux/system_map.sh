#!/usr/bin/env bash
# Print the path of the Linux guest's System.map, extracting it once from Debian's linux-image-VERSION-dbg (fetched with apt-get download, about 280 MB, cached in DIR/debs).
# Usage: tests/linux/system_map.sh [DIR]   (DIR defaults to build/linux; DIR/version names the kernel)
# The linux-image package's own /boot/System.map is a placeholder pointing at the -dbg package.
# Any failure is one line on stderr and a non-zero status.
set -u
set -o pipefail
dir=${1:-build/linux}
me=system_map.sh
die() { echo "$me: $*" >&2; exit 1; }

ver=$(cat "$dir/version" 2>/dev/null) || die "$dir/version is missing (make linux-guest first)"
map=$dir/System.map-$ver
if [ ! -s "$map" ]; then
	mkdir -p "$dir/debs" || die "cannot create $dir/debs"
	deb=$(compgen -G "$dir/debs/linux-image-$ver-dbg_*.deb" | sort -V | tail -n 1)
	if [ -z "$deb" ]; then
		echo "$me: fetching linux-image-$ver-dbg for the kernel's symbols (about 280 MB, once)" >&2
		(cd "$dir/debs" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$ver-dbg") >&2 ||
			die "apt-get download linux-image-$ver-dbg failed"
		deb=$(compgen -G "$dir/debs/linux-image-$ver-dbg_*.deb" | sort -V | tail -n 1)
	fi
	[ -n "$deb" ] || die "no linux-image-$ver-dbg package in $dir/debs"
	if ! dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/lib/debug/boot/System.map-$ver" >"$map.tmp"; then
		rm -f "$map.tmp"
		die "$deb has no usr/lib/debug/boot/System.map-$ver"
	fi
	mv "$map.tmp" "$map" || die "cannot write $map"
fi
echo "$map"
