"""Engine snapshots: the whole engine state after input ``input_seq``, so that recovery replays
only the journal tail.

Invariant: a snapshot is taken only between inputs (the cascade queue is empty) and restores an
engine whose future behaviour equals the original's. The format string names the pickle layout
version and a fingerprint of the domain and engine source code: a snapshot written by other code
is never loaded (recovery falls back to the previous snapshot or to a full replay), because a
pickled object graph is only meaningful to the classes that wrote it.

What is pickled: the engine's attributes except ``instruments``, ``schedules``, ``listeners``,
``clock`` (the clock's time is saved and the new engine's clock advanced to it) and the
per-call output buffer. Instruments and session schedules are pickled by reference (symbol) and
resolved against the engine that ``build_engine`` makes, so that they stay the objects the
configuration defines. Orders, books, trigger index, trailing water marks, Held orders, groups,
accounts, timers, explain history, every sequence counter and the retention limit in effect
with its queue of finished items (``engine/retention.py``) are pickled by value: the limit is
engine state set by journaled ``SetRetention`` inputs, not configuration, so the snapshot format
(code fingerprint only) needs no setting in it and a restored engine forgets exactly what the
original did, whatever ``journal.retain_terminal`` says at the restart.
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import hashlib
import logging
import os
import pickle
from contextvars import ContextVar
from functools import cache
from pathlib import Path

import condor.domain
import condor.engine
from condor.domain.book.book import Level
from condor.domain.instruments import Instrument
from condor.store.heap import release_free_heap

log = logging.getLogger("condor.store")

LAYOUT = 2
_EXCLUDE = frozenset({"instruments", "schedules", "listeners", "clock", "_out"})


@cache
def code_fingerprint() -> str:
    """sha256 (16 hex) of the domain and engine sources: the classes a snapshot depends on."""
    h = hashlib.sha256()
    for pkg in (condor.domain, condor.engine):
        root = Path(pkg.__file__).resolve().parent
        for p in sorted(root.rglob("*.py")):
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def snapshot_format() -> str:
    return f"condor-engine-pickle/{LAYOUT}/{code_fingerprint()}"


def _make_level(price: int, live: int, items: list) -> Level:
    lvl = Level(price)
    lvl.live = live
    lvl.extend(items)
    return lvl


def _reduce_level(lvl: Level):
    # a deque subclass with a required constructor argument: pickle it by its parts
    return _make_level, (lvl.price, lvl.live, list(lvl))


_LOADING: ContextVar = ContextVar("condor_snapshot_engine")


def _configured(kind: str, sym: str):
    """The configured instrument (``kind`` "i") or session schedule ("s") of ``sym`` in the
    engine being loaded (see ``load_engine``)."""
    v = _LOADING.get().venues.get(sym)
    if v is None:
        raise pickle.UnpicklingError(f"snapshot names instrument {sym}, not configured")
    return v.inst if kind == "i" else v.schedule


class _Pickler(pickle.Pickler):
    """Instruments and schedules by reference: reduced to ``_configured(kind, symbol)``, which
    pickle memoizes, so each is written and resolved once however many orders hold it."""

    def __init__(self, file, engine) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.dispatch_table = copyreg.dispatch_table.copy()
        self.dispatch_table[Level] = _reduce_level
        self.dispatch_table[Instrument] = lambda inst: (_configured, ("i", inst.symbol))
        sched = {id(v.schedule): sym for sym, v in engine.venues.items() if v.schedule is not None}
        for t in {type(v.schedule) for v in engine.venues.values() if v.schedule is not None}:
            self.dispatch_table[t] = lambda obj, sched=sched: self._schedule(obj, sched)

    @staticmethod
    def _schedule(obj, sched: dict):
        sym = sched.get(id(obj))
        if sym is None:  # a schedule no venue uses: by value
            return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        return _configured, ("s", sym)


def dump_engine(engine) -> bytes:
    """The engine's state as bytes (call between inputs only)."""
    import io

    if engine._queue or engine._draining:
        raise RuntimeError("snapshot taken in the middle of a cascade")
    state = {k: v for k, v in engine.__dict__.items() if k not in _EXCLUDE}
    buf = io.BytesIO()
    _Pickler(buf, engine).dump({"now_ns": engine.clock.now_ns(), "state": state})
    return buf.getvalue()


