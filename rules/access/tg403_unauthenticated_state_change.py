"""TG403: a route that changes stored state and never establishes who the caller is."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.routes import MUTATING_METHODS, Handler, is_public
from tabguard.rules.access._handlers import handler, route_label, route_span
from tabguard.rules.access._siblings import public_by_design, sibling_decorator
from tabguard.rules.access._writes import writes_state


class UnauthenticatedStateChange(Rule):
    id = "TG403"
    name = "unauthenticated-state-change"
    severity = "medium"
    confidence = "low"
    cwe = (306,)
    owasp = "A07:2025"
    message = "`{route}` changes stored data ({methods}) but never checks who is calling"
    placeholders = {"route": "/api/projects/<int:project_id>", "methods": "DELETE"}
    what = (
        "The handler for `{route}` accepts {methods} requests and writes to the database, cache or disk, "
        "but nothing establishes who the caller is: no login decorator, no authentication dependency, no "
        "check of the session or token in the body, and the route is not listed in `public-routes`."
    )
    why = (
        "Anyone who can reach the server can call it: `curl -X DELETE https://app.example.com/api/projects/7` "
        "needs no account. A frontend that only shows the button to signed-in users does not protect the "
        "endpoint, and automated scanners find unauthenticated write endpoints within hours of deployment. "
        "Assistants often generate the CRUD routes first and leave authentication for later."
    )
    how = (
        "Require authentication on the route (`@login_required`, `Depends(get_current_user)`, DRF "
        "`permission_classes = [IsAuthenticated]`, `LoginRequiredMixin`), or at the blueprint/router level. "
        "If the endpoint is public by design (a contact form, a signed webhook), list it in `public-routes` "
        "in `[tool.tabguard]`; if your project authenticates with its own decorator, list it in "
        "`auth-decorators`. This rule has low confidence because authentication applied elsewhere (a "
        "router's dependencies in another file, a middleware) is invisible to it."
    )
    example = (
        '@app.delete("/api/projects/<int:project_id>")\n@login_required\ndef delete_project(project_id):\n'
        "    project = Project.query.filter_by(id=project_id, owner_id=current_user.id).first_or_404()\n"
        '    db.session.delete(project)\n    db.session.commit()\n    return "", 204'
    )
    references = (
        "https://cwe.mitre.org/data/definitions/306.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html",
    )
    VALID = (
        "from flask import Flask\nfrom flask_login import login_required\napp = Flask(__name__)\n"
        "@app.delete('/api/projects/<int:project_id>')\n@login_required\ndef delete_project(project_id):\n"
        "    Project.query.filter_by(id=project_id).delete()\n    db.session.commit()\n",
        "from fastapi import FastAPI, Depends\napp = FastAPI()\n"
        "@app.post('/items')\ndef create_item(item: ItemIn, db: Session = Depends(get_db), user: User = Depends(get_current_user)):\n"
        "    db.add(Item(**item.dict(), owner_id=user.id))\n    db.commit()\n",
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/register')\ndef register():\n"
        "    db.session.add(User(email=request.form['email']))\n    db.session.commit()\n",
        "from flask import Flask, request, session, abort\napp = Flask(__name__)\n@app.post('/notes')\ndef add_note():\n"
        "    if 'user_id' not in session:\n        abort(401)\n    db.session.add(Note(text=request.form['text'], user_id=session['user_id']))\n    db.session.commit()\n",
        # a computation, nothing stored
        "from flask import Flask, request\napp = Flask(__name__)\n@app.post('/quote')\ndef quote():\n    return {'total': price(request.json)}\n",
        "from django.views.decorators.http import require_POST\nfrom django.contrib.auth.decorators import login_required\n"
        "@require_POST\n@login_required\ndef archive(request, pk):\n    Thread.objects.filter(pk=pk, owner=request.user).update(archived=True)\n",
        # A class named for subclassing (`Base...`, `...Mixin`): the view an application routes is a
        # subclass, and its access check is judged there.
        "from django.views.generic import View\nfrom django.views.generic.edit import DeletionMixin\n"
        "class BaseArchiveView(DeletionMixin, View):\n    def post(self, request, pk):\n"
        "        Item.objects.filter(pk=pk).delete()\n        return redirect('items')\n",
        # a test client sends requests: its `delete(path)` is no view, however its mixins are named
        "from django.test import RequestFactory\nclass RecordingClient(ClientMixin, RequestFactory):\n"
        "    def delete(self, path, data='', **extra):\n        response = super().delete(path, data, **extra)\n"
        "        Log.objects.create(path=path, status=response.status_code)\n        return response\n",
        # every request method goes through `dispatch`, and `login_required` guards it
        "from django.contrib.auth.decorators import login_required\nfrom django.utils.decorators import method_decorator\n"
        "from django.views.generic import FormView\nclass PasswordChange(FormView):\n"
        "    @method_decorator(login_required)\n    def dispatch(self, *args, **kwargs):\n"
        "        return super().dispatch(*args, **kwargs)\n    def form_valid(self, form):\n"
        "        form.save()\n        return super().form_valid(form)\n",
        # a Tornado handler's `self.write` sends the response: nothing is stored
        "from tornado.web import RequestHandler\nclass Echo(RequestHandler):\n    def post(self):\n"
        "        self.write(self.request.body)\n        self.flush()\n",
        # the request body copied into a dict and extended: nothing stored
        "from fastapi import FastAPI\napp = FastAPI()\n@app.post('/items/')\n"
        "async def create_item(item: Item):\n    item_dict = item.dict()\n    if item.tax:\n"
        "        item_dict.update({'price_with_tax': item.price + item.tax})\n    return item_dict\n",
        # the login wrapped around the handler where it is registered
        "from aiohttp import web\nasync def delete_note(request):\n"
        "    await request.app['pool'].execute('DELETE FROM notes WHERE id = $1', int(request.match_info['note_id']))\n"
        "    return web.Response(status=204)\napp = web.Application()\n"
        "app.router.add_delete('/notes/{note_id}', login_required(delete_note))\n",
    )
    INVALID = (
        # ... but a store reached through the handler is written
        Invalid(
            "from tornado.web import RequestHandler\nclass Notes(RequestHandler):\n    def post(self):\n"
            "        self.storage.write(self.request.body)\n        self.write('saved')\n"
        ),
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\n"
            "@app.route('/api/projects/<int:project_id>', methods=['DELETE'])\ndef delete_project(project_id):\n"
            "    Project.query.filter_by(id=project_id).delete()\n    db.session.commit()\n    return '', 204\n"
        ),
        Invalid(
            "from fastapi import FastAPI, Depends\napp = FastAPI()\n"
            "@app.put('/items/{item_id}')\ndef update_item(item_id: int, item: ItemIn, db: Session = Depends(get_db)):\n"
            "    db.query(Item).filter(Item.id == item_id).update(item.dict())\n    db.commit()\n"
        ),
        Invalid(
            "from django.views.decorators.http import require_POST\n"
            "@require_POST\ndef close_ticket(request, pk):\n    Ticket.objects.filter(pk=pk).update(status='closed')\n    return redirect('tickets')\n"
        ),
        Invalid(
            "from django.views.generic import View\nfrom django.views.generic.edit import DeletionMixin\n"
            "class ArchiveView(DeletionMixin, View):\n    def post(self, request, pk):\n"
            "        Item.objects.filter(pk=pk).delete()\n        return redirect('items')\n"
        ),
        # a mixin on a class named as a view: it is routed
        Invalid(
            "from django.views.generic.edit import DeletionMixin\nclass NoteDeleteView(DeletionMixin):\n"
            "    def delete(self, request, pk):\n        Note.objects.filter(pk=pk).delete()\n        return redirect('notes')\n"
        ),
        # decorators on `dispatch` that are not a login
        Invalid(
            "from django.utils.decorators import method_decorator\nfrom django.views.decorators.csrf import csrf_protect\n"
            "from django.views.generic import FormView\nclass Feedback(FormView):\n"
            "    @method_decorator(csrf_protect)\n    def dispatch(self, *args, **kwargs):\n"
            "        return super().dispatch(*args, **kwargs)\n    def form_valid(self, form):\n"
            "        form.save()\n        return super().form_valid(form)\n"
        ),
        # a database session dependency is not a login, whatever the word "session" suggests
        Invalid(
            "from fastapi import FastAPI, Depends\nfrom sqlmodel import Session\napp = FastAPI()\n"
            "@app.delete('/notes/{note_id}')\ndef drop_note(note_id: int, session: Session = Depends(get_session)):\n"
            "    session.delete(session.get(Note, note_id))\n    session.commit()\n"
        ),
        # the same dict stored
        Invalid(
            "from fastapi import FastAPI\napp = FastAPI()\n@app.post('/items/')\n"
            "async def create_item(item: Item):\n    item_dict = item.dict()\n"
            "    db.items.insert_one(item_dict)\n    return item_dict\n"
        ),
        # registered by a call, deleting through SQL text
        Invalid(
            "from aiohttp import web\nasync def delete_note(request):\n"
            "    await request.app['pool'].execute('DELETE FROM notes WHERE id = $1', int(request.match_info['note_id']))\n"
            "    return web.Response(status=204)\napp = web.Application()\n"
            "app.add_routes([web.delete('/notes/{note_id}', delete_note)])\n"
        ),
        # a Starlette `Route` for POST
        Invalid(
            "from starlette.applications import Starlette\nfrom starlette.responses import JSONResponse\n"
            "from starlette.routing import Route\nasync def create_post(request):\n"
            "    data = await request.json()\n"
            "    await database.execute(posts.insert().values(title=data['title']))\n"
            "    return JSONResponse({'ok': True}, status_code=201)\n"
            "app = Starlette(routes=[Route('/posts', create_post, methods=['POST'])])\n"
        ),
    )

    def visit_FunctionDef(self, node: ast.AST, ctx) -> None:
        found = handler(ctx, node)
        if found is None or found.guards.public or not _changes_state(found):
            return
        if is_public(found, ctx.options) or public_by_design(found.func.name, found.paths):
            return
        if found.guards.authentication is not None or found.seen.reads_user(found.guards.user_names):
            return
        if sibling_decorator(ctx, found) is not None:
            return  # TG414 reports it, with the decorator to add
        methods = "/".join(m for m in found.methods if m in MUTATING_METHODS) or "any method"
        ctx.report(self, route_span(ctx, found), details={"route": route_label(found), "methods": methods})

    visit_AsyncFunctionDef = visit_FunctionDef


def _changes_state(found: Handler) -> bool:
    # Views that serve any method (a Django view with no method decorator) are left out: projects
    # that authenticate them do it in middleware (Django's LoginRequiredMiddleware), out of sight.
    return found.mutating and writes_state(found)
