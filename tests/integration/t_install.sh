# Integration: make install into a temporary DESTDIR (PREFIX=/usr) puts keel, keel(1), the bash completion and the gdb helper (share/keel/keel-gdb.py) in place; the page renders without warnings and names every option the binary prints; make uninstall removes all four.
# shellcheck shell=bash
# shellcheck disable=SC2154  # here: set by run.sh, which sources this file

inst_root=$(cd "$here/../.." && pwd)
inst_dest="$TMP/destdir"
inst_bin="$inst_dest/usr/bin/keel"
inst_man="$inst_dest/usr/share/man/man1/keel.1"
inst_comp="$inst_dest/usr/share/bash-completion/completions/keel"
inst_gdbpy="$inst_dest/usr/share/keel/keel-gdb.py"
inst_version=$(cat "$inst_root/VERSION")

# inst_make TARGET : make TARGET into $inst_dest with PREFIX=/usr, for the keel under test (INSTALL_KEEL:
# nothing is built, whichever of the plain or sanitizer build is being tested); output in $TMP/out, $TMP/err
inst_make() {
	make -C "$inst_root" --no-print-directory "$1" DESTDIR="$inst_dest" PREFIX=/usr INSTALL_KEEL="$KEEL" V=0 \
		>"$TMP/out" 2>"$TMP/err"
}

# inst_file NAME PATH MODE : PATH is a regular file with permissions MODE (octal, as stat prints them)
inst_file() {
	local mode
	if [ ! -f "$2" ]; then
		fail "install/$1" "make install did not create ${2#"$inst_dest"}"
		return
	fi
	mode=$(stat -c %a "$2")
	if [ "$mode" != "$3" ]; then fail "install/$1" "${2#"$inst_dest"} has mode $mode, expected $3"
	else pass "install/$1"; fi
}

# inst_complete WORD... : run the completion on the command line WORD... (the last word is the one
# being completed) in a fresh bash; the candidates, one per line, in $TMP/complete
inst_complete() {
	bash -c 'source "$1" && shift && COMP_WORDS=("$@") && COMP_CWORD=$(($# - 1)) && _keel &&
		printf "%s\n" "${COMPREPLY[@]}"' inst_complete "$inst_comp" "$@" >"$TMP/complete" 2>"$TMP/err"
}

# inst_options [TEXT-FILE] : the long options a --help text (default: stdin) names, one per line
inst_options() {
	grep -oE -- '--[a-z][a-z-]*' "${1:--}" | sort -u
}

: >"$TMP/out"
: >"$TMP/err"
rm -rf "$inst_dest"
if ! inst_make install; then
	fail "install/make" "make install DESTDIR=$inst_dest PREFIX=/usr failed"
elif grep -qv '^  INSTALL ' "$TMP/out"; then
	fail "install/make" "make install did more than install (it must not build anything when given INSTALL_KEEL)"
else
	pass "install/make"
fi
inst_file binary "$inst_bin" 755
inst_file manpage "$inst_man" 644
inst_file completion "$inst_comp" 644
inst_file gdb-helper "$inst_gdbpy" 644
inst_extra=$(cd "$inst_dest" 2>/dev/null && find . ! -type d | sort | grep -vxF -e ./usr/bin/keel \
	-e ./usr/share/man/man1/keel.1 -e ./usr/share/bash-completion/completions/keel \
	-e ./usr/share/keel/keel-gdb.py | tr '\n' ' ')
check install/only-four "make install created other files: $inst_extra" [ -z "$inst_extra" ]

: >"$TMP/out"
: >"$TMP/err"
if [ -x "$inst_bin" ]; then
	inst_got=$("$inst_bin" --version 2>"$TMP/err")
	check install/binary-runs "installed keel --version printed '$inst_got', expected 'keel $inst_version'" \
		[ "$inst_got" = "keel $inst_version" ]
	check install/binary-is-tested-one "the installed keel differs from $KEEL" cmp -s "$inst_bin" "$KEEL"
fi

if [ -f "$inst_man" ]; then
	check install/man-version "the installed page's .TH line lacks \"keel $inst_version\"" \
		grep -qE "^\.TH KEEL 1 .*\"keel $inst_version\"" "$inst_man"
	if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
		fail "install/man-renders" "man or groff is not installed (Debian packages man-db, groff-base)"
	else
		# every troff warning (w), at a fixed width and locale; any line on stderr is a failure
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -l "$inst_man" >"$TMP/man.txt" 2>"$TMP/man.err"
		inst_s=$?
		if [ "$inst_s" -ne 0 ]; then
			fail "install/man-renders" "man -l exited with status $inst_s: $(head -n 3 "$TMP/man.err")"
		elif [ -s "$TMP/man.err" ]; then
			fail "install/man-renders" "man -l printed warnings: $(head -n 5 "$TMP/man.err")"
		elif ! grep -q '^KEEL(1)' "$TMP/man.txt"; then
			fail "install/man-renders" "the rendered page has no KEEL(1) header"
		else
			inst_missing=
			for inst_sec in NAME SYNOPSIS DESCRIPTION 'KEEL RUN' 'KEEL BENCH' 'EXIT STATUS' ENVIRONMENT FILES EXAMPLES 'SEE ALSO'; do
				grep -qx "$inst_sec" "$TMP/man.txt" || inst_missing="$inst_missing '$inst_sec'"
			done
			if [ -n "$inst_missing" ]; then fail "install/man-renders" "the rendered page lacks the sections$inst_missing"
			else pass "install/man-renders"; fi
		fi
		inst_whatis=$(lexgrog "$inst_man" 2>&1)
		check install/man-whatis "lexgrog cannot read the NAME section: $inst_whatis" \
			grep -qF 'keel - ' <<<"$inst_whatis"
	fi

	# the page's text with roff's escapes for hyphens and fonts taken out, to search for options
	sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\%//g' "$inst_man" >"$TMP/man.src"
	"$KEEL" --help >"$TMP/help.run" 2>&1
	"$KEEL" bench --help >"$TMP/help.bench" 2>&1
	"$KEEL" firecracker --help >"$TMP/help.fc" 2>&1
	inst_missing=
	inst_n=0
	for inst_opt in $(cat "$TMP/help.run" "$TMP/help.bench" "$TMP/help.fc" | inst_options) -v -q -h -V; do
		inst_n=$((inst_n + 1))
		grep -qE -- "(^|[^a-z-])$inst_opt([^a-z-]|\$)" "$TMP/man.src" || inst_missing="$inst_missing $inst_opt"
	done
	inst_paths=$(sed -n '/^  --paths/{s/.*paths: *//;p;n;p;}' "$TMP/help.bench")
	for inst_p in $inst_paths; do
		inst_n=$((inst_n + 1))
		grep -qE -- "(^|[^a-z-])$inst_p([^a-z-]|\$)" "$TMP/man.src" || inst_missing="$inst_missing $inst_p"
	done
	if [ "$inst_n" -lt 35 ]; then
		fail "install/man-options" "found only $inst_n options and bench paths in keel --help and keel bench --help"
	elif [ -n "$inst_missing" ]; then
		fail "install/man-options" "keel(1) does not mention:$inst_missing (printed by keel --help or keel bench --help)"
	else
		pass "install/man-options"
	fi
