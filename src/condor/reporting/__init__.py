"""Backtest reports: order-event and fill tables (CSV and Parquet), P&L per group and a PNG
chart. Inputs are plain engine events plus a ``ReportInput``; nothing here runs the engine."""
