"""TG401: a signed-in handler loads a record by a client-chosen id without checking who owns it (IDOR)."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import DRF_SETTINGS, guards, words
from tabguard.routes import is_public
from tabguard.rules.access._generic_views import generic_record_view
from tabguard.rules.access._handlers import client_value, enclosing_handler
from tabguard.rules.access._lookups import LOOKUP_NAMES, record_key, record_model
from tabguard.rules.access._privilege import ROLE_ONLY, privilege
from tabguard.rules.access._writes import writes_state

# Records that are public by nature: the shop's catalogue and reference data, the same for every user.
_REFERENCE_DATA = frozenset(
    {
        "product",
        "products",
        "category",
        "categories",
        "tag",
        "tags",
        "plan",
        "plans",
        "price",
        "prices",
        "country",
        "countries",
        "currency",
        "currencies",
        "language",
        "languages",
        "region",
        "sku",
        "catalog",
        "catalogue",
        "timezone",
        "genre",
        "brand",
    }
)
# Records about people that sites often show to every signed-in user (a profile page); reading them
# through a generic view is not taken for a leak, changing them is.
_PEOPLE = frozenset({"user", "profile", "member", "author", "person"})
# Content sites publish to every reader: reading it through a generic view is no leak either.
_PUBLISHED = frozenset({"article", "post", "blog", "page", "news", "book", "movie", "recipe", "event", "faq"})


class UnscopedRecordLookup(Rule):
    id = "TG401"
    name = "unscoped-record-lookup"
    severity = "high"
    confidence = "medium"
    cwe = (639, 284)
    owasp = "A01:2025"
    message = "Record looked up by a client-supplied id ({source}) with no check that it belongs to the current user"
    placeholders = {"source": "route parameter 'invoice_id'"}
    call_names = LOOKUP_NAMES
    what = (
        "An HTTP handler that knows who is signed in loads, changes or deletes a record chosen by an id "
        "from the URL, query string or body ({source}), and nothing in the handler ties that record to the "
        "current user: no `owner_id == current_user.id` filter, no `if invoice.owner != request.user: "
        "abort(403)`, no role check, no call to a configured `ownership-checks` function. A Django or DRF "
        "generic view (`DetailView`, `UpdateView`, `ModelViewSet`...) behind a login that names its records "
        "by `model = Invoice` or `queryset = Invoice.objects.all()` and never narrows them "
        "(`get_queryset`, an object permission class) does the same lookup itself."
    )
    why = (
        "Authentication says who the caller is; it does not say which invoices they may read. Signed in as "
        "customer 17, an attacker opens `/invoices/1041` (their own), changes it to `/invoices/1042`, and "
        "reads another customer's invoice; a short loop over ids downloads every invoice in the database, "
        "and a `DELETE` or `PUT` on the same route destroys or rewrites them. This is insecure direct object "
        "reference (IDOR), the most common flaw in access control and one that scanners of single "
        "statements never see: every line is correct, the missing line is the bug."
    )
    how = (
        "Scope the query to the caller (`Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id)"
        ".first_or_404()`, `get_object_or_404(Invoice, pk=pk, owner=request.user)`, "
        "`current_user.invoices.filter_by(id=...)`), or load and compare (`if invoice.owner_id != "
        "current_user.id: abort(404)`). Answer 404 rather than 403 so ids cannot be probed. If your "
        "project checks ownership through a helper, name it in `ownership-checks` in `[tool.tabguard]`; if a "
        "record really is readable by every signed-in user, add the route to `public-routes` or suppress "
        "the finding with a comment saying why."
    )
    example = (
        '@app.get("/invoices/<int:invoice_id>")\n@login_required\ndef show_invoice(invoice_id):\n'
        "    invoice = Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id).first_or_404()\n"
        '    return render_template("invoice.html", invoice=invoice)'
    )
    fix_safety = "No automatic rewrite: which field names the owner (user, team, tenant) depends on your data model."
    references = (
        "https://cwe.mitre.org/data/definitions/639.html",
        "https://owasp.org/Top10/2025/A01_2025-Broken_Access_Control/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Insecure_Direct_Object_Reference_Prevention_Cheat_Sheet.html",
    )
    VALID = (
        # scoped by a keyword filter
        "from flask import Flask\nfrom flask_login import login_required, current_user\napp = Flask(__name__)\n"
        "@app.route('/invoices/<int:invoice_id>')\n@login_required\ndef show(invoice_id):\n"
        "    return Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id).first_or_404().to_dict()\n",
        # loaded, then compared with the current user
        "from flask import Flask, abort\nfrom flask_login import login_required, current_user\napp = Flask(__name__)\n"
        "@app.route('/invoices/<int:invoice_id>', methods=['DELETE'])\n@login_required\ndef delete(invoice_id):\n"
        "    invoice = Invoice.query.get_or_404(invoice_id)\n"
        "    if invoice.owner_id != current_user.id:\n        abort(404)\n"
        "    db.session.delete(invoice)\n    db.session.commit()\n    return '', 204\n",
        # Django: through the user's own relation
        "from django.contrib.auth.decorators import login_required\nfrom django.shortcuts import get_object_or_404\n"
        "@login_required\ndef invoice_detail(request, pk):\n"
        "    invoice = get_object_or_404(Invoice, pk=pk, owner=request.user)\n    return render(request, 'i.html', {'invoice': invoice})\n",
        # FastAPI: filtered by the dependency-provided user
        "from fastapi import APIRouter, Depends\nrouter = APIRouter()\n"
        "@router.get('/orders/{order_id}')\ndef read_order(order_id: int, db: Session = Depends(get_db), user: User = Depends(get_current_user)):\n"
        "    return db.query(Order).filter(Order.id == order_id, Order.user_id == user.id).first()\n",
        # a public catalogue: nobody is signed in, every product is public
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/products/<int:product_id>')\n"
        "def product(product_id):\n    return Product.query.get_or_404(product_id).to_dict()\n",
        # an admin-only handler may read any record
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/admin/users/<int:user_id>')\n@login_required\n@admin_required\n"
        "def admin_user(user_id):\n    return User.query.get_or_404(user_id).to_dict()\n",
        # an ownership helper named as one
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/docs/<int:doc_id>')\n@login_required\ndef doc(doc_id):\n"
        "    document = Document.query.get_or_404(doc_id)\n    check_document_owner(document)\n    return document.body\n",
        # catalogue data is the same for every signed-in user
        "from flask import Flask, request\nfrom flask_login import login_required, current_user\napp = Flask(__name__)\n"
        "@app.post('/cart/items')\n@login_required\ndef add_to_cart():\n"
        "    product = db.session.get(Product, request.json['product_id'])\n    current_user.cart.add(product)\n",
        # the record comes from the session, not from the client
        "from flask import Flask, session\napp = Flask(__name__)\n@app.get('/me')\n@login_required\ndef me():\n"
        "    return User.query.get(session['user_id']).to_dict()\n",
        # a helper of the module loads the record and refuses anyone but its author
        "from flask import Flask, abort, g\napp = Flask(__name__)\n"
        "def get_post(post_id):\n    post = db.execute('SELECT * FROM post WHERE id = ?', (post_id,)).fetchone()\n"
        "    if post is None:\n        abort(404)\n    if post['author_id'] != g.user['id']:\n        abort(403)\n    return post\n"
        "@app.post('/posts/<int:post_id>/delete')\n@login_required\ndef delete(post_id):\n"
        "    get_post(post_id)\n    db.execute('DELETE FROM post WHERE id = ?', (post_id,))\n    db.commit()\n",
        # only reads it, in a module that signs no one in: a public page
        "from django.shortcuts import render\n"
        "def album_detail(request, album_id):\n    return render(request, 'album.html', {'album': Album.objects.get(pk=album_id)})\n",
        # no one signs in (the `Session` dependency is the database's), so no user owns the record
        "from fastapi import FastAPI, Depends\nfrom sqlmodel import Session\napp = FastAPI()\n"
        "@app.get('/notes/{note_id}')\ndef show_note(note_id: int, session: Session = Depends(get_session)):\n"
        "    return session.get(Note, note_id)\n",
        # asyncpg: the owner bound in the same query
        "from aiohttp import web\nroutes = web.RouteTableDef()\n@routes.get('/files/{file_id}')\n"
        "@login_required\nasync def get_file(request):\n    file_id = int(request.match_info['file_id'])\n"
        "    async with request.app['db'].acquire() as conn:\n"
        "        row = await conn.fetchrow('SELECT * FROM files WHERE id = $1 AND owner_id = $2', file_id, request['user']['id'])\n"
        "    return web.json_response(dict(row))\n",
        # the generic view's queryset is the user's own
        "from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.views.generic import DetailView\n"
        "class InvoiceDetailView(LoginRequiredMixin, DetailView):\n    model = Invoice\n"
        "    def get_queryset(self):\n        return Invoice.objects.filter(owner=self.request.user)\n",
        # a base class of the project's own may narrow the queryset out of sight
        "from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.views.generic import DetailView\n"
        "from .mixins import OwnedObjectsMixin\n"
        "class InvoiceDetailView(LoginRequiredMixin, OwnedObjectsMixin, DetailView):\n    model = Invoice\n",
        # DRF: an object permission class ties each order to its owner
        "from rest_framework import viewsets\nfrom rest_framework.permissions import IsAuthenticated\n"
        "class OrderViewSet(viewsets.ModelViewSet):\n    queryset = Order.objects.all()\n"
        "    serializer_class = OrderSerializer\n    permission_classes = [IsAuthenticated, IsOwner]\n",
        # profile pages are commonly readable by every signed-in user
        "from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.views.generic import DetailView\n"
        "class ProfileView(LoginRequiredMixin, DetailView):\n    model = Profile\n",
        # a decorator named for ownership guards the route
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/docs/<int:doc_id>')\n@login_required\n"
        "@owns_document\ndef doc(doc_id):\n    return Document.query.get_or_404(doc_id).body\n",
        # looking a user up by id is no sign-in: nobody here is known to be signed in
        "from fastapi import FastAPI, Depends\napp = FastAPI()\n@app.get('/users/{user_id}/notes/{note_id}')\n"
        "def note(user_id: int, note_id: int, db=Depends(get_db)):\n    author = crud.get_user(db, user_id)\n"
        "    return db.get(Note, note_id)\n",
        # reading through a generic view records nothing here ties to a user (published articles)
        "from rest_framework import viewsets\nfrom rest_framework.permissions import IsAuthenticated\n"
        "class ArticleViewSet(viewsets.ReadOnlyModelViewSet):\n    queryset = Article.objects.all()\n"
        "    serializer_class = ArticleSerializer\n    permission_classes = [IsAuthenticated]\n",
    )
    INVALID = (
        # the helper loads the record but checks no owner
        Invalid(
            "from flask import Flask, abort, g\napp = Flask(__name__)\n"
            "def get_post(post_id):\n    post = db.execute('SELECT * FROM post WHERE id = ?', (post_id,)).fetchone()\n"
            "    if post is None:\n        abort(404)\n    return post\n"
            "@app.post('/posts/<int:post_id>/delete')\n@login_required\ndef delete(post_id):\n"
            "    get_post(post_id)\n    db.execute('DELETE FROM post WHERE id = ?', (post_id,))\n    db.commit()\n"
        ),
        Invalid(
            "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.route('/invoices/<int:invoice_id>')\n@login_required\ndef show(invoice_id):\n"
            "    invoice = Invoice.query.get_or_404(invoice_id)\n    return invoice.to_dict()\n"
        ),
        Invalid(
            "from django.contrib.auth.decorators import login_required\n"
            "@login_required\ndef delete_note(request, note_id):\n"
            "    Note.objects.filter(pk=note_id).delete()\n    return redirect('notes')\n"
        ),
        Invalid(
            "from fastapi import APIRouter, Depends\nrouter = APIRouter()\n"
            "@router.put('/orders/{order_id}')\ndef update_order(order_id: int, body: OrderIn, db: Session = Depends(get_db), user: User = Depends(get_current_user)):\n"
            "    order = db.query(Order).filter(Order.id == order_id).first()\n    order.note = body.note\n    db.commit()\n"
        ),
        Invalid(
            "from flask import Flask, request\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.post('/messages/read')\n@login_required\ndef mark_read():\n"
            "    message_id = int(request.json['message_id'])\n"
            "    message = db.session.get(Message, message_id)\n    message.read = True\n    db.session.commit()\n    return 'ok'\n"
        ),
        Invalid(
            "from django.views import View\nfrom django.contrib.auth.mixins import LoginRequiredMixin\n"
            "class InvoiceView(LoginRequiredMixin, View):\n    def get(self, request, pk):\n"
            "        invoice = Invoice.objects.get(pk=pk)\n        return JsonResponse(invoice.as_dict())\n"
        ),
        Invalid(
            "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
            "@app.get('/api/files/<file_id>')\n@login_required\ndef file_meta(file_id):\n"
            "    row = db.execute('SELECT * FROM files WHERE id = ?', (file_id,)).fetchone()\n    return dict(row)\n"
        ),
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\n@app.get('/docs/<int:doc_id>')\n@login_required\ndef doc(doc_id):\n"
            "    return Document.query.get_or_404(doc_id).body\n"
        ),
        # the module's views know the signed-in user; this one deletes whichever album it is told to
        Invalid(
            "from django.shortcuts import redirect, render\n"
            "def album_list(request):\n    return render(request, 'albums.html', {'albums': Album.objects.filter(owner=request.user)})\n"
            "def album_delete(request, album_id):\n    album = Album.objects.get(pk=album_id)\n"
            "    album.delete()\n    return redirect('albums')\n",
            at=(5, 13),
        ),
        # asyncpg: the row picked by the URL's id, the owner never compared
        Invalid(
            "from aiohttp import web\nroutes = web.RouteTableDef()\n@routes.get('/files/{file_id}')\n"
            "@login_required\nasync def get_file(request):\n    file_id = int(request.match_info['file_id'])\n"
            "    async with request.app['db'].acquire() as conn:\n"
            "        row = await conn.fetchrow('SELECT * FROM files WHERE id = $1', file_id)\n"
            "    return web.json_response(dict(row))\n"
        ),
        # SQLAlchemy `text()` with a named parameter
        Invalid(
            "from fastapi import FastAPI, Depends\nfrom sqlalchemy import text\napp = FastAPI()\n"
            "@app.get('/statements/{statement_id}')\n"
            "def statement(statement_id: int, user=Depends(get_current_user), db=Depends(get_db)):\n"
            "    return db.execute(text('SELECT * FROM statements WHERE id = :id'), {'id': statement_id}).mappings().first()\n"
        ),
        # a generic view loads any invoice by the URL's key for anyone signed in
        Invalid(
            "from django.contrib.auth.mixins import LoginRequiredMixin\n"
            "from django.views.generic import DetailView\n"
            "class InvoiceDetailView(LoginRequiredMixin, DetailView):\n    model = Invoice\n"
            "    template_name = 'billing/invoice_detail.html'\n"
        ),
        # DRF: every order, for any authenticated caller
        Invalid(
            "from rest_framework import viewsets\nfrom rest_framework.permissions import IsAuthenticated\n"
            "class OrderViewSet(viewsets.ModelViewSet):\n    queryset = Order.objects.all()\n"
            "    serializer_class = OrderSerializer\n    permission_classes = [IsAuthenticated]\n"
        ),
        # changing anyone's profile is not
        Invalid(
            "from django.contrib.auth.mixins import LoginRequiredMixin\n"
            "from django.views.generic import UpdateView\n"
            "class ProfileEditView(LoginRequiredMixin, UpdateView):\n    model = Profile\n"
            "    fields = ['bio', 'avatar']\n"
        ),
        # the same lookup behind a sign-in
        Invalid(
            "from fastapi import FastAPI, Depends\napp = FastAPI()\n"
            "@app.get('/users/{user_id}/notes/{note_id}')\n"
            "def note(user_id: int, note_id: int, db=Depends(get_db), me=Depends(get_current_user)):\n"
            "    author = crud.get_user(db, user_id)\n    return db.get(Note, note_id)\n"
        ),
        # the signed-in user comes from a type alias (`Annotated[User, Depends(...)]`)
        Invalid(
            "from typing import Annotated\nfrom fastapi import APIRouter, Depends\n"
            "CurrentUser = Annotated[User, Depends(get_current_user)]\nrouter = APIRouter()\n"
            "@router.get('/items/{id}')\ndef read_item(session: SessionDep, user: CurrentUser, id: int):\n"
            "    return session.get(Item, id)\n"
        ),
        # a handler registered by a call (aiohttp `add_get`), signed in through aiohttp-security
        Invalid(
            "from aiohttp import web\nfrom aiohttp_security import check_authorized\n"
            "async def get_invoice(request):\n    await check_authorized(request)\n"
            "    invoice_id = int(request.match_info['invoice_id'])\n"
            "    row = await request.app['pool'].fetchrow('SELECT * FROM invoices WHERE id = $1', invoice_id)\n"
            "    return web.json_response(dict(row))\ndef setup_routes(app):\n"
            "    app.router.add_get('/invoices/{invoice_id}', get_invoice)\n"
        ),
        # reading records the module ties to their owner
        Invalid(
            "from rest_framework import viewsets\nfrom rest_framework.permissions import IsAuthenticated\n"
            "class StatementViewSet(viewsets.ReadOnlyModelViewSet):\n    queryset = Statement.objects.all()\n"
            "    serializer_class = StatementSerializer\n    permission_classes = [IsAuthenticated]\n"
            "def monthly(request):\n    return Statement.objects.filter(owner=request.user).latest('month')\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        key = record_key(node)
        if key is None or set(words(record_model(node))) & _REFERENCE_DATA:
            return
        found = enclosing_handler(ctx)
        if found is None or is_public(found, ctx.options):
            return
        signed_in = found.guards.authentication is not None or found.seen.reads_user(found.guards.user_names)
        # A handler that changes the record, in a module whose code knows who is signed in (its other
        # views read the user): the record is someone's, and here anyone changes it (authentication,
        # if any, happens out of sight, in middleware).
        changes = not signed_in and bool(ctx.module.sign_ins) and writes_state(found)
        if not (signed_in or changes) or found.guards.authorization is not None:
            return
        reason, ownership_suffices = privilege(found)
        if reason is not None and not ownership_suffices:
            return  # an admin action: TG402 reports the missing role check, the real flaw
        source = client_value(key, ctx, found)
        if source is None:
            return
        ctx.report(self, node, source=source, confidence="medium" if changes else None)

    def visit_ClassDef(self, node: ast.ClassDef, ctx) -> None:
        """`class InvoiceDetail(LoginRequiredMixin, DetailView): model = Invoice`: the generic view loads
        any invoice by the URL's key for anyone signed in."""
        view = generic_record_view(node, ctx)
        if view is None:
            return
        model, changes, statement = view
        said = set(words(model))
        if said & _REFERENCE_DATA or set(words(node.name)) & ROLE_ONLY:
            return
        if not changes and said & (_PEOPLE | _PUBLISHED) and model not in ctx.module.owned:
            return  # read by all, unless the module ties these records to their owner (`ModuleFacts.owned`)
        found = guards(node, ctx)
        if found.public or found.authorization is not None or found.authentication in (None, DRF_SETTINGS):
            return  # nobody known to be signed in (DRF's default permission is in settings, unseen)
        ctx.report(self, statement, details={"source": f"the URL's key, read by `{node.name}` for any `{model}`"})
