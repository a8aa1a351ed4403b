"""Idempotency keys: (scope, key) -> the first answer, kept in the ``idempotency_keys`` table.

Invariant: a key is remembered in the same transaction as the input it answered, so after a
restart a repeated key finds the first answer exactly when that input is in the journal. Scopes
keep the dialects' key spaces apart: ClOrdID per account, TradeStation / Alor ``X-REQID`` per
user, AlphaPoint ``OrderConfirmId``, Sway ``orderCode`` per account.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from condor.store import codec

RECENT = 10_000
"""Answers kept in memory: the newest keys' (more than any batch holds, so an answer is in
memory until its input is durable); older answers are read back from the table on a repeat."""


class IdempotencyKeys:
    """Every key's input number in memory (a repeat is found without I/O); the first answers
    of only the ``recent`` newest keys, the rest read back through ``load(scope, key)`` (the
    stored JSON text, or None) when a key is repeated. Memory per key: the key and a number,
    not its answer (an order's answer is about a kilobyte)."""

    def __init__(
        self,
        stored: dict[tuple[str, str], tuple[int, str]] | None = None,
        load: Callable[[str, str], str | None] | None = None,
        recent: int = RECENT,
    ) -> None:
        self._seq: dict[tuple[str, str], int] = {}
        self._answers: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._load = load
        self._recent = recent
        for k, (seq, resp) in (stored or {}).items():
            self._seq[k] = seq
            if resp is not None:
                self._keep(k, resp)

    def __len__(self) -> int:
        return len(self._seq)

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
            return None
        if k in self._answers:
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
        self._seq[k] = input_seq
        self._keep(k, response)
        return {"scope": scope, "key": key, "input_seq": input_seq,
                "response": codec.dumps(response)}  # fmt: skip

    def forget(self, scope: str, key: str) -> None:
        self._seq.pop((scope, key), None)
        self._answers.pop((scope, key), None)
