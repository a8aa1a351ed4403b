"""store/heap.py: on glibc (this project's Linux machines) the mmap threshold is fixed and free
heap pages are returned, so twelve snapshot-sized buffers grown and freed on worker threads,
with small objects allocated meanwhile, leave no resident memory behind (without the two
calls the same probe leaves about 50 MB: glibc's raised threshold puts the buffers in thread
heaps that the small objects pin)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from condor.store.heap import _glibc

PROBE = """
import io
from concurrent.futures import ThreadPoolExecutor
import psutil
from condor.store.heap import limit_heap_growth, release_free_heap
assert limit_heap_growth()
p = psutil.Process()
keep = []
pool = ThreadPoolExecutor(4)  # commits (and so snapshots) run on worker threads

def snapshot(i):  # a pickle growing in a BytesIO, its value, the driver's copy
    b = io.BytesIO()
    chunk = b"x" * 4096
    for j in range(6_000 + i * 300):
        b.write(chunk)
        if j % 50 == 0:
            keep.append(bytes(200))  # small objects that outlive the snapshot
    v = b.getvalue()
    del b
    w = bytes(v)
    del v, w

base = p.memory_info().rss
for i in range(12):
    pool.submit(snapshot, i).result()
    release_free_heap()
print((p.memory_info().rss - base) // 2**20)
"""


@pytest.mark.skipif(_glibc() is None, reason="not glibc: the functions do nothing")
def test_freed_snapshot_buffers_leave_no_resident_memory():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    grown_mb = int(out.stdout.strip())
    assert grown_mb < 10, f"resident set grew {grown_mb} MB over twelve 24+ MB buffers"
