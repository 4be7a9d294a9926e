"""A tiny link service on `http.server` plus two Django views, as assistants write them when asked for
"a redirect endpoint that sends users back where they came from" without a framework helper.
"""

from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

from django.http import HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

ROUTES = {"docs": "/docs/", "home": "/"}


class LinkHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        params = parse_qs(urlparse(self.path).query)
        self.send_response(302)
        if "to" in params:
            self.send_header("Location", params["to"][0])  # expect: CWE-601
        else:
            self.send_header("Location", ROUTES.get(params.get("page", ["home"])[0], "/"))  # secure: CWE-601
        self.end_headers()


def bounce(request):
    response = HttpResponse(status=302)
    response["Location"] = request.GET.get("next", "/")  # expect: CWE-601
    return response


def bounce_checked(request):
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponse(status=302)
    response["Location"] = target  # secure: CWE-601
    return response


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", 8080), LinkHandler).serve_forever()