fi

if [ -f "$inst_comp" ]; then
	: >"$TMP/err"
	inst_got=$(bash -c 'source "$1" && complete -p keel' inst_complete "$inst_comp" 2>"$TMP/err")
	check install/completion-registered "sourcing the completion gave '$inst_got', expected 'complete -F _keel keel'" \
		[ "$inst_got" = "complete -F _keel keel" ]
	inst_complete keel run --vir
	check install/completion-option "keel run --vir completed to '$(tr '\n' ' ' <"$TMP/complete")', expected --virtio-transport" \
		[ "$(cat "$TMP/complete")" = "--virtio-transport" ]
	inst_complete keel run --virtio-transport ''
	check install/completion-value "keel run --virtio-transport completed to '$(tr '\n' ' ' <"$TMP/complete")', expected pci mmio" \
		[ "$(sort "$TMP/complete" | tr '\n' ' ')" = "mmio pci " ]
	# the other options with a fixed set of values: OPTION=VALUES (as keel --help lists them)
	for inst_spec in '--boot-protocol=auto linux multiboot multiboot2 pvh' '--host-workarounds=auto off on' '--reboot=exit restart' '--input=keyboard tablet' '--gpu=2d virgl'; do
		inst_opt=${inst_spec%%=*}
		inst_want=$(tr ' ' '\n' <<<"${inst_spec#*=}" | sort | tr '\n' ' ')
		inst_complete keel run "$inst_opt" ''
		check "install/completion-value/${inst_opt#--}" \
			"keel run $inst_opt completed to '$(tr '\n' ' ' <"$TMP/complete")', expected ${inst_spec#*=}" \
			[ "$(sort "$TMP/complete" | tr '\n' ' ')" = "$inst_want" ]
	done
	inst_complete keel ''
	check install/completion-commands "keel completed to '$(tr '\n' ' ' <"$TMP/complete")', expected run bench firecracker --help --version" \
		[ "$(sort "$TMP/complete" | tr '\n' ' ')" = "--help --version bench firecracker run " ]
	# every option the binary prints is offered (the completion cannot drift from the binary either)
	inst_complete keel run -
	inst_missing=$(inst_options "$TMP/help.run" | grep -vxF -e --version -e --option | grep -vxF -f "$TMP/complete" | tr '\n' ' ')
	check install/completion-run-options "keel run - does not offer: $inst_missing" [ -z "$inst_missing" ]
	inst_complete keel bench -
	inst_missing=$(inst_options "$TMP/help.bench" | grep -vxF -e --option | grep -vxF -f "$TMP/complete" | tr '\n' ' ')
	check install/completion-bench-options "keel bench - does not offer: $inst_missing" [ -z "$inst_missing" ]
	"$KEEL" firecracker --help >"$TMP/help.fc" 2>&1
	inst_complete keel firecracker -
	inst_missing=$(inst_options "$TMP/help.fc" | grep -vxF -e --start-time-us -e --start-time-cpu-us -e --parent-cpu-time-us \
		-e --mmds-size-limit | grep -vxF -f "$TMP/complete" | tr '\n' ' ')
	check install/completion-firecracker-options "keel firecracker - does not offer: $inst_missing" [ -z "$inst_missing" ]
	inst_complete keel bench --paths ''
	inst_missing=$(for inst_p in $inst_paths; do echo "$inst_p"; done | grep -vxF -f "$TMP/complete" | tr '\n' ' ')
	[ -n "$inst_paths" ] || inst_missing="(keel bench --help lists no paths)"
	check install/completion-bench-paths "keel bench --paths does not offer: $inst_missing" [ -z "$inst_missing" ]
fi

: >"$TMP/out"
: >"$TMP/err"
if ! inst_make uninstall; then
	fail "install/uninstall" "make uninstall DESTDIR=$inst_dest PREFIX=/usr failed"
else
	inst_left=$(cd "$inst_dest" 2>/dev/null && find . ! -type d | sort | tr '\n' ' ')
	check install/uninstall "make uninstall left: $inst_left" [ -z "$inst_left" ]
fi
rm -rf "$inst_dest"
