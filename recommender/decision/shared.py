"""Results from forked workers through memory they share with the parent, not pickled through a pipe.

A batch's decisions are some 24 KB each; pickled, sent through a pipe, gathered by multiprocessing
and unpickled, they cost the parent about as much CPU as a worker spent serializing them. Instead
each worker copies a result's bytes into its own ring (an anonymous shared mapping made before the
fork) and returns only where they are; the parent reads them in place and frees them once written.
A result that finds no room (the parent has not yet taken what is ahead of it, or it is larger than
the ring) travels as bytes, as before: the ring saves work, it is never needed.
"""

from __future__ import annotations

import mmap
from typing import Optional

RING_BYTES = 16 * 2**20  # per worker: a window of chunks of decisions and their records


class Ring:
    """One worker's ring: it writes results in order, the parent takes and frees them in the same order."""

    def __init__(self, size: Optional[int] = None):
        self.size = size = size or RING_BYTES
        self._memory = mmap.mmap(-1, size + 8)  # anonymous and shared: forked workers write what the parent reads
        self._freed = memoryview(self._memory)[:8].cast("Q")  # how far the parent has freed (only it writes this)
        self._data = memoryview(self._memory)[8:]
        self._written = 0  # how far the worker has written (its own copy, after the fork)

    def put(self, parts: list[bytes], total: int) -> Optional[tuple[int, int]]:
        """PARTS (TOTAL bytes in all) copied in one after the other, never wrapping round the end:
        (start, end) to give the parent, or None when there is no room."""
        at = self._written % self.size
        skipped = self.size - at if at + total > self.size else 0
        if skipped + total > self.size - (self._written - self._freed[0]):
            return None
        start = self._written + skipped
        offset = start % self.size
        for part in parts:
            self._data[offset:offset + len(part)] = part
            offset += len(part)
        self._written = start + total
        return start, self._written

    def view(self, start: int, end: int) -> memoryview:
        """What was put between START and END, in place (valid until it is freed)."""
        offset = start % self.size
        return self._data[offset:offset + end - start]

    def free(self, end: int) -> None:
        """Everything put up to END has been used: the worker may write over it."""
        self._freed[0] = end
