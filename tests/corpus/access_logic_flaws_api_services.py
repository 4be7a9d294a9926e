"""FastAPI and Django services with the logic flaws assistants write: a route that lost its sibling's
decorator, privilege from the request, predictable session ids, expired tokens accepted."""

import hashlib
import uuid
from datetime import datetime

import jwt
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET, require_POST
from fastapi import Depends, FastAPI, Header, HTTPException

api = FastAPI()
TOKEN_KEY = "rotate-me-before-launch"  # expect: CWE-798


@login_required
def order_list(request):
    return JsonResponse({"orders": list(request.user.orders.values())})


@require_POST
@login_required
def order_cancel(request, pk):
    request.user.orders.filter(pk=pk).update(status="cancelled")
    return JsonResponse({"ok": True})


@login_required
def order_invoice(request, pk):
    return JsonResponse({"invoice": request.user.orders.get(pk=pk).invoice_url})


@require_POST
def order_refund_request(request, pk):  # expect: CWE-306
    Refund.objects.create(order_id=pk, reason=request.POST["reason"])
    return JsonResponse({"ok": True})


@require_GET
@login_required
def order_delete(request, pk):  # expect: CWE-352
    request.user.orders.filter(pk=pk).delete()
    return JsonResponse({"ok": True})


@require_POST
@login_required
def promote_member(request, pk):
    if request.POST.get("role") == "admin":  # expect: CWE-807
        Member.objects.filter(pk=pk).update(role="admin")
    return JsonResponse({"ok": True})


@require_POST
@login_required
def promote_member_v2(request, pk):
    if request.user.is_superuser:  # secure: CWE-807
        Member.objects.filter(pk=pk).update(role="admin")
    return JsonResponse({"ok": True})


def new_session_id(user):
    return hashlib.sha256(f"{user.id}-{datetime.utcnow().isoformat()}".encode()).hexdigest()  # expect: CWE-330


def new_session_id_v2(user):
    return uuid.uuid4().hex  # secure: CWE-330


def caller(authorization: str = Header(...)):
    token = authorization.removeprefix("Bearer ")
    return jwt.decode(token, TOKEN_KEY, algorithms=["HS256"], options={"verify_exp": False, "verify_aud": False})  # expect: CWE-613


def caller_v2(authorization: str = Header(...)):
    token = authorization.removeprefix("Bearer ")
    return jwt.decode(token, TOKEN_KEY, algorithms=["HS256"], options={"verify_aud": False})  # secure: CWE-613


@api.get("/internal/stats")
def internal_stats(x_role: str = Header(default="user")):
    if x_role != "admin":  # expect: CWE-807
        raise HTTPException(status_code=403)
    return {"users": 42}


@api.post("/login")
def login(username: str, password: str):
    user = lookup(username)
    if user is None:
        raise HTTPException(status_code=404, detail="Unknown username")  # expect: CWE-204
    if not user.verify(password):
        raise HTTPException(status_code=401, detail="Invalid password")
    return {"access_token": issue(user)}


@api.get("/users/{user_id}/records")
def records(user_id: int, me=Depends(current_member)):
    return fetch_records(user_id)
