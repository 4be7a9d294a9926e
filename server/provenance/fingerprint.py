"""Content fingerprints of line ranges.

`content_hash` decides whether a review still holds, so it keeps indentation (meaningful in Python)
but ignores trailing whitespace, line endings and blank lines, which change no behaviour.
`line_fingerprint` is short and indentation-blind: it is stored per line so a span can be found again
after someone else moved or re-indented it.
"""

from __future__ import annotations

import hashlib
from typing import Sequence

HASH_PREFIX = "tabguard-sha256:"


def content_hash(lines: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for line in lines:
        line = line.rstrip()
        if line:
            digest.update(line.encode("utf-8", "surrogatepass"))
            digest.update(b"\n")
    return HASH_PREFIX + digest.hexdigest()[:32]


def line_fingerprint(line: str) -> str:
    return hashlib.blake2b(line.strip().encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
