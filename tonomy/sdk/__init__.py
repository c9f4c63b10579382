"""The Tonomy SDK: connect to a node, transact, read proven state, subscribe, log in, get paid.

::

    from tonomy.sdk import Client

    with Client.connect("http://127.0.0.1:8640", chain_id=CHAIN_ID) as client:
        receipt = client.transact([("pay", "transfer", {...}, ["alice@active"])], [alice_seed])
        balance = client.record("pay", b"bal/alice/TONO")       # proven, commit-verified

The SDK trusts no node: see docs/sdk.md for what is proven and what stays the node's
word, and for the browser contract of Login with Tonomy and payments.
"""

from tonomy.node.errors import ClientError, UntrustedAnswerError
from tonomy.sdk.apps import RegisteredApp, register_app
from tonomy.sdk.client import ActionTuple, Client, ProvenRecords, Subscription, parse_chain_id
from tonomy.sdk.errors import LoginParameterError, PaymentNotMadeError, TransactionFailedError
from tonomy.sdk.login import (
    LoginApp,
    approve_login,
    decode_login_request,
    decode_login_response,
    encode_login_request,
    encode_login_response,
    login_url,
    request_login,
    verify_login,
)
from tonomy.sdk.node_api import BlockInfo, NodeClient, TransactionStatus, VerifiedState
from tonomy.sdk.payments import ProvenPayment, create_payment_request, payment_url, proven_payment, wait_paid
from tonomy.sdk.trust import TrustAnchor

__all__ = [
    "ActionTuple",
    "BlockInfo",
    "Client",
    "ClientError",
    "LoginApp",
    "LoginParameterError",
    "NodeClient",
    "PaymentNotMadeError",
    "ProvenPayment",
    "ProvenRecords",
    "RegisteredApp",
    "Subscription",
    "TransactionFailedError",
    "TransactionStatus",
    "TrustAnchor",
    "UntrustedAnswerError",
    "VerifiedState",
    "approve_login",
    "create_payment_request",
    "decode_login_request",
    "decode_login_response",
    "encode_login_request",
    "encode_login_response",
    "login_url",
    "parse_chain_id",
    "payment_url",
    "proven_payment",
    "register_app",
    "request_login",
    "verify_login",
    "wait_paid",
]
