#!/usr/bin/env bash
# Checks keel's Debian build dependencies; installs the missing ones when run as root with apt,
# otherwise stops with the exact apt-get line. Usage: mk/deps.sh [build|test|bench|fuzz|all]
set -u
set -o pipefail

build_pkgs="gcc make libc6-dev linux-libc-dev pkg-config libfdt-dev liburing-dev libjansson-dev check libsubunit-dev"
optional_pkgs="libvirglrenderer-dev"
test_pkgs="qemu-system-x86 util-linux bsdutils gdb jq python3 iputils-ping"
bench_pkgs="qemu-system-x86 strace gnuplot-nox"
fuzz_pkgs="clang libclang-rt-dev"	# make fuzz: libFuzzer and its sanitizer runtimes

case "${1:-build}" in
build) want="$build_pkgs $optional_pkgs" need="$build_pkgs" ;;
test) want="$build_pkgs $optional_pkgs $test_pkgs" need="$build_pkgs $test_pkgs" ;;
bench) want="$bench_pkgs" need="$bench_pkgs" ;;
fuzz) want="$fuzz_pkgs" need="$fuzz_pkgs" ;;
all) want="$build_pkgs $optional_pkgs $test_pkgs $bench_pkgs" need="$build_pkgs $test_pkgs $bench_pkgs" ;;
*) echo "usage: mk/deps.sh [build|test|bench|fuzz|all]" >&2; exit 2 ;;
esac

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=""
for p in $want; do
	installed "$p" || missing="$missing $p"
done
missing="${missing# }"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "keel: installing Debian packages: $missing"
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine has no package lists yet; refresh them when a package is unknown.
	if ! apt-get install -y -q --no-install-recommends $missing >/tmp/keel-apt.log 2>&1; then
		apt-get update -q >>/tmp/keel-apt.log 2>&1
		apt-get install -y -q --no-install-recommends $missing >>/tmp/keel-apt.log 2>&1
	fi
fi

still=""
for p in $need; do
	installed "$p" || still="$still $p"
done
still="${still# }"
if [ -n "$still" ]; then
	echo "keel: missing Debian packages: $still" >&2
	echo "keel: install them with:  sudo apt-get install -y $still" >&2
	[ -f /tmp/keel-apt.log ] && [ "$(id -u)" = 0 ] && echo "keel: (apt-get's output is in /tmp/keel-apt.log)" >&2
	exit 1
fi
exit 0