def load_engine(engine, data: bytes) -> None:
    """Overwrite a freshly built ``engine``'s state with a snapshot's (same configuration)."""
    token = _LOADING.set(engine)
    try:
        doc = pickle.loads(data)
    finally:
        _LOADING.reset(token)
    listeners = engine.listeners
    engine.__dict__.update(doc["state"])
    engine.listeners = listeners
    engine._out = []
    engine.clock.advance_to(doc["now_ns"])


class Snapshotter:
    """Writes a snapshot of ``engine`` to ``store`` every ``every`` inputs (call ``maybe``
    after each committed batch, while no input is in flight).

    ``fork=True`` (a server on POSIX): ``maybe`` forks, and the child process pickles its
    copy-on-write image of the engine, writes it through connections of its own and exits,
    while the server goes on at once (Redis' BGSAVE): the single writer never stalls for the
    pickling (hundreds of ms for tens of MB) and the server's memory never holds the pickle.
    At most one child runs; a due snapshot waits while one does. A child that fails leaves no
    snapshot (recovery replays more of the journal; nothing is lost) and is retried at the
    next commit. ``take`` always runs in this process (shutdown, tools, tests)."""

    def __init__(
        self, store, engine, every: int = 100_000, last_seq: int = 0, fork: bool = False
    ) -> None:
        self.store = store
        self.engine = engine
        self.every = every
        self.last_seq = last_seq
        self.fork = fork and hasattr(os, "fork")
        self._child: tuple[int, int] | None = None  # (pid, last_seq before it)
        self.failures = 0

    def maybe(self, input_seq: int) -> bool:
        if self._child is not None:
            self._reap(block=False)
        if self.every <= 0 or input_seq - self.last_seq < self.every:
            return False
        if not self.fork:
            self.take(input_seq)
            return True
        if self._child is not None:
            return False  # the previous child is still writing
        self._fork_take(input_seq)
        return True

    def take(self, input_seq: int) -> None:
        self.wait()
        e = self.engine
        self.store.write_snapshot(input_seq, e.seq, snapshot_format(), e.clock.now_ns(),
                                  dump_engine(e))  # fmt: skip
        self.last_seq = input_seq
        release_free_heap()  # the buffers of tens of MB just freed (store/heap.py)

    def wait(self) -> None:
        """Wait for a running child (before shutdown or an in-process snapshot)."""
        if self._child is not None:
            self._reap(block=True)

    def _fork_take(self, input_seq: int) -> None:
        e = self.engine
        event_seq, now, fmt = e.seq, e.clock.now_ns(), snapshot_format()
        url = self.store.url
        pid = os.fork()
        if pid == 0:  # the child: never returns, never touches the parent's connections
            code = 1
            try:
                gc.disable()  # no finalizer may run on an inherited connection
                data = dump_engine(e)
                from condor.store.journal import Store, create_db

                Store(url, create_db(url)).write_snapshot(input_seq, event_seq, fmt, now, data)
                code = 0
            except BaseException as err:  # reported through the exit status
                with contextlib.suppress(BaseException):
                    os.write(2, f"condor: snapshot child failed: {err!r}\n".encode())
            finally:
                os._exit(code)
        self._child = (pid, self.last_seq)
        self.last_seq = input_seq

    def _reap(self, block: bool) -> None:
        pid, before = self._child
        try:
            done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere: its outcome is unknown, assume failed
            done, status = pid, 1
        if done == 0:
            return
        self._child = None
        release_free_heap()  # every ~``every`` inputs: pages freed since (store/heap.py)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            self.failures += 1
            self.last_seq = before  # due again: retried at the next commit
            log.warning("snapshot child %d failed (exit %d); retrying later", pid, code)
