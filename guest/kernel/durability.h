/* exit=durability: seed-derived batches of writes, each followed by a flush, until keel is killed. */
#ifndef KEEL_GUEST_KERNEL_DURABILITY_H
#define KEEL_GUEST_KERNEL_DURABILITY_H

/*
 * On the first virtio-blk disk, forever (tests/integration/t_durability.sh kills keel): batch
 * B = 1, 2, ... posts 1-4 writes of 1-8 sectors each (one per quarter of the disk, so a batch's
 * writes never overlap) and a flush behind them, all at once; once every completion is in and
 * the flush came after the batch's writes, it posts batch B + 1, then prints "durability: flushed
 * B through write W" (W: batch B's last write's number, writes counted from 1). Sizes and places come from splitmix64 seeded with
 * durability.seed= (default 1). Each sector written holds 64 little-endian words: "KEELDUR1",
 * the seed, the sector, the write's number, then h ^ (i * 0x9e3779b97f4a7c15) for word i, h the
 * splitmix64 finalizer of seed ^ sector * 0x9e3779b97f4a7c15 ^ number * 0xc2b2ae3d27d4eb4f.
 * Anything wrong prints a line starting "durability: FAIL" and halts. Never returns.
 */
__attribute__((noreturn)) void durability_run(const char *cmdline);

#endif
