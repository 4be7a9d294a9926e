"""A workspace on disk: a project folder with dependency files and a `.venv` whose installed
distributions are described by real metadata files (METADATA, top_level.txt, RECORD); and a fake
package index + OSV service on 127.0.0.1 (`services`)."""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tabguard.config import Config

SITE = f".venv/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"


class Workspace:
    def __init__(self, root: Path):
        self.root = root
        self.site = root / SITE
        self.site.mkdir(parents=True)
        (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def install(self, name: str, version: str, modules: list[str], top_level: bool = True, requires=()) -> None:
        """A wheel-style install: the package folders plus its .dist-info (`requires`: Requires-Dist lines)."""
        info = self.site / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        headers = "".join(f"Requires-Dist: {r}\n" for r in requires)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{headers}\nA description.\n"
        )
        record = [f"{info.name}/METADATA,,", f"{info.name}/RECORD,,"]
        for module in modules:
            (self.site / module).mkdir()
            (self.site / module / "__init__.py").write_text("")
            record.append(f"{module}/__init__.py,sha256=x,0")
        (info / "RECORD").write_text("\n".join(record) + "\n")
        if top_level:
            (info / "top_level.txt").write_text("\n".join(modules) + "\n")

    def config(self, **values) -> Config:
        config = Config()
        config.values.update({k.replace("_", "-"): v for k, v in values.items()})
        return config


@pytest.fixture
def rereads(monkeypatch) -> None:
    """The workspace re-reads changed files at once, not at most once a second (a test's edits)."""
    import tabguard.supply.workspace as ws_module

    monkeypatch.setattr(ws_module, "_RECHECK_SECONDS", 0.0)


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    ws = Workspace(tmp_path / "project")
    ws.write("pyproject.toml", '[project]\nname = "shop"\ndependencies = ["requests>=2.31"]\n')
    return ws


NOW = datetime.now(timezone.utc)


def _days_ago(days: int) -> str:
    return (NOW - timedelta(days=days)).isoformat().replace("+00:00", "Z")


class FakeServices:
    """The index's JSON API and OSV's querybatch/vulns endpoints, with switchable failures."""

    def __init__(self):
        self.projects = {  # name -> first upload time
            "requests": _days_ago(4000),
            "django": _days_ago(6000),
            "fastapi": _days_ago(2000),
            "fastapi-auth-helpers": _days_ago(3),
            "brand-new-lib-xyz": _days_ago(100),
        }
        self.vulnerable = {("django", "3.2.0"): ["GHSA-aaaa-0001", "PYSEC-2023-0002"]}
        self.advisories = {
            "GHSA-aaaa-0001": [{"introduced": "3.2"}, {"fixed": "3.2.15"}, {"introduced": "4.0"}, {"fixed": "4.0.7"}],
            "PYSEC-2023-0002": [{"introduced": "0"}, {"fixed": "3.2.19"}],
        }
        self.mode = "ok"  # ok | slow | error | garbage | shape
        self.requests: list[str] = []

    def answer(self, method: str, path: str, body: bytes):
        self.requests.append(f"{method} {path}")
        if self.mode == "slow":
            time.sleep(1.5)
        if self.mode == "error":
            return 503, b"{}"
        if self.mode == "garbage":
            return 200, b"<html>not json"
        if self.mode == "shape":
            return 200, b'["valid JSON, wrong shape"]'
        if method == "GET" and path.startswith("/pypi/"):
            name = path.split("/")[2]
            if name not in self.projects:
                return 404, b'{"message": "Not Found"}'
            files = [{"filename": f"{name}-1.0.tar.gz", "upload_time_iso_8601": self.projects[name]}]
            return 200, json.dumps({"info": {"name": name}, "releases": {"1.0": files, "0.0": []}}).encode()
        if method == "POST" and path == "/v1/querybatch":
            queries = json.loads(body)["queries"]
            results = [
                {
                    "vulns": [
                        {"id": i, "modified": "2024-01-01T00:00:00Z"}
                        for i in self.vulnerable.get((q["package"]["name"], q["version"]), [])
                    ]
                }
                if self.vulnerable.get((q["package"]["name"], q["version"]))
                else {}
                for q in queries
            ]
            return 200, json.dumps({"results": results}).encode()
        if method == "GET" and path.startswith("/v1/vulns/"):
            vuln_id = path.rsplit("/", 1)[1]
            affected = [
                {
                    "package": {"name": "django", "ecosystem": "PyPI"},
                    "ranges": [{"type": "ECOSYSTEM", "events": self.advisories[vuln_id]}],
                }
            ]
            return 200, json.dumps({"id": vuln_id, "affected": affected}).encode()
        return 404, b"{}"


@pytest.fixture
def services():
    fake = FakeServices()

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            status, payload = fake.answer(method, self.path, self.rfile.read(length) if length else b"")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (timeout tests)

        def do_GET(self):
            self._reply("GET")

        def do_POST(self):
            self._reply("POST")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()
