# Copyright 2026 Credit & Collections contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Plain external clients of a running Odoo server, standard library only:
XML-RPC (``xmlrpc.client``) and JSON-RPC (``json`` + ``urllib``), both on the
``object`` service with the user's login and password, as an integration
script would call them."""

import itertools
import json
import urllib.request
import xmlrpc.client

# /xmlrpc/2 fault codes (odoo/addons/rpc/controllers/xmlrpc.py)
XMLRPC_FAULT_KINDS = {
    1: "ServerError",
    2: "UserError",  # UserError and its subclasses: ValidationError, MissingError
    3: "AccessDenied",
    4: "AccessError",
}
# what a refused attempt may end with: a clear error, never a crash
REFUSALS = frozenset({"AccessError", "UserError", "ValidationError", "MissingError"})

_ids = itertools.count(1)


class RpcError(Exception):
    """An error returned by the server: ``kind`` is the exception class name."""

    def __init__(self, kind, message):
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


class XmlRpcClient:
    protocol = "XML-RPC"

    def __init__(self, base_url, db, uid, password):
        self.proxy = xmlrpc.client.ServerProxy(
            f"{base_url}/xmlrpc/2/object", allow_none=True
        )
        self.db, self.uid, self.password = db, uid, password

    def __call__(self, model, method, *args, **kwargs):
        try:
            return self.proxy.execute_kw(
                self.db, self.uid, self.password, model, method, list(args), kwargs
            )
        except xmlrpc.client.Fault as fault:
            kind = XMLRPC_FAULT_KINDS.get(fault.faultCode, str(fault.faultCode))
            raise RpcError(kind, fault.faultString) from None


class JsonRpcClient:
    protocol = "JSON-RPC"

    def __init__(self, base_url, db, uid, password, timeout=120):
        self.url = f"{base_url}/jsonrpc"
        self.db, self.uid, self.password = db, uid, password
        self.timeout = timeout

    def __call__(self, model, method, *args, **kwargs):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(_ids),
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.db,
                    self.uid,
                    self.password,
                    model,
                    method,
                    list(args),
                    kwargs,
                ],
            },
        }
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            body = json.load(response)
        if "error" in body:
            data = body["error"].get("data") or {}
            kind = (data.get("name") or "ServerError").rsplit(".", 1)[-1]
            raise RpcError(kind, data.get("message") or body["error"].get("message"))
        return body.get("result")  # omitted when the method returns None


CLIENTS = (XmlRpcClient, JsonRpcClient)
