"""The demo configuration of issue 5: what ``make run`` starts and what tests can load.

Invariant: ``with_demo(settings)`` only adds; an instrument, user or account the settings name
themselves wins over the demo's one of the same key. Every demo account holds 1,000,000 USD,
enough JPY, USDT and RUB for the FX, crypto and MOEX demo orders, and a long position of 1,000
(shares, not lots) in every demo equity and in SBER, so the seeds' exit brackets work at once.
"""

from __future__ import annotations

from decimal import Decimal

from condor.api.settings import (
    AccountConfig,
    ApiKeyConfig,
    InstrumentConfig,
    Role,
    Settings,
    UserConfig,
)

D = Decimal

DEMO_ACCOUNTS = ("123456", "123465", "987654", "12345", "D39004", "default:ACC12345", "9")
"""The accounts the seeds' examples use."""

_EQUITIES = {  # symbol -> (venue, reference price)
    "ARNA": ("NASDAQ", "100.00"),
    "WMT": ("NYSE", "95.00"),
    "MSFT": ("NASDAQ", "420.00"),
    "IBM": ("NYSE", "250.00"),
    "AAPL": ("NASDAQ", "230.00"),
}


def demo_instruments() -> list[InstrumentConfig]:
    """ARNA, WMT, MSFT, IBM, AAPL (tick 0.01), USDJPY (0.001), EUR/USD (0.00001), BTCUSDT
    (tick 0.01, lot 0.00001), SBER (MOEX TQBR, tick 0.01, lot 10), ESH4 (tick 0.25, x50)."""
    out = [
        InstrumentConfig(
            symbol=s,
            asset_class="equity",
            venue=venue,
            tick_size=D("0.01"),
            calendar="us-equity",
            ref_price=D(px),
        )
        for s, (venue, px) in _EQUITIES.items()
    ]
    out += [
        InstrumentConfig(
            symbol="USDJPY", asset_class="fx", venue="FX", tick_size=D("0.001"),
            currency="JPY", calendar="fx-24x5", has_trades=False, ref_price=D("150.000"),
        ),
        InstrumentConfig(
            symbol="EUR/USD", asset_class="fx", venue="FX", tick_size=D("0.00001"),
            currency="USD", calendar="fx-24x5", has_trades=False, ref_price=D("1.08000"),
        ),
        InstrumentConfig(
            symbol="BTCUSDT", asset_class="crypto", venue="BINANCE", tick_size=D("0.01"),
            lot_size=D("0.00001"), currency="USDT", calendar="crypto-24x7",
            ref_price=D("65000.00"),
        ),
        InstrumentConfig(
            symbol="SBER", asset_class="equity", venue="MOEX", board="TQBR",
            tick_size=D("0.01"), lot_size=D("10"), currency="RUB", calendar="moex",
            ref_price=D("300.00"),
        ),
        InstrumentConfig(
            symbol="ESH4", asset_class="future", venue="CME", tick_size=D("0.25"),
            multiplier=D("50"), currency="USD", calendar="cme-globex", ref_price=D("5000.00"),
        ),
    ]  # fmt: skip
    return out


def demo_accounts(owner: str = "demo") -> list[AccountConfig]:
    cash = {
        "USD": D(1_000_000),
        "JPY": D(200_000_000),
        "USDT": D(1_000_000),
        "RUB": D(100_000_000),
        "EUR": D(1_000_000),
    }
    positions = {s: D(1000) for s in (*_EQUITIES, "SBER")}
    return [
        AccountConfig(account_id=a, owner=owner, cash=cash, positions=positions)
        for a in DEMO_ACCOUNTS
    ]


def demo_users() -> list[UserConfig]:
    """``demo``/``demo`` (Trading on the demo accounts, user id 6 for AlphaPoint) and
    ``operator``/``operator`` (Operator)."""
    return [
        UserConfig(
            username="demo", password="demo", role=Role.TRADING,
            accounts=list(DEMO_ACCOUNTS), user_id=6,
        ),
        UserConfig(username="operator", password="operator", role=Role.OPERATOR, user_id=1),
    ]  # fmt: skip


def with_demo(settings: Settings) -> Settings:
    """``settings`` with the demo instruments, users, accounts, API key ``demo-key`` /
    ``demo-secret`` (user id 6 = ``demo``) and refresh token ``demo-refresh`` added."""

    def merge(demo: list, own: list, key: str) -> list:
        mine = {getattr(x, key) for x in own}
        return [x for x in demo if getattr(x, key) not in mine] + list(own)

    return settings.model_copy(
        update={
            "instruments": merge(demo_instruments(), settings.instruments, "symbol"),
            "users": merge(demo_users(), settings.users, "username"),
            "accounts": merge(demo_accounts(), settings.accounts, "account_id"),
            "api_keys": merge(
                [ApiKeyConfig(key="demo-key", secret="demo-secret", username="demo")],
                settings.api_keys,
                "key",
            ),
            "refresh_tokens": {"demo-refresh": "demo", **settings.refresh_tokens},
        }
    )
