# Integration: the layering rule of docs/ARCHITECTURE.md holds for the sources, and the checker catches a breach (an upward include, a loop across folders).
# shellcheck shell=bash

LAYERS_PY="$here/../tools/layers.py"
SRC_ROOT="$here/../.."
python3 "$LAYERS_PY" "$SRC_ROOT" >"$TMP/out" 2>"$TMP/err"
STATUS=$?
expect_status "layers/tree" 0
check "layers/tree/says-why" "no verdict line" out_has "every include goes down or sideways, no loop across folders"
check "layers/no-vm-h-below" "a file under devices/ or vcpu/ includes vmm/vm.h or the gdb stub" \
	bash -c "! grep -rlE '#include \"vmm/(vm\\.h|gdb/)' '$SRC_ROOT/devices' '$SRC_ROOT/vcpu'"

# A copy with one upward include, then one with a loop across folders: both refused, by name.
lc="$TMP/layers-copy"
mkdir -p "$lc"
cp -r "$SRC_ROOT/firmware" "$SRC_ROOT/vmm" "$SRC_ROOT/vcpu" "$SRC_ROOT/devices" "$lc/"
printf '#include "vmm/vm.h"\n' >>"$lc/devices/pm.c"
python3 "$LAYERS_PY" "$lc" >"$TMP/out" 2>"$TMP/err"
STATUS=$?
expect_status "layers/upward-include/status" 1
check "layers/upward-include/named" "the breach is not named" out_has "devices/pm (devices) includes vmm/vm.h (vm)"
cp "$SRC_ROOT/devices/pm.c" "$lc/devices/pm.c"
printf '#include "devices/virtio/host.h"\n' >>"$lc/devices/pci.c"
python3 "$LAYERS_PY" "$lc" >"$TMP/out" 2>"$TMP/err"
STATUS=$?
expect_status "layers/loop/status" 1
check "layers/loop/named" "the loop is not named" grep -q "include loop across folders: .*devices/pci.*devices/virtio/host" "$TMP/out"
