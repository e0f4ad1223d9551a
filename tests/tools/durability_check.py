#!/usr/bin/env python3
"""Check an image the bundled guest's exit=durability wrote before keel was killed (tests/integration/t_durability.sh).

Usage: durability_check.py IMAGE SEED FLUSHED

It replays the guest's schedule (guest/kernel/durability.h): splitmix64 seeded with SEED; batch
B makes 1 + r % 4 writes, write j of 1 + r % 8 sectors starting at j * lane + r % (lane - len + 1),
each r the next number, lane = sectors // 4, writes numbered from 1. FLUSHED is the last batch
whose "durability: flushed" line keel printed: every write of batches 1..FLUSHED completed
before that flush did. So each sector must hold exactly what the last of those writes to it left
(zeros when none did), or what a later write to it left (batches after FLUSHED may have been in
flight at the kill). Prints one line per bad sector (at most 20) and exits 1 when there is one.
"""
import struct
import sys

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
SEQ_MUL = 0xC2B2AE3D27D4EB4F
MAGIC = 0x315255444C45454B  # "KEELDUR1"
LANES, MAX_SECTORS, SECTOR, WORDS = 4, 8, 512, 64


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def pattern(seed, sector, seq):
    h = mix(seed ^ (sector * GOLDEN & M64) ^ (seq * SEQ_MUL & M64))
    words = [MAGIC, seed, sector, seq] + [h ^ (i * GOLDEN & M64) for i in range(4, WORDS)]
    return struct.pack("<%dQ" % WORDS, *words)


class Schedule:
    """The guest's writes, batch by batch: for each write number, (batch, first sector, sectors)."""

    def __init__(self, seed, sectors):
        self.rng, self.lane, self.writes, self.batches = seed, sectors // LANES, [None], 0

    def next(self):
        self.rng = (self.rng + GOLDEN) & M64
        return mix(self.rng)

    def batch(self):
        self.batches += 1
        for j in range(1 + self.next() % LANES):
            n = 1 + self.next() % MAX_SECTORS
            start = j * self.lane + self.next() % (self.lane - n + 1)
            self.writes.append((self.batches, start, n))

    def covers(self, seq, sector):
        _, start, n = self.writes[seq]
        return start <= sector < start + n


def main():
    path, seed, flushed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    data = open(path, "rb").read()
    sectors = len(data) // SECTOR
    sched = Schedule(seed, sectors)
    while sched.batches < flushed:
        sched.batch()
    last = {}  # sector -> the last write to it in batches 1..flushed
    for seq, (_, start, n) in enumerate(sched.writes[1:], 1):
        for s in range(start, start + n):
            last[s] = seq
    acked = len(sched.writes) - 1
    bad = []
    for s in range(sectors):
        got = data[s * SECTOR:(s + 1) * SECTOR]
        want = last.get(s, 0)
        magic, gseed, gsector, seq = struct.unpack_from("<4Q", got)
        if got == bytes(SECTOR):
            if want:
                bad.append("sector %d: zeros, but write %d (batch %d) put its pattern there before flush %d"
                           % (s, want, sched.writes[want][0], flushed))
            continue
        if magic != MAGIC or gseed != seed or gsector != s:
            bad.append("sector %d: not this run's pattern for it (magic %#x seed %d sector %d)" % (s, magic, gseed, gsector))
            continue
        while seq >= len(sched.writes) and sched.batches < flushed + 100000:
            sched.batch()
        if seq >= len(sched.writes) or not sched.covers(seq, s):
            bad.append("sector %d: holds write %d, which never wrote it" % (s, seq))
        elif seq < want:
            bad.append("sector %d: holds write %d, but write %d (batch %d) overwrote it before flush %d"
                       % (s, seq, want, sched.writes[want][0], flushed))
        elif got != pattern(seed, s, seq):
            bad.append("sector %d: write %d's header, other bytes" % (s, seq))
    late = sum(1 for s in range(sectors) if data[s * SECTOR:s * SECTOR + 8] == struct.pack("<Q", MAGIC)
               and struct.unpack_from("<Q", data, s * SECTOR + 24)[0] > acked)
    for line in bad[:20]:
        print(line)
    print("%d sectors, %d written through flush %d (writes 1-%d), %d hold later writes, %d bad"
          % (sectors, len(last), flushed, acked, late, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
