"""Giving the memory of a snapshot back to the operating system (glibc's allocator).

A snapshot pickles the engine into one buffer of tens of MB (``snapshot.dump_engine``), which
the database driver copies again. glibc raises its mmap threshold to the size of the largest
buffer freed so far (up to 32 MB), so after the first snapshot such buffers come from the heap,
where small objects allocated meanwhile pin them: without help, every snapshot leaves the
resident set higher than the one before (measured with ``bench/load.py --minutes``: a step of
about 100 MB per snapshot). ``limit_heap_growth`` fixes the threshold, so large buffers are
always mapped on their own and unmapped when freed; ``release_free_heap`` asks glibc to return
the free pages of its heaps (``malloc_trim``), called after each snapshot (by the server
after each forked snapshot child ends, so about every ``snapshot_every`` inputs: the stream's
replay ring and the read answers churn strings too big for Python's small-object allocator,
and the holes they leave in glibc's heaps are handed back then).

Both do nothing where the C library is not glibc (musl, macOS): correctness never depends on
them, only the resident set size does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

M_MMAP_THRESHOLD = -3  # glibc <malloc.h>
MMAP_THRESHOLD = 512 * 1024
"""Allocations at least this large are mapped on their own (bytes; glibc's default is 128 KiB,
raised dynamically up to 32 MiB)."""


@cache
def _glibc():
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    if not hasattr(libc, "mallopt") or not hasattr(libc, "malloc_trim"):
        return None
    return libc


def limit_heap_growth() -> bool:
    """Fix glibc's mmap threshold (see the module doc). True when it was set."""
    libc = _glibc()
    return bool(libc is not None and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def release_free_heap() -> bool:
    """Return free heap pages to the operating system. True when glibc released some."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0))
