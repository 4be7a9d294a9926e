"""Name arithmetic, the bundled snapshot, and version ordering for fixes."""

from __future__ import annotations

import json
import time

from tabguard.supply.data import DATA_FILE, KnownPackages, known_packages
from tabguard.supply.names import confusion, distance_at_most_one, normalize
from tabguard.supply.online import Vulnerability, lowest_fix, version_key


def test_normalize_and_distance():
    assert normalize("Python_Dateutil") == "python-dateutil" == normalize("python.dateutil")
    assert distance_at_most_one("requests", "reqeusts")  # adjacent swap
    assert distance_at_most_one("requests", "requets")
    assert distance_at_most_one("numpy", "numpyy")
    assert not distance_at_most_one("requests", "rqeuests2")


def test_confusions():
    assert confusion("pythondateutil", "python-dateutil") == "separators"
    assert confusion("python-requests", "requests") == "added prefix or suffix"
    assert confusion("request", "requests") == "plural"
    assert confusion("schemas", "schema", strict=True) is None  # a workspace module, usually
    assert confusion("server", "semver", strict=True) is None  # short names are dense
    assert confusion("colourama", "colorama", strict=True) == "one-letter difference"


def test_snapshot_is_small_dated_and_loads_fast():
    assert DATA_FILE.stat().st_size < 2_000_000
    data = json.loads(DATA_FILE.read_text())
    assert data["snapshot"] and data["generated_by"] == "python -m tabguard.supply.build_data"
    for entry in data["deprecated"].values():
        assert entry["source"].startswith("https://") and entry["replacements"]
    best = min(_load_ms() for _ in range(3))
    assert best < 150  # budget 50 ms; generous here for loaded CI machines


def _load_ms() -> float:
    start = time.perf_counter()
    KnownPackages(json.loads(DATA_FILE.read_text(encoding="utf-8")))
    return (time.perf_counter() - start) * 1000


def test_known_packages_answers():
    known = known_packages()
    assert known.distributions_for("cv2")[0] == "opencv-python"
    assert known.distributions_for("sklearn.ensemble")[0] == "scikit-learn"
    assert known.distributions_for("google.cloud.storage")[0] == "google-cloud-storage"
    assert known.import_name("pyyaml") == "yaml" and known.import_name("pillow") == "PIL"
    assert known.on_index("requests") and not known.on_index("fastapi-auth-helpers")
    assert known.lookalike("reqeusts").distribution == "requests"
    assert known.lookalike("skleran", strict=True).module == "sklearn"
    assert known.lookalike("flask") is None  # popular itself
    assert known.deprecated["pycrypto"].replacements


def test_version_ordering_and_lowest_fix():
    assert version_key("3.2.19") > version_key("3.2.2") > version_key("3.2")
    assert version_key("3.2.0") == version_key("3.2")
    assert version_key("4.0rc1") < version_key("4.0")
    vulns = [Vulnerability("A", ["3.2.15", "4.0.7"]), Vulnerability("B", ["3.2.19"])]
    assert lowest_fix("3.2.0", vulns) == "3.2.19"
    assert lowest_fix("3.2.0", [Vulnerability("C", [])]) is None


def test_version_suffixes_are_not_slips_in_imports():
    assert confusion("httpcore2", "httpcore", strict=True) is None
    assert confusion("requests3", "requests") is not None  # in a dependency file, still suspicious
    assert confusion("opensearchpy", "opensearch-py", strict=True) is None  # its real import name
