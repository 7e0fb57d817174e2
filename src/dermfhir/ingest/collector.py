"""The cyclic garbage collector during an import: paused while the import streams, one pass per chunk instead.

An import builds, serialises and validates trees of JSON data (dicts, lists, strings): acyclic, and freed by
reference counting as soon as their chunk is written. With the collector's default thresholds (a pass every 700
new container objects), its passes walked the chunks being built, in flight and validated again and again: on an
ISIC 2020-sized import, about a fifth of the importing process's CPU time and a tenth of each validation worker's,
for no garbage (the import's peak memory is the same without the collector). So automatic collection is paused for
the import (`paused`; validation workers forked meanwhile inherit the pause), and each finished chunk is followed by
one pass over the objects made since the previous one (`chunk_done`), so that a cycle a chunk did make is still
reclaimed and memory stays flat.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Automatic collection off inside the block (as it was after it), with one pass of the young generations at
    its end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect(1)
        if enabled:
            gc.enable()


def chunk_done() -> None:
    """While automatic collection is paused: one pass over the objects made since the last one (generations 0 and 1;
    the survivors move to the oldest generation and are not walked again)."""
    if not gc.isenabled():
        gc.collect(1)
