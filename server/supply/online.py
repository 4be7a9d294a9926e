"""Questions for the package index and the OSV vulnerability database, only with `network = true`.

Standard library only. Every request has a timeout; answers are cached on disk for `cache-ttl-hours`
(written to a temporary file and renamed, so a crash never leaves half a file). A service that fails
(timeout, refused connection, 5xx, malformed JSON) is not asked again during the same check, and the
caller gets the offline result plus a note. The calls block: the language server runs them in a
worker thread, never on its event loop.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from tabguard.atomic import write_atomically
from tabguard.supply.names import normalize

TIMEOUT_SECONDS = 4.0
_WORKERS = 8
_USER_AGENT = "tabguard-supply-check"
# Only http(s): without the default opener's file, ftp and data handlers, a URL or redirect that
# names a local path fails instead of being read (the config already refuses such URLs).
_OPENER = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.ProxyHandler,
    urllib.request.HTTPHandler,
    urllib.request.HTTPSHandler,
    urllib.request.HTTPDefaultErrorHandler,
    urllib.request.HTTPRedirectHandler,
    urllib.request.HTTPErrorProcessor,
    urllib.request.UnknownHandler,
):
    _OPENER.add_handler(_handler())


class OnlineError(Exception):
    """A service did not give a usable answer."""


@dataclass
class ProjectInfo:
    exists: bool
    first_release: Optional[datetime] = None


@dataclass
class Vulnerability:
    id: str
    fixed: list[str] = field(default_factory=list)  # releases that fix it, from the advisory


class DiskCache:
    def __init__(self, folder: Path, ttl_hours: float):
        self.folder = folder
        self.ttl = ttl_hours * 3600

    def _path(self, key: str) -> Path:
        return self.folder / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + ".json")

    def get(self, key: str):
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            if time.time() - entry["time"] <= self.ttl and entry.get("key") == key:
                return entry["value"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def put(self, key: str, value) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            entry = json.dumps({"key": key, "time": time.time(), "value": value})
            write_atomically(self.folder, self._path(key).name, entry.encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs a repeated request


class Service:
    """One HTTP JSON service; after its first failure it is skipped for the rest of the check."""

    def __init__(self, name: str, base_url: str, timeout: float):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.failure: Optional[str] = None
        self._lock = threading.Lock()

    def request(self, path: str, body: Optional[dict] = None, missing_ok: bool = False):
        """The decoded JSON answer; None for 404 when `missing_ok`. Raises OnlineError."""
        if self.failure:
            raise OnlineError(self.failure)
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            headers={
                "Accept": "application/json",
                "User-Agent": _USER_AGENT,
                **({"Content-Type": "application/json"} if data else {}),
            },
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            if error.code == 404 and missing_ok:
                return None
            reason = f"HTTP {error.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = str(getattr(error, "reason", None) or error) or type(error).__name__
        except (ValueError, UnicodeDecodeError):
            reason = "malformed JSON answer"
        raise OnlineError(self.mark_failed(reason))

    def mark_failed(self, reason: str) -> str:
        with self._lock:
            self.failure = self.failure or f"{self.name} unavailable ({reason})"
        return self.failure


class OnlineChecker:
    def __init__(self, index_url: str, osv_url: str, cache: DiskCache, timeout: Optional[float] = None):
        self.index = Service("package index", index_url, timeout or TIMEOUT_SECONDS)
        self.osv = Service("vulnerability database", osv_url, timeout or TIMEOUT_SECONDS)
        self.cache = cache

    @property
    def notes(self) -> list[str]:
        return [
            f"{s.failure}: its checks were skipped, offline results shown" for s in (self.index, self.osv) if s.failure
        ]

    # -- the package index (PyPI JSON API) -------------------------------------------------------
    def projects(self, names: list[str]) -> dict[str, ProjectInfo]:
        """What the index says about each name; names it could not answer for are left out."""
        return _parallel(sorted({normalize(n) for n in names}), self._project)

    def _project(self, name: str) -> Optional[ProjectInfo]:
        key = f"index {self.index.base_url} {name}"
        cached = self.cache.get(key)
        if cached is None:
            answer = self.index.request(f"/pypi/{name}/json", missing_ok=True)
            try:
                cached = {"exists": answer is not None, "first_release": _first_release(answer) if answer else None}
            except (AttributeError, TypeError, ValueError):
                raise OnlineError(self.index.mark_failed("malformed answer")) from None
            self.cache.put(key, cached)
        first = cached.get("first_release")
        return ProjectInfo(bool(cached["exists"]), datetime.fromisoformat(first) if first else None)

    # -- OSV ----------------------------------------------------------------------------------------
    def vulnerabilities(self, pins: list[tuple[str, str]]) -> dict[tuple[str, str], list[Vulnerability]]:
        """Known vulnerabilities of each (name, version); pins it could not answer for are left out."""
        found: dict[tuple[str, str], list[str]] = {}
        missing = []
        for name, version in dict.fromkeys((normalize(n), v) for n, v in pins):
            cached = self.cache.get(f"osv {self.osv.base_url} {name} {version}")
            if cached is None:
                missing.append((name, version))
            else:
                found[(name, version)] = cached
        if missing:
            try:
                answer = self.osv.request(
                    "/v1/querybatch",
                    {"queries": [{"package": {"name": n, "ecosystem": "PyPI"}, "version": v} for n, v in missing]},
                )
                results = answer["results"]
                if not isinstance(results, list) or len(results) != len(missing):
                    raise TypeError("results do not match the queries")
                for pin, result in zip(missing, results):
                    ids = sorted({v["id"] for v in (result or {}).get("vulns", []) or []})
                    found[pin] = ids
                    self.cache.put(f"osv {self.osv.base_url} {pin[0]} {pin[1]}", ids)
            except OnlineError:
                pass
            except (KeyError, TypeError, AttributeError):
                self.osv.mark_failed("malformed answer")
        details = _parallel(sorted({i for ids in found.values() for i in ids}), self._advisory)
        result = {}
        for (name, version), ids in found.items():
            if all(i in details for i in ids):
                result[(name, version)] = [Vulnerability(i, _fixed_for(details[i], name)) for i in ids]
        return result

    def _advisory(self, vuln_id: str) -> Optional[dict]:
        key = f"osv-vuln {self.osv.base_url} {vuln_id}"
        cached = self.cache.get(key)
        if cached is None:
            answer = self.osv.request(f"/v1/vulns/{vuln_id}")
            if not isinstance(answer, dict) or not isinstance(answer.get("affected", []), list):
                raise OnlineError(self.osv.mark_failed("malformed advisory"))
            cached = {"affected": answer.get("affected", [])}
            self.cache.put(key, cached)
        return cached


def _parallel(items: list, fetch: Callable) -> dict:
    """`fetch` over items in a few threads; items whose fetch failed are left out."""

    def safe(item):
        try:
            return fetch(item)
        except (OnlineError, KeyError, TypeError, ValueError, AttributeError):
            return None

    if not items:
        return {}
    with ThreadPoolExecutor(max_workers=min(_WORKERS, len(items))) as pool:
        return {item: value for item, value in zip(items, pool.map(safe, items)) if value is not None}


def _first_release(answer: dict) -> Optional[str]:
    times = [
        f.get("upload_time_iso_8601") or f.get("upload_time")
        for files in (answer.get("releases") or {}).values()
        for f in files or ()
    ]
    times = [t for t in times if isinstance(t, str)]
    if not times:
        return None
    first = min(datetime.fromisoformat(t.replace("Z", "+00:00")) for t in times)
    return (first if first.tzinfo else first.replace(tzinfo=timezone.utc)).isoformat()


def _fixed_for(advisory: dict, name: str) -> list[str]:
    fixed = []
    for affected in advisory.get("affected", []):
        package = affected.get("package", {})
        if package.get("ecosystem") != "PyPI" or normalize(package.get("name", "")) != name:
            continue
        for range_ in affected.get("ranges", []):
            fixed.extend(e["fixed"] for e in range_.get("events", []) if "fixed" in e)
    return fixed


def version_key(version: str) -> tuple:
    """An ordering of release strings good enough to pick a fix: numbers first, pre-releases before."""
    match = re.match(r"v?(\d+(?:\.\d+)*)(.*)", version.strip().lower())
    if not match:
        return ((), -1, version)
    release = [int(p) for p in match.group(1).split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    rest = match.group(2)
    final = not rest or rest.startswith((".post", "post", "-post", "+"))
    return (tuple(release), 0 if final else -1, rest)


def lowest_fix(version: str, vulnerabilities: list[Vulnerability]) -> Optional[str]:
    """The lowest release above `version` that fixes every vulnerability, or None if one has no fix."""
    current = version_key(version)
    needed = []
    for vulnerability in vulnerabilities:
        later = [f for f in vulnerability.fixed if version_key(f) > current]
        if not later:
            return None
        needed.append(min(later, key=version_key))
    return max(needed, key=version_key) if needed else None


def age_in_days(when: datetime, now: Optional[datetime] = None) -> int:
    return ((now or datetime.now(timezone.utc)) - when).days
