"""A status page served with the standard library's http.server."""

import subprocess
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse


def ping(host):
    return subprocess.run(["ping", "-c", "1", "--", host], capture_output=True, text=True).stdout


class StatusHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        params = parse_qs(urlparse(self.path).query)
        host = params.get("host", ["localhost"])[0]
        body = ping(host).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", 8080), StatusHandler).serve_forever()
