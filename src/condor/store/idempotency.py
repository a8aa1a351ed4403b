"""Idempotency keys: (scope, key) -> the first answer, kept in the ``idempotency_keys`` table.

Invariant: a key is remembered in the same transaction as the input it answered, so after a
restart a repeated key finds the first answer exactly when that input is in the journal. Scopes
keep the dialects' key spaces apart: ClOrdID per account, TradeStation / Alor ``X-REQID`` per
user, AlphaPoint ``OrderConfirmId``, Sway ``orderCode`` per account.
"""

from __future__ import annotations

from typing import Any

from condor.store import codec


class IdempotencyKeys:
    """In-memory view of the table (loaded at start); responses are kept as JSON text until
    asked for."""

    def __init__(self, stored: dict[tuple[str, str], tuple[int, str]] | None = None) -> None:
        self._keys: dict[tuple[str, str], tuple[int, Any]] = dict(stored or {})

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, scope: str, key: str) -> tuple[int, Any] | None:
        """(input_seq, response) of the first submission with this key, or None."""
        hit = self._keys.get((scope, key))
        if hit is None:
            return None
        seq, resp = hit
        if isinstance(resp, str):
            resp = codec.loads(resp)
            self._keys[(scope, key)] = (seq, resp)
        return seq, resp

    def remember(self, scope: str, key: str, input_seq: int, response: Any) -> dict:
        """Record a first answer; return the table row to write with the input."""
        self._keys[(scope, key)] = (input_seq, response)
        return {"scope": scope, "key": key, "input_seq": input_seq,
                "response": codec.dumps(response)}  # fmt: skip

    def forget(self, scope: str, key: str) -> None:
        self._keys.pop((scope, key), None)
