"""Configuration of the Sway dialect: which accounts are position-based.

Invariant: order groups are accepted only on position-based accounts (seed 002). An account is
position-based when the engine's ``Account.position_based`` is true (the default for every
account, the demo ones included) and it is not listed in the environment variable
``CONDOR_SWAY_NETTING_ACCOUNTS`` (comma-separated account codes, read when the app is built).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

ENV = "CONDOR_SWAY_NETTING_ACCOUNTS"


@dataclass(frozen=True, slots=True)
class SwayConfig:
    """``netting_accounts``: account codes that are not position-based."""

    netting_accounts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_env(cls) -> SwayConfig:
        raw = os.environ.get(ENV, "")
        return cls(frozenset(a.strip() for a in raw.split(",") if a.strip()))

    def position_based(self, engine, account: str) -> bool:
        a = engine.accounts.get(account)
        return a is not None and a.position_based and account not in self.netting_accounts
