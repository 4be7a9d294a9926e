"""A Bloom filter: "is this name on the package index?" for ~900k names in about a megabyte.

False positives (a missing name reported present) happen at the rate chosen when building; there
are no false negatives, so a name it rejects is certainly not in the snapshot.
"""

from __future__ import annotations

import base64
import hashlib
import math
from typing import Iterable


class Bloom:
    def __init__(self, bits: bytearray, hashes: int):
        self.bits = bits
        self.size = len(bits) * 8
        self.hashes = hashes

    @classmethod
    def build(cls, items: Iterable[str], count: int, error_rate: float) -> "Bloom":
        size = max(8, int(-count * math.log(error_rate) / math.log(2) ** 2))
        hashes = max(1, round(size / count * math.log(2)))
        bloom = cls(bytearray((size + 7) // 8), hashes)
        for item in items:
            for index in bloom._indexes(item):
                bloom.bits[index >> 3] |= 1 << (index & 7)
        return bloom

    def _indexes(self, item: str):
        digest = hashlib.blake2b(item.encode("utf-8"), digest_size=16).digest()
        first = int.from_bytes(digest[:8], "little")
        step = int.from_bytes(digest[8:], "little") | 1
        for i in range(self.hashes):
            yield (first + i * step) % self.size

    def __contains__(self, item: str) -> bool:
        bits = self.bits
        return all(bits[i >> 3] & (1 << (i & 7)) for i in self._indexes(item))

    def to_json(self) -> dict:
        return {"hashes": self.hashes, "bits": base64.b64encode(bytes(self.bits)).decode("ascii")}

    @classmethod
    def from_json(cls, data: dict) -> "Bloom":
        return cls(bytearray(base64.b64decode(data["bits"])), data["hashes"])
