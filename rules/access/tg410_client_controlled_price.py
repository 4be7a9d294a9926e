"""TG410: a price, amount, total or discount sent by the client is charged or stored as is."""

from __future__ import annotations

import ast
from functools import lru_cache
from typing import Optional

from tabguard.engine.facts import dotted_name
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.taint import Source
from tabguard.guards import words
from tabguard.rules.access._handlers import client_value, enclosing_handler

_PRICE_WORDS = frozenset({"price", "amount", "total", "subtotal", "cost", "discount", "fee", "tax", "shipping"})
# Words that turn a price-named value into a reference or label (`discount_code`, `price_id`).
_NOT_MONEY = frozenset({"code", "id", "ids", "currency", "name", "type", "label", "key", "slug", "lookup"})
# Flows where the payer chooses the amount by design (still worth bounds, but not this rule's flaw).
_PAYER_CHOOSES = frozenset(
    {"donate", "donation", "donations", "tip", "tips", "topup", "deposit", "contribute", "contribution", "pledge"}
)
_PAYMENT_LIBRARIES = ("stripe.", "braintree.", "paypalrestsdk.", "razorpay.", "mollie.", "adyen.", "square.", "paddle.")
_COMMERCE_WORDS = frozenset(
    {
        "order",
        "orders",
        "charge",
        "charges",
        "payment",
        "payments",
        "invoice",
        "invoices",
        "checkout",
        "purchase",
        "subscription",
        "transaction",
        "transactions",
        "sale",
        "refund",
        "cart",
        "lineitem",
        "billing",
        "pay",
    }
)


