"""The real AlphaPoint clients (ccxt ndax over ``/AP/``, the notbank SDK over the gateway)
through the flows they perform beyond placing and canceling: editing an order
(CancelReplaceOrder: both read ``ReplacementOrderId`` and send ``ClientOrderId``), listing
Working orders (notbank's ``order_state`` filter) and fetching their fills
(GetTradesHistory). Installed and driven as in ``test_alphapoint_clients``."""

from __future__ import annotations

from test_alphapoint_clients import client_python, drive

from server_fixtures import api_settings, running


def test_ccxt_ndax_edit_order_and_fetch_my_trades():
    py = client_python("ccxt")
    with running(api_settings(dialects=["alphapoint"])) as srv:
        # Act
        out = drive(py, "alphapoint_ccxt_edit_driver.py", srv.url)
        # Assert
        new = out["edited"]["id"]
        assert new is not None and new != out["first"]
        assert out["edited"]["clientOrderId"] == "5152"
        assert out["fetched"] == {"status": "open", "price": 101.5, "amount": 4.0,
                                  "clientOrderId": "5152"}  # fmt: skip
        assert out["trades"] == [{"order": out["sell"], "side": "sell", "amount": 2.0,
                                  "price": 150.0, "cost": 300.0, "symbol": "IBM/USD"}]  # fmt: skip
        with srv.runtime.read() as e:
            o = e.orders[int(new)]
            assert (o.cl_ord_id, o.price, o.qty, o.status.value) == (
                "5152", 10150, 4, "Canceled")  # fmt: skip


def test_notbank_sdk_cancel_replace_working_orders_and_trades_history():
    py = client_python("notbank")
    with running(api_settings(dialects=["alphapoint"])) as srv:
        # Act
        out = drive(py, "alphapoint_notbank_replace_driver.py", f"127.0.0.1:{srv.port}")
        # Assert
        new, cl, orig, orig_cl = out["replace"]
        assert (cl, orig, orig_cl) == (9002, out["buy"], 9001)
        assert out["working"] == [[new, 9002, out["buy"]]]
        assert out["trades"] == [["150", "2", "300", "sell"]]
        with srv.runtime.read() as e:
            assert e.orders[new].status.value == "Canceled"
            assert e.orders[out["sell"]].status.value == "Filled"
