"""Accounts: cash per currency, positions, two-phase holds, pre-trade checks."""