class ClientControlledPrice(Rule):
    id = "TG410"
    name = "client-controlled-price"
    severity = "high"
    confidence = "medium"
    cwe = (602, 472)
    owasp = "A06:2025"
    message = "`{field}` comes from the client ({source}) and is charged or stored without a server-side price"
    placeholders = {"field": "amount", "source": "request.json"}
    what = (
        "A money value (`{field}`: a price, amount, total, discount, fee or tax) is read from the request "
        "({source}) and passed straight to a payment or order call (`stripe.PaymentIntent.create`, "
        "`Order(...)`, `create_invoice(...)`) instead of being computed on the server from the product "
        "catalogue."
    )
    why = (
        "The browser is the attacker's: the price shown in the page and posted back by the checkout "
        "form can be edited in the developer tools or in an intercepting proxy. Change "
        '`{{"product_id": 7, "amount": 24900}}` to `"amount": 1` and the order for a $249 item is '
        "charged one cent; send a `discount` of 100% or a negative total and the shop pays the customer."
    )
    how = (
        "Send only what the customer chooses (product ids, quantities, a coupon code) and compute every "
        "amount on the server: look up the price in the database, validate the quantity, apply "
        "discounts from server-side rules, and charge that. Stripe Checkout with server-side `price` "
        "ids does this for you."
    )
    example = (
        'product = Product.query.get_or_404(data["product_id"])\nquantity = max(1, min(int(data["quantity"]), 10))\n'
        'intent = stripe.PaymentIntent.create(amount=product.price_cents * quantity, currency="usd")'
    )
    references = (
        "https://cwe.mitre.org/data/definitions/602.html",
        "https://owasp.org/Top10/2025/A06_2025-Insecure_Design/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Business_Logic_Security_Cheat_Sheet.html",
    )
    VALID = (
        "import stripe\nfrom flask import Flask, request\napp = Flask(__name__)\n@app.post('/pay')\ndef pay():\n"
        "    product = Product.query.get_or_404(request.json['product_id'])\n"
        "    qty = int(request.json['quantity'])\n"
        "    return stripe.PaymentIntent.create(amount=product.price * qty, currency='usd')\n",
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/orders')\ndef order():\n"
        "    code = request.json['discount_code']\n    db.session.add(Order(discount_code=code, total=quote_total(request.json['items'])))\n",
        "import stripe\nfrom flask import Flask, request\napp = Flask(__name__)\n@app.post('/donate')\ndef donate():\n"
        "    stripe.PaymentIntent.create(amount=int(request.json['amount']), currency='usd')\n",
        "import stripe\ndef charge(order):\n    stripe.Charge.create(amount=order.total_cents, currency='eur', source=order.token)\n",
    )
    INVALID = (
        Invalid(
            "import stripe\nfrom flask import Flask, request\napp = Flask(__name__)\n@app.post('/pay')\ndef pay():\n"
            "    amount = int(request.json['amount'])\n"
            "    intent = stripe.PaymentIntent.create(amount=amount, currency='usd')\n    return {'secret': intent.client_secret}\n"
        ),
        Invalid(
            "from fastapi import FastAPI\napp = FastAPI()\n@app.post('/orders')\ndef create(order_in: OrderIn, db: Session = Depends(get_db)):\n"
            "    order = Order(product_id=order_in.product_id, price=order_in.price, quantity=order_in.quantity)\n"
            "    db.add(order)\n    db.commit()\n"
        ),
        Invalid(
            "from django.http import JsonResponse\ndef checkout(request):\n"
            "    data = json.loads(request.body)\n"
            "    session = stripe.checkout.Session.create(line_items=[{'price_data': {'currency': 'usd', 'unit_amount': data['unit_amount'], 'product_data': {'name': data['name']}}, 'quantity': 1}], mode='payment')\n"
            "    return JsonResponse({'id': session.id})\n"
        ),
        Invalid(
            "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/cart/apply')\ndef apply():\n"
            "    cart = current_cart()\n    cart.discount = float(request.form['discount'])\n    db.session.commit()\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if not _commerce_call(ctx.call_name(node) or ""):
            return
        found = enclosing_handler(ctx)
        if _payer_chooses(found, ctx):
            return
        for field, value in _money_fields(node):
            source = _client_money(value, ctx, found, top=True)
            if source is not None:
                ctx.report(self, value, source=source, details={"field": field})

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        for target in node.targets:
            if not isinstance(target, ast.Attribute) or not _money(target.attr):
                continue
            owner = dotted_name(target.value) or ""
            found = enclosing_handler(ctx)
            if set(words(owner)) & _COMMERCE_WORDS and not _payer_chooses(found, ctx):
                source = _client_money(node.value, ctx, found, top=True)
                if source is not None:
                    ctx.report(self, node.value, source=source, details={"field": target.attr})


def _payer_chooses(found, ctx) -> bool:
    names = [f.name for f in ctx.functions if hasattr(f, "name")] + list(found.paths if found else ())
    return any(set(words(name)) & _PAYER_CHOOSES for name in names)


@lru_cache(maxsize=4096)  # judged by name alone, and asked of every call
def _commerce_call(name: str) -> bool:
    if name.startswith(_PAYMENT_LIBRARIES):
        return True
    return bool(set(words(name.rsplit(".", 1)[-1])) & _COMMERCE_WORDS) or bool(
        set(words(name)) & _COMMERCE_WORDS and name.rsplit(".", 1)[-1] in ("create", "sale", "charge", "add", "new")
    )


def _money(name: str) -> bool:
    said = set(words(name))
    return bool(said & _PRICE_WORDS) and not said & _NOT_MONEY


def _money_fields(call: ast.Call):
    """(name, value) of money-named keywords and dict entries among the call's arguments."""
    for keyword in call.keywords:
        if keyword.arg and _money(keyword.arg):
            yield keyword.arg, keyword.value
    for value in (*call.args, *(k.value for k in call.keywords)):
        for sub in ast.walk(value):
            if isinstance(sub, ast.Dict):
                for key, item in zip(sub.keys, sub.values):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str) and _money(key.value):
                        yield key.value, item


def _client_money(expr: ast.AST, ctx, found, top: bool) -> Optional[Source]:
    """The client source of a money value. Inside arithmetic only operands that are themselves named as
    money count: `product.price * quantity` trusts the client's quantity, not its price."""
    if isinstance(expr, ast.BinOp):
        return _client_money(expr.left, ctx, found, False) or _client_money(expr.right, ctx, found, False)
    if (
        isinstance(expr, ast.Call)
        and (ctx.call_name(expr) or "") in ("int", "float", "round", "abs", "decimal.Decimal", "Decimal")
        and expr.args
    ):
        return _client_money(expr.args[0], ctx, found, top)
    if not top and not _money(_label(expr)):
        return None
    return client_value(expr, ctx, found)


def _label(expr: ast.AST) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant) and isinstance(expr.slice.value, str):
        return expr.slice.value
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get" and expr.args:
        first = expr.args[0]
        return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
    return ""
