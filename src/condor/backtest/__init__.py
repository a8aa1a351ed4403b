"""Backtests: real recorded market data streamed through the engine with a scenario of orders."""
