"""Group commit: many submissions share one transaction and one fsync.

Invariant: a submission's future resolves only after the transaction holding its input has
committed (acknowledge only what is durable). Submissions are applied to the engine in queue
order by one task (the single writer); a batch closes when it holds ``max_batch`` inputs, or
when the queue is empty and ``max_wait_ms`` has passed since the batch's first input (0: as soon
as the queue is empty). The commit runs in a dedicated thread, so submitters keep queueing while
it runs and the next batch is as large as the load. A commit that raises has an outcome only
the database knows (a connection lost at COMMIT: the batch may be stored or rolled back), so
the committer asks it (``Store.has_input``): a stored batch is acknowledged like any other; a
batch it does not hold is written again (``RETRIES`` times) on a new connection, since the
engine state it describes is intact. If the batch stays unstored, every submission of it fails
with the StoreError, and the committer refuses everything after it (``failed``): the engine
has moved past what is stored, so only a restart (recovery from the journal) may accept orders
again. When the database cannot even be asked, the failure is ``CommitUnknown`` (the batch may
be stored: a restart recovers it if it is). An engine that raises while it applies an input (a
bug) is treated as an unstored batch (``EngineFault``): it may have changed part of its state
for an input the journal does not hold, so acknowledging anything after it would store a
history that no longer replays; the batch is refused and a restart recovers the state the
journal holds.

Hooks: ``on_commit()`` runs on the event loop after a batch is durable and before its
submitters are answered (publish what the batch did); ``on_abort(error)`` runs instead when the
commit failed (drop it). ``lock`` (a context manager, e.g. a ``threading.RLock``) is held while
an input is applied, for readers in other threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from condor.store.errors import CommitUnknown, EngineFault, StoreError
from condor.store.journal import Store
from condor.store.recorder import Applied, Recorder, default_response

log = logging.getLogger("condor.store")

RETRIES = 2
"""Writes of a batch after a failed commit the database says it does not hold (a lost
connection, a transient lock); a failure that persists (full disk, broken schema) then stops
the writer as before."""


class GroupCommitter:
    """Args: ``recorder`` (engine + journal numbering), ``store``, ``max_batch`` inputs per
    transaction, ``max_wait_ms`` extra wait for company, ``snapshotter`` (optional; asked after
    each commit), ``on_commit`` / ``on_abort`` / ``lock`` (see the module doc)."""

    def __init__(
        self,
        recorder: Recorder,
        store: Store,
        max_batch: int = 512,
        max_wait_ms: float = 0.0,
        snapshotter=None,
        on_commit: Callable[[], None] | None = None,
        on_abort: Callable[[BaseException], None] | None = None,
        lock=None,
    ) -> None:
        self.recorder = recorder
        self.store = store
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000.0
        self.snapshotter = snapshotter
        self.on_commit = on_commit
        self.on_abort = on_abort
        self.lock = lock if lock is not None else contextlib.nullcontext()
        self.failed: BaseException | None = None
        self.commits = 0
        self.acked = 0
        self._queue: asyncio.Queue | None = None
        self._task: asyncio.Task | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="condor-commit")

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._task = asyncio.create_task(self._run(), name="condor-group-commit")

    async def stop(self) -> None:
        """Commit what is queued, then stop."""
        if self._task is not None:
            await self._queue.put(None)
            await self._task
            self._task = None
        self._pool.shutdown(wait=True)

    async def submit(
        self, inp, key: tuple[str, str] | None = None, respond=default_response
    ) -> Applied:
        """Apply ``inp`` and return once it is durable. Raises StoreError when it could not be
        stored (the input must then be treated as not accepted)."""
        if self.failed is not None:
            raise StoreError(f"store unavailable, input refused: {self.failed}")
        fut = asyncio.get_running_loop().create_future()
        await self._queue.put((inp, key, respond, fut))
        return await fut

    async def _run(self) -> None:
        q = self._queue
        loop = asyncio.get_running_loop()
        stopping = False
        while not stopping:
            item = await q.get()
            if item is None:
                break
            batch: list[tuple[Any, asyncio.Future]] = []
            deadline = time.monotonic() + self.max_wait
            while True:
                self._apply(item, batch)
                if len(batch) >= self.max_batch:
                    break
                try:
                    item = q.get_nowait()
                except asyncio.QueueEmpty:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    try:
                        item = await asyncio.wait_for(q.get(), left)
                    except TimeoutError:
                        break
                if item is None:
                    stopping = True
                    break
            await self._commit(batch, loop)

    def _apply(self, item, batch: list) -> None:
        inp, key, respond, fut = item
        if self.failed is not None:
            fut.set_exception(StoreError(f"store unavailable, input refused: {self.failed}"))
            return
        before = self.recorder.next_seq
        try:
            with self.lock:
                res = self.recorder.apply(inp, key, respond)
        except Exception as e:
            if self.recorder.next_seq == before:  # the engine raised: it is now unjournaled
                self.failed = EngineFault(
                    f"the engine failed on {type(inp).__name__} "
                    f"({type(e).__name__}: {e}); restart to recover the journaled state"
                )
                self.failed.__cause__ = e
            fut.set_exception(e)  # the input's own caller sees the error itself
            return
        batch.append((res, fut))

    async def _commit(self, batch: list, loop) -> None:
        rec = self.recorder
        if self.failed is not None:  # an input of this batch broke the engine: store none
            if batch or rec.pending:
                self._abort(batch, self.failed)
            return
        if not batch:
            return
        if rec.pending:
            b = rec.flush()
            try:
                await loop.run_in_executor(self._pool, self._store_batch, b)
            except BaseException as e:
                self.failed = e
                self._abort(batch, e)
                return
            self.commits += 1
            if self.on_commit is not None:
                self.on_commit()
            if self.snapshotter is not None:
                await loop.run_in_executor(self._pool, self.snapshotter.maybe, rec.next_seq - 1)
        for res, fut in batch:
            self.acked += 1
            if not fut.done():
                fut.set_result(res)

    def _store_batch(self, b) -> None:
        """Append ``b``; when the commit raises, ask the database whether it holds ``b``
        (stored: done) and write it again if not. Raises the last StoreError when ``b`` is
        still not stored, CommitUnknown when the database cannot be asked."""
        seq = b.inputs[0]["seq"]
        for attempt in range(RETRIES + 1):
            try:
                self.store.append(b)
                return
            except StoreError as e:
                err = e
            try:
                stored = self.store.has_input(seq)
            except StoreError as e:
                raise CommitUnknown(
                    f"commit failed ({err}) and the database cannot be asked whether it holds "
                    f"the batch ({e}): the batch may be stored; a restart recovers it if it is"
                ) from err
            if stored:
                log.warning("commit of inputs from %d raised (%s) but is stored", seq, err)
                return
            if attempt < RETRIES:
                log.warning("commit of inputs from %d not stored (%s); writing it again", seq, err)
        raise StoreError(f"{err} (the batch is not stored)") from err

    def _abort(self, batch: list, e: BaseException) -> None:
        """Nothing of ``batch`` is stored: forget it and fail its submissions."""
        self.recorder.discard()
        err = e if isinstance(e, StoreError) else StoreError(str(e))
        if self.on_abort is not None:
            self.on_abort(err)
        for _, fut in batch:
            if not fut.done():
                fut.set_exception(err)
