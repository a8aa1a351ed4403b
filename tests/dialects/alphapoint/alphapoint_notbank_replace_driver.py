"""Drives the real ``notbank`` SDK (PyPI) through a replace, filtered history and a fill on
Condor's AlphaPoint gateway.

Run by ``test_alphapoint_clients_edit_trades.py`` with the Python of a virtualenv that has
``notbank``. Argument: ``HOST:PORT``. The only change to the SDK: its WebSocket URL builder
returns ``ws://`` (clients.md). Steps: authenticate by API key, send a limit buy,
``cancel_replace_order`` it with a new client order id, list Working orders
(``get_orders_history`` with ``order_state``), cancel the replacement by its client order id;
send a limit sell, fill it with a trade print through the native API, ``get_trades_history``.
Prints one JSON object with what it saw.
"""

import json
import sys
from decimal import Decimal

from native_trade import native_trade
from notbank_python_sdk.client_connection_factory import new_websocket_client_connection
from notbank_python_sdk.constants import OrderType, Side, TimeInForce
from notbank_python_sdk.notbank_client import NotbankClient
from notbank_python_sdk.requests_models.authenticate_request import AuthenticateRequest
from notbank_python_sdk.requests_models.cancel_order_request import CancelOrderRequest
from notbank_python_sdk.requests_models.cancel_replace_order_request import (
    CancelReplaceOrderRequest,
)
from notbank_python_sdk.requests_models.get_orders_history import GetOrdersHistoryRequest
from notbank_python_sdk.requests_models.get_trades_history import GetTradesHistoryRequest
from notbank_python_sdk.requests_models.send_order import SendOrderRequest
from notbank_python_sdk.websocket.websocket_manager import WebsocketManager

WebsocketManager._build_url = lambda self, host: f"ws://{host}/wsgateway/"

host = sys.argv[1]
out = {}
connection = new_websocket_client_connection(url=host, request_timeout=10)
connection.connect()
client = NotbankClient(connection)
client.authenticate(
    AuthenticateRequest(api_public_key="demo-key", api_secret_key="demo-secret", user_id="6")
)
inst = client.get_instrument_by_symbol("IBM")
buy = client.send_order(
    SendOrderRequest(
        instrument=inst,
        account_id=9,
        time_in_force=TimeInForce.GTC,
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        quantity=Decimal(5),
        limit_price=Decimal("100.00"),
        client_order_id=9001,
    )
)
rep = client.cancel_replace_order(
    CancelReplaceOrderRequest(
        order_id_to_replace=buy.order_id,
        client_order_id=9002,
        order_type=OrderType.LIMIT,
        side=Side.BUY,
        account_id=9,
        instrument_id=inst.instrument_id,
        limit_price=Decimal("100.50"),
        quantity=Decimal(4),
        time_in_force=TimeInForce.GTC,
    )
)
out["buy"] = buy.order_id
out["replace"] = [
    rep.replacement_order_id,
    rep.replacement_cl_ord_id,
    rep.orig_order_id,
    rep.orig_cl_ord_id,
]
working = client.get_orders_history(GetOrdersHistoryRequest(account_id=9, order_state="Working"))
out["working"] = [[o.order_id, o.client_order_id, o.orig_order_id] for o in working]
client.cancel_order(CancelOrderRequest(account_id=9, cl_order_id=9002))
sell = client.send_order(
    SendOrderRequest(
        instrument=inst,
        account_id=9,
        time_in_force=TimeInForce.GTC,
        side=Side.SELL,
        order_type=OrderType.LIMIT,
        quantity=Decimal(2),
        limit_price=Decimal("150.00"),
    )
)
out["sell"] = sell.order_id
base = f"http://{host}"
native_trade(base, "151").raise_for_status()
trades = client.get_trades_history(GetTradesHistoryRequest(account_id=9))
out["trades"] = [[str(t.price), str(t.base_volume), str(t.quote_volume), t.type] for t in trades]
client.close()
print(json.dumps(out))
