"""Seeded structural mutations of protocol bytes: the fuzz suites' source of almost-valid messages.

A mutation keeps most of a valid message and breaks one thing (a bit, a length word,
a cut, a splice), which reaches deeper into a decoder than random bytes do.
"""

from __future__ import annotations

import random
import struct

INTERESTING_INT32 = (0, 1, 3, 4, 5, 8, -1, -4, 0x7FFFFFFF, -0x80000000, 0xFFFF, 0x10000, 10_001, 65_540)


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One random structural change to ``data``: a flipped bit, a changed length word, a cut, a splice."""
    out = bytearray(data)
    if not out:
        return bytes(rng.randbytes(rng.randint(1, 16)))
    kind = rng.randrange(8)
    at = rng.randrange(len(out))
    if kind == 0:
        out[at] ^= 1 << rng.randrange(8)
    elif kind == 1:
        out[at] = rng.randrange(256)
    elif kind == 2:
        out[at:at] = rng.randbytes(rng.randint(1, 32))
    elif kind == 3:
        del out[at : at + rng.randint(1, 16)]
    elif kind == 4:
        end = min(len(out), at + rng.randint(1, 32))
        out[at:at] = out[at:end]
    elif kind == 5:
        del out[rng.randint(0, len(out) - 1) :]
    elif kind == 6 and len(out) >= 4:
        at = min(at, len(out) - 4)
        value = rng.choice(INTERESTING_INT32)
        out[at : at + 4] = struct.pack("!I", value & 0xFFFFFFFF)
    else:
        out += rng.randbytes(rng.randint(1, 64))
    return bytes(out)


def mutate_many(rng: random.Random, data: bytes) -> bytes:
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        data = mutate(rng, data)
    return data
