"""Drives the real ``notbank`` SDK (PyPI) against Condor's AlphaPoint gateway.

Run by ``test_alphapoint_clients.py`` with the Python of a virtualenv that has ``notbank``
installed (it pins old requests/urllib3, so it never runs in the project's venv). Arguments:
``HOST:PORT``. The only change to the SDK: its WebSocket URL builder returns ``ws://`` instead
of ``wss://`` (clients.md). Steps: authenticate by API key, find IBM, subscribe to order state
events, send a take-profit and a stop linked by ``OrderIdOCO``, list open orders, inject
trades through Condor's native API that fill the take-profit, wait for the stop's Canceled
event, read its status. Prints one JSON object with what it saw.
"""

import json
import queue
import sys
from decimal import Decimal

from native_trade import native_trade
from notbank_python_sdk.client_connection_factory import new_websocket_client_connection
from notbank_python_sdk.constants import OrderType, PegPriceType, Side, TimeInForce
from notbank_python_sdk.notbank_client import NotbankClient
from notbank_python_sdk.requests_models.authenticate_request import AuthenticateRequest
from notbank_python_sdk.requests_models.get_open_orders import GetOpenOrdersRequest
from notbank_python_sdk.requests_models.get_order_status import GetOrderStatusRequest
from notbank_python_sdk.requests_models.send_order import SendOrderRequest
from notbank_python_sdk.requests_models.subscribe_order_state_events_request import (
    SubscribeOrderStateEventsRequest,
)
from notbank_python_sdk.websocket.websocket_manager import WebsocketManager

WebsocketManager._build_url = lambda self, host: f"ws://{host}/wsgateway/"

host = sys.argv[1]
out = {}
connection = new_websocket_client_connection(url=host, request_timeout=10)
connection.connect()
client = NotbankClient(connection)
auth = client.authenticate(
    AuthenticateRequest(api_public_key="demo-key", api_secret_key="demo-secret", user_id="6")
)
out["authenticated"] = auth.authenticated
inst = client.get_instrument_by_symbol("IBM")
out["instrument_id"] = inst.instrument_id

events = queue.Queue()
client.subscribe_order_state_events(
    SubscribeOrderStateEventsRequest(account_id=9), lambda order: events.put(order)
)
tp = client.send_order(
    SendOrderRequest(
        instrument=inst,
        account_id=9,
        time_in_force=TimeInForce.GTC,
        side=Side.SELL,
        order_type=OrderType.LIMIT,
        quantity=Decimal(10),
        limit_price=Decimal("260.00"),
        client_order_id=7001,
    )
)
stop = client.send_order(
    SendOrderRequest(
        instrument=inst,
        account_id=9,
        time_in_force=TimeInForce.GTC,
        side=Side.SELL,
        order_type=OrderType.STOP_MARKET,
        quantity=Decimal(10),
        stop_price=Decimal("240.00"),
        peg_price_type=PegPriceType.LAST,
        order_id_oco=tp.order_id,
        client_order_id=7002,
    )
)
out["tp"] = {"status": str(tp.status.value), "order_id": tp.order_id}
out["stop"] = {"status": str(stop.status.value), "order_id": stop.order_id}
opened = client.get_open_orders(GetOpenOrdersRequest(account_id=9))
out["open"] = sorted(o.order_id for o in opened)
out["open_types"] = sorted(o.order_type for o in opened)

# market data through the native API: a trade at 260.50 fills the resting take-profit
base = f"http://{host}"
out["inject"] = native_trade(base, "260.50").status_code

seen = []
while True:
    o = events.get(timeout=10)
    seen.append([o.order_id, o.order_state, o.change_reason])
    if o.order_id == stop.order_id and o.order_state == "Canceled":
        break
out["events"] = seen
status = client.get_order_status(GetOrderStatusRequest(order_id=stop.order_id, account_id=9))
out["stop_state"] = status.order_state
tp_status = client.get_order_status(GetOrderStatusRequest(order_id=tp.order_id, account_id=9))
out["tp_state"] = tp_status.order_state
out["tp_executed"] = str(tp_status.quantity_executed)
client.close()
print(json.dumps(out))
