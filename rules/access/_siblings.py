"""The authentication decorator every other route of a module wears (the one a new route forgot)."""

from __future__ import annotations

from collections import Counter
from typing import Optional

from tabguard.guards import authenticating_decorator, last_part, words
from tabguard.routes import Handler

# Handlers that are public by design: signing in and up, resets, provider callbacks, probes.
PUBLIC_WORDS = frozenset(
    {
        "login",
        "logout",
        "signin",
        "signup",
        "register",
        "registration",
        "token",
        "tokens",
        "refresh",
        "password",
        "reset",
        "forgot",
        "verify",
        "verification",
        "confirm",
        "activate",
        "webhook",
        "webhooks",
        "callback",
        "oauth",
        "sso",
        "saml",
        "oidc",
        "health",
        "healthz",
        "ping",
        "contact",
        "subscribe",
        "unsubscribe",
        "newsletter",
        "search",
        "feedback",
        "csp",
        "report",
        "track",
        "tracking",
        "events",
        "analytics",
        "graphql",
        "auth",
        "session",
        "sessions",
        "invite",
        "invitation",
        "magic",
        "otp",
        "captcha",
        "public",
        "guest",
        "anonymous",
        "checkout",
        "cart",
        "waitlist",
        "demo",
        "lead",
        "leads",
        "inquiry",
        "enquiry",
        "index",
        "home",
        "about",
        "static",
        "favicon",
        "robots",
        "sitemap",
        "landing",
    }
)
_ROUTE_VERBS = frozenset({"route", "get", "post", "put", "patch", "delete", "api_route"})


def public_by_design(name: str, paths: tuple[str, ...]) -> bool:
    said = set(words(name))
    for path in paths:
        said.update(words(path))
    return bool(said & PUBLIC_WORDS) or paths == ("/",)


def sibling_decorator(ctx, found: Handler) -> Optional[str]:
    """The authentication decorator that all (2 or more) other route functions of the module wear,
    leaving out those public by design; None when they disagree or are too few to say."""
    receivers = {d.receiver for d in found.decls}
    counts: Counter[str] = Counter()
    siblings = 0
    for name, function in ctx.module.functions.items():
        if name == found.func.name:
            continue
        routes = [d for d in function.decorators if d.rpartition(".")[0] in receivers and last_part(d) in _ROUTE_VERBS]
        django_view = not receivers and function.params[:1] == ("request",)  # function views have no route decorator
        if not (routes or django_view) or public_by_design(name, ()):
            continue
        siblings += 1
        counts.update({d for d in function.decorators if d not in routes and authenticating_decorator(d, ctx.options)})
    if siblings < 2 or not counts:
        return None
    decorator, wearing = counts.most_common(1)[0]
    return decorator if wearing == siblings else None
