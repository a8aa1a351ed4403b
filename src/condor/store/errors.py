"""Errors of the store, each with a message an operator can act on."""

from __future__ import annotations


class StoreError(RuntimeError):
    """The database cannot be used: unreachable, corrupt, foreign, out of date, or full.
    Nothing was acknowledged that the store did not commit."""


class RecoveryError(StoreError):
    """Replaying the journal did not reproduce the stored events (different code, different
    configuration, or a damaged journal)."""


class EngineFault(StoreError):
    """The engine raised while applying an input (a bug): it may hold changes the journal
    does not, so the writer refuses every input until a restart recovers the journaled state
    (``committer.GroupCommitter``)."""


class CommitUnknown(StoreError):
    """A commit failed (typically its connection was lost) and the database could not be
    asked whether it holds the batch: the batch may or may not be stored, and a restart
    recovers whichever is true. ``outcome_unknown`` tells the API to say so instead of
    "nothing was accepted" (``committer.GroupCommitter``)."""

    outcome_unknown = True
