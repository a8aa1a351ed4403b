"""Settings precedence: keyword arguments over ``CONDOR_*`` environment over the TOML file over
defaults; the demo configuration is merged in by ``bootstrap``."""

from __future__ import annotations

import pytest

from condor.api.bootstrap import build_runtime, effective_settings
from condor.api.settings import Role, Settings


def test_toml_env_and_arguments_precedence(tmp_path, monkeypatch):
    # Arrange
    cfg = tmp_path / "condor.toml"
    cfg.write_text(
        'host = "0.0.0.0"\nport = 9000\nfeed = "none"\n'
        '[[users]]\nusername = "bob"\npassword = "pw"\nrole = "ReadOnly"\naccounts = ["B1"]\n'
        '[[accounts]]\naccount_id = "B1"\ncash = { USD = "10.5" }\n'
    )
    monkeypatch.setenv("CONDOR_PORT", "9100")
    monkeypatch.setenv("CONDOR_STREAM__QUEUE_SIZE", "77")
    # Act
    s = Settings.load(cfg, host="127.0.0.2")
    # Assert
    assert (s.host, s.port, s.feed, s.stream.queue_size) == ("127.0.0.2", 9100, "none", 77)
    assert s.users[0].role is Role.READ_ONLY and s.accounts[0].account_id == "B1"
    with pytest.raises(FileNotFoundError):
        Settings.load(tmp_path / "missing.toml")


def test_demo_is_merged_and_own_entries_win():
    # Arrange
    s = Settings(demo=True, feed="none", users=[{"username": "demo", "password": "other"}])
    # Act
    eff = effective_settings(s)
    rt = build_runtime(Settings(demo=True, feed="none"))
    # Assert
    assert [u.username for u in eff.users].count("demo") == 1
    assert next(u for u in eff.users if u.username == "demo").password == "other"
    acct = rt.engine.accounts["default:ACC12345"]
    assert acct.positions["SBER"].qty == 100  # 1,000 shares = 100 lots of 10
    assert acct.cash["USD"] == 1_000_000 * 10**10
    assert len(rt.engine.instruments) == 10
