"""Idempotency keys: (scope, key) -> the first answer, kept in the ``idempotency_keys`` table.

Invariant: a key is remembered in the same transaction as the input it answered, so after a
restart a repeated key finds the first answer exactly when that input is in the journal. Scopes
keep the dialects' key spaces apart: ClOrdID per account, TradeStation / Alor ``X-REQID`` per
user, AlphaPoint ``OrderConfirmId``, Sway ``orderCode`` per account.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

from condor.store import codec

RECENT = 10_000
"""Answers kept in memory: the newest keys' (more than any batch holds, so an answer is in
memory until its input is durable); older answers are read back from the table on a repeat."""

KEPT = 100_000
"""Keys whose input number is kept in memory (a repeat of one is found without I/O); a key
older than that is looked up in the table (one primary-key read per new key once the server
has seen more keys than this), so memory stays flat however many keys a server sees."""


class IdempotencyKeys:
    """The input numbers of the ``kept`` newest keys and the first answers of the ``recent``
    newest keys in memory; the rest read back from the table: ``load(scope, key)`` (the
    stored JSON answer, or None) and ``lookup(scope, key)`` (``(input_seq, JSON answer)`` or
    None). Without ``lookup`` every key stays in memory. Memory per kept key: the key, a
    number and a queue slot, not its answer (an order's answer is about a kilobyte).

    Exactness: a key leaves memory only when ``kept`` newer keys arrived after it, long after
    its input was committed (a batch holds far fewer inputs), so a repeat that misses memory
    finds the key in the table whenever it was ever accepted."""

    def __init__(
        self,
        stored: dict[tuple[str, str], tuple[int, str | None]] | None = None,
        load: Callable[[str, str], str | None] | None = None,
        recent: int = RECENT,
        lookup: Callable[[str, str], tuple[int, str] | None] | None = None,
        kept: int = KEPT,
        complete: bool = True,
    ) -> None:
        self._seq: dict[tuple[str, str], int] = {}
        self._order: deque[tuple[tuple[str, str], int]] = deque()  # (key, seq), oldest first
        self._answers: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._load = load
        self._lookup = lookup
        self._recent = recent
        self._kept = kept
        self.partial = not complete  # some accepted keys are only in the table
        for k, (seq, resp) in sorted((stored or {}).items(), key=lambda kv: kv[1][0]):
            self._index(k, seq)
            if resp is not None:
                self._keep(k, resp)

    def __len__(self) -> int:
        return len(self._seq)

    def _index(self, k: tuple[str, str], seq: int) -> None:
        self._seq[k] = seq
        order = self._order
        order.append((k, seq))
        if self._lookup is not None:
            while len(order) > self._kept:
                old, old_seq = order.popleft()
                if self._seq.get(old) == old_seq:
                    del self._seq[old]
                    self._answers.pop(old, None)
                self.partial = True

    def _keep(self, k: tuple[str, str], response: Any) -> None:
        a = self._answers
        a[k] = response
        a.move_to_end(k)
        while len(a) > self._recent and self._load is not None:
            a.popitem(last=False)

    def get(self, scope: str, key: str) -> tuple[int, Any] | None:
        """(input_seq, response) of the first submission with this key, or None. Raises
        LookupError when an evicted answer is no longer in the table (cannot happen while the
        journal holds the key's input)."""
        k = (scope, key)
        seq = self._seq.get(k)
        if seq is None:
            if not self.partial or self._lookup is None:
                return None
            hit = self._lookup(scope, key)
            if hit is None:
                return None
            seq, resp = hit
        elif k in self._answers:
            resp = self._answers[k]
        else:
            resp = self._load(scope, key) if self._load is not None else None
            if resp is None:
                raise LookupError(f"idempotency key {k} has no stored answer")
        if isinstance(resp, str):
            resp = codec.loads(resp)
        self._keep(k, resp)
        return seq, resp

    def remember(self, scope: str, key: str, input_seq: int, response: Any) -> dict:
        """Record a first answer; return the table row to write with the input."""
        k = (scope, key)
        self._index(k, input_seq)
        self._keep(k, response)
        return {"scope": scope, "key": key, "input_seq": input_seq,
                "response": codec.dumps(response)}  # fmt: skip

    def forget(self, scope: str, key: str) -> None:
        self._seq.pop((scope, key), None)
        self._answers.pop((scope, key), None)
