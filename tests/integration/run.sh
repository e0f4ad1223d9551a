#!/usr/bin/env bash
# Integration tests: boot the bundled guest through the real keel binary and feed it every kind of bad input.
# Usage: KEEL=build/keel GUEST_ELF=build/guest/keel-guest.elf ELFPATCH=build/tests/tools/elfpatch tests/integration/run.sh
# ONLY=NAME runs only tests/integration/t_NAME.sh (a glob: ONLY='net*'); `make integration ONLY=...` passes it on.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
KEEL=$(realpath "$KEEL")
: "${GUEST_ELF:?}" "${ELFPATCH:?}"

echo "# keel integration tests ($KEEL)"
for f in "$here"/t_${ONLY:-*}.sh; do
	[ -e "$f" ] || { echo "no tests/integration/t_${ONLY:-*}.sh" >&2; exit 2; }
	# shellcheck source=/dev/null
	. "$f"
done
summary
