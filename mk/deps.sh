#!/usr/bin/env bash
# The one list of the Debian packages keel needs, by purpose; installs the missing ones as root with apt, else prints the apt-get line.
# Usage: mk/deps.sh [PURPOSE...]   PURPOSE: build run test bench profile fuzz soak fresh all (default: build run)
#        mk/deps.sh --list [PURPOSE...]   print the packages of those purposes, one line, and exit
set -u
set -o pipefail

# purpose   what it is for                                        packages ("?" marks an optional one:
#                                                                  installed when it can be, never required)
pkgs_build="gcc make libc6-dev linux-libc-dev pkg-config libfdt-dev liburing-dev libjansson-dev zlib1g-dev liblzma-dev liblz4-dev libzstd-dev libbz2-dev liblzo2-dev libvirglrenderer-dev libvncserver-dev libpng-dev libmicrohttpd-dev libseccomp-dev"
#   the VMM (keel), the bundled guest (links Debian's static libfdt), the generated configuration header;
#   virglrenderer (--gpu virgl), libvncserver (--display vnc), libpng (screenshots),
#   libmicrohttpd (--api-sock: Firecracker's API), libseccomp (the system-call filters)
pkgs_run="libegl1 libegl-mesa0 libgl1-mesa-dri libopengl0"
#   `keel run`: liburing, jansson, virglrenderer, libvncserver and libpng come with their -dev packages
#   (libfdt is linked statically); --gpu virgl renders through EGL on Mesa (llvmpipe when the host has
#   no GPU) and OpenGL's glvnd library (libepoxy aborts without it), which virglrenderer's package does
#   not pull in; /dev/kvm comes from the host's kernel
pkgs_test="check libsubunit-dev curl qemu-system-x86 gdb python3 jq iproute2 iputils-ping procps util-linux bsdutils
	coreutils man-db groff-base lz4 acpica-tools e2fsprogs"
#   `make test`: Check for the unit tests; QEMU to compare the guest against; gdb for the stub's
#   tests and the README's transcript (python3 drives it); jq for bench JSON; ip/ping for the
#   network tests (tap, netns); pgrep (procps); setpriv, unshare (util-linux); script (bsdutils);
#   man for the installed page; lz4 unpacks the vmlinux from Debian's bzImage (t_linux_formats.sh);
#   iasl (acpica-tools) disassembles keel's ACPI tables (t_acpi.sh); debugfs (e2fsprogs) reads the
#   files the Linux guest wrote from its disk image (t_linux.sh); libc6-dev's libc.a links the guest's
#   static helper (tests/linux/keeltest.c).
#   The suite also runs `keel bench --plot`: it needs the bench set.
pkgs_bench="qemu-system-x86 strace gnuplot-nox jq python3"
#   make bench, bench-agree, bench-startup (strace times exec to the first KVM_RUN), bench-net
pkgs_profile="bpftrace python3"
#   make profile-linux: bpftrace counts the guest's emulated instructions and exits (kvm tracepoints)
pkgs_fuzz="clang libclang-rt-dev"
#   make fuzz: libFuzzer and its sanitizer runtimes
pkgs_soak="time python3"
#   make soak: /usr/bin/time reads each keel's peak RSS; python3 runs the console listener and the load peer
pkgs_fresh="mmdebstrap"
#   make fresh-check: builds a new Debian 12 root to run the README's commands in

purposes_of() {	# expand the purposes a command line names (test includes what the suite touches)
	local p
	for p in "$@"; do
		case "$p" in
		build | run | bench | profile | fuzz | soak | fresh) echo "$p" ;;
		test) echo build run test bench ;;
		all) echo build run test bench profile fuzz soak fresh ;;
		*) echo "mk/deps.sh: unknown purpose '$p' (build run test bench profile fuzz soak fresh all)" >&2; return 2 ;;
		esac
	done
}

list=0
[ "${1:-}" = "--list" ] && { list=1; shift; }
[ $# -eq 0 ] && set -- build run
purposes=$(purposes_of "$@" | tr "\n" " ") || exit 2
purposes=${purposes% }

want="" need=""
for p in $purposes; do
	var="pkgs_$p"
	for pkg in ${!var}; do
		case " $want " in *" ${pkg#\?} "*) continue ;; esac
		want="$want ${pkg#\?}"
		[ "${pkg#\?}" = "$pkg" ] && need="$need $pkg"
	done
done
want="${want# }"
need="${need# }"
if [ "$list" = 1 ]; then
	echo "$want"
	exit 0
fi

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}
missing_of() {
	local p out=""
	for p in $1; do installed "$p" || out="$out $p"; done
	echo "${out# }"
}

missing=$(missing_of "$want")
[ -z "$missing" ] && exit 0

log=${TMPDIR:-/tmp}/keel-apt.log
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "keel: installing Debian packages ($purposes): $missing"
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine has no package lists yet: refresh them first when a package is unknown to apt.
	if ! apt-get install -y -q --no-install-recommends $missing >"$log" 2>&1; then
		apt-get update -q >>"$log" 2>&1
		if ! apt-get install -y -q --no-install-recommends $missing >>"$log" 2>&1; then
			# an optional package the mirror lacks must not stop the required ones
			apt-get install -y -q --no-install-recommends $(missing_of "$need") >>"$log" 2>&1
		fi
	fi
fi

still=$(missing_of "$need")
if [ -n "$still" ]; then
	echo "keel: missing Debian packages: $still" >&2
	echo "keel: install them with:  sudo apt-get install -y --no-install-recommends $still" >&2
	[ -f "$log" ] && [ "$(id -u)" = 0 ] && echo "keel: (apt-get's output is in $log)" >&2
	exit 1
fi
exit 0
