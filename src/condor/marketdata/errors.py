"""Errors raised by the feed readers and the books they maintain.

Invariant: every error a reader raises is a ``FeedError`` (a ``ValueError``) that names the file
and the 1-based line where the problem was found, when known; book errors are ``BookError``.
Readers never round silently: an off-grid price or size raises ``OffGridError`` unless a reader
documents an explicit policy for it.
"""

from __future__ import annotations


class FeedError(ValueError):
    """A feed file could not be read as documented. ``path`` and ``line`` locate the problem."""

    def __init__(self, text: str, path: object = None, line: int | None = None) -> None:
        where = f"{path}:{line}: " if path is not None and line is not None else ""
        super().__init__(where + text)
        self.text = text
        self.path = path
        self.line = line


class OffGridError(FeedError):
    """A decimal value is not a whole multiple of the instrument's tick or lot size."""


class OutOfOrderError(FeedError):
    """A record's timestamp is earlier than the previous record's. Every file of README's data
    set is in time order; the replay clock only moves forward (``engine.clock.SimClock``), so a
    record out of order would be replayed at the wrong time without a word."""

    @classmethod
    def of(cls, ts_ns: int, prev_ns: int) -> OutOfOrderError:
        return cls(
            f"time {ts_ns} ns is {prev_ns - ts_ns} ns before the previous record's {prev_ns} ns "
            "(records must be in time order)"
        )


class GapError(FeedError):
    """An incremental stream skipped updates (e.g. Binance depth: ``U != previous u + 1``)."""


class BookError(ValueError):
    """A book operation is inconsistent with the book state (e.g. cancelling more than rests)."""


class UnknownOrderError(BookError, KeyError):
    """An order id that is not resting in the book."""

    def __str__(self) -> str:
        return ValueError.__str__(self)


class DuplicateOrderError(BookError):
    """An add for an order id that is already resting in the book."""


def located(exc: Exception, path: object, line: int) -> Exception:
    """``exc`` as a ``FeedError`` naming ``path`` and ``line`` (1-based, header included).

    A ``FeedError`` that already names its line is returned unchanged; a ``FeedError`` without
    one is rebuilt with the same class; an ``IndexError`` (a short row) becomes "too few
    fields"; anything else (``ValueError`` from ``int()``, a ``KeyError`` for a missing field,
    a ``BookError``) becomes a plain ``FeedError``.
    """
    if isinstance(exc, FeedError):
        return exc if exc.line is not None else type(exc)(exc.text, path, line)
    if isinstance(exc, IndexError):  # a row with fewer fields than the header names
        return FeedError("bad record: too few fields (a truncated or malformed line)", path, line)
    what = "book" if isinstance(exc, BookError) else "bad record"
    return FeedError(f"{what}: {exc!r}", path, line)
