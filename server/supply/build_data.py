"""Rebuild `server/supply/known_packages.json`, the supply-chain checks' offline snapshot (no network).

Inputs:
- a tab-separated list of the package index's project names with columns
  `name, version, month, rank_among_15000_most_downloaded, summary` (the month of each project's
  latest release; the latest month is recorded as the snapshot date);
- the `site-packages` folders of environments with popular packages installed, whose metadata
  (`top_level.txt`/`RECORD`) maps import names to distributions;
- the curated tables below: import names the metadata cannot show, deprecations with sources, and
  legitimate near-names (maintained forks and successors) with sources.

Usage: python -m tabguard.supply.build_data NAMES.tsv [SITE_PACKAGES ...]  (from an editable install)

The bundled file was built from the offline index listing of this workplace with the metadata of a
venv holding the 100 most downloaded packages (plus scikit-learn, opencv-python-headless,
beautifulsoup4, sqlalchemy, flask, django) and of the development venv.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from tabguard.supply.bloom import Bloom
from tabguard.supply.environment import read_distributions
from tabguard.supply.names import normalize

OUT = Path(__file__).resolve().parent / "known_packages.json"
ERROR_RATE = 0.02

# Import name -> distributions, for popular projects whose import name differs from their name and
# that are rarely installed together (each from the project's own installation instructions).
CURATED_IMPORTS = {
    "yaml": ["pyyaml"],
    "cv2": ["opencv-python", "opencv-python-headless", "opencv-contrib-python"],
    "sklearn": ["scikit-learn"],
    "skimage": ["scikit-image"],
    "PIL": ["pillow"],
    "bs4": ["beautifulsoup4"],
    "dateutil": ["python-dateutil"],
    "dotenv": ["python-dotenv"],
    "jwt": ["pyjwt"],
    "jose": ["python-jose"],
    "Crypto": ["pycryptodome", "pycrypto"],
    "Cryptodome": ["pycryptodomex"],
    "OpenSSL": ["pyopenssl"],
    "magic": ["python-magic"],
    "docx": ["python-docx"],
    "pptx": ["python-pptx"],
    "serial": ["pyserial"],
    "usb": ["pyusb"],
    "zmq": ["pyzmq"],
    "git": ["gitpython"],
    "MySQLdb": ["mysqlclient"],
    "psycopg2": ["psycopg2-binary", "psycopg2"],
    "grpc": ["grpcio"],
    "attr": ["attrs"],
    "faiss": ["faiss-cpu"],
    "fitz": ["pymupdf"],
    "win32api": ["pywin32"],
    "win32con": ["pywin32"],
    "win32com": ["pywin32"],
    "pythoncom": ["pywin32"],
    "pywintypes": ["pywin32"],
    "socks": ["pysocks"],
    "telegram": ["python-telegram-bot"],
    "discord": ["discord-py"],
    "multipart": ["python-multipart"],
    "ldap": ["python-ldap"],
    "nacl": ["pynacl"],
    "gi": ["pygobject"],
    "wx": ["wxpython"],
    "slugify": ["python-slugify"],
    "googleapiclient": ["google-api-python-client"],
    "Bio": ["biopython"],
    "kafka": ["kafka-python"],
    "memcache": ["python-memcached"],
    "pythonjsonlogger": ["python-json-logger"],
    "dns": ["dnspython"],
    "rest_framework": ["djangorestframework"],
    "corsheaders": ["django-cors-headers"],
    "django_filters": ["django-filter"],
    "allauth": ["django-allauth"],
    "debug_toolbar": ["django-debug-toolbar"],
    "environ": ["django-environ"],
    "storages": ["django-storages"],
    "crispy_forms": ["django-crispy-forms"],
    "rest_framework_simplejwt": ["djangorestframework-simplejwt"],
    "argon2": ["argon2-cffi"],
    "markdown_it": ["markdown-it-py"],
    "pkg_resources": ["setuptools"],
    "bson": ["pymongo"],
    "gridfs": ["pymongo"],
    "mysql": ["mysql-connector-python"],
    "websocket": ["websocket-client"],
    "engineio": ["python-engineio"],
    "socketio": ["python-socketio"],
    "Levenshtein": ["levenshtein"],
    "google": ["protobuf", "google-api-core", "google-auth"],
    "azure": ["azure-core"],
    "mpl_toolkits": ["matplotlib"],
    "IPython": ["ipython"],
    "ruamel": ["ruamel-yaml"],
    "_pytest": ["pytest"],
    "jinja2": ["jinja2"],
    "typing_extensions": ["typing-extensions"],
    "python_jwt": ["python-jwt"],
    "flask_jwt": ["flask-jwt"],
    "fuzzywuzzy": ["fuzzywuzzy"],
    "PyPDF2": ["pypdf2"],
    "oauth2": ["oauth2"],
    "nose": ["nose"],
    "pysftp": ["pysftp"],
}

# Distributions with a recommended replacement; every entry cites where the replacement is advised.
DEPRECATED = {
    "pycrypto": {
        "replacements": ["pycryptodome", "cryptography"],
        "reason": "unmaintained since 2013 with a known heap overflow (CVE-2013-7459)",
        "source": "https://nvd.nist.gov/vuln/detail/CVE-2013-7459",
    },
    "python-jose": {
        "replacements": ["pyjwt", "joserfc"],
        "reason": "went years without releases; algorithm-confusion and JWE bomb flaws (CVE-2024-33663, CVE-2024-33664)",
        "source": "https://nvd.nist.gov/vuln/detail/CVE-2024-33663",
    },
    "python-jwt": {
        "replacements": ["jwcrypto"],
        "reason": "deprecated by its author after an authentication bypass (CVE-2022-39227)",
        "source": "https://github.com/davedoesdev/python-jwt",
    },
    "flask-jwt": {
        "replacements": ["flask-jwt-extended"],
        "reason": "abandoned (last release 2015)",
        "source": "https://pypi.org/project/Flask-JWT/",
    },
    "oauth2": {
        "replacements": ["oauthlib", "authlib"],
        "reason": "abandoned python-oauth2 fork, unmaintained since 2011",
        "source": "https://github.com/joestump/python-oauth2",
    },
    "pypdf2": {
        "replacements": ["pypdf"],
        "reason": "deprecated; development continues as pypdf",
        "source": "https://pypi.org/project/PyPDF2/",
    },
    "fuzzywuzzy": {
        "replacements": ["thefuzz", "rapidfuzz"],
        "reason": "renamed to thefuzz; no longer maintained under this name",
        "source": "https://github.com/seatgeek/fuzzywuzzy",
    },
    "nose": {
        "replacements": ["pytest"],
        "reason": "unmaintained since 2015 and broken on Python 3.10+",
        "source": "https://nose.readthedocs.io/en/latest/",
    },
    "pysftp": {
        "replacements": ["paramiko", "asyncssh"],
        "reason": "unmaintained since 2016; its connection helpers make host-key checking easy to disable",
        "source": "https://pypi.org/project/pysftp/",
    },
    "sklearn": {
        "replacements": ["scikit-learn"],
        "reason": "a deprecated placeholder name: installing it fails; the project is scikit-learn",
        "source": "https://github.com/scikit-learn/sklearn-pypi-package",
        "drop_in": True,
    },
    "tensorflow-gpu": {
        "replacements": ["tensorflow"],
        "reason": "removed; GPU support ships in the tensorflow package",
        "source": "https://pypi.org/project/tensorflow-gpu/",
        "drop_in": True,
    },
}

# Real projects that sit one slip away from a popular name and are not (yet) popular themselves:
# maintained forks and successors. Each entry cites where the project is announced.
LEGITIMATE = {
    "httpx2": {
        "of": "httpx",
        "why": "maintained fork of httpx by Pydantic",
        "source": "https://github.com/pydantic/httpx2",
    },
    "httpcore2": {
        "of": "httpcore",
        "why": "maintained fork of httpcore by Pydantic, installed by httpx2",
        "source": "https://github.com/pydantic/httpx2",
    },
}


def read_index(path: Path) -> tuple[list[str], list[str], str]:
    """All project names, the popular ones in rank order, and the snapshot month."""
    names, ranked, latest = [], [], ""
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            name = normalize(row["name"] or "")
            if not name:
                continue
            names.append(name)
            latest = max(latest, row.get("month") or "")
            rank = row.get("rank_among_15000_most_downloaded") or ""
            if rank.isdigit():
                ranked.append((int(rank), name))
    return names, [name for _, name in sorted(ranked)], latest


def harvest_imports(folders: list[Path], known: set[str]) -> dict[str, set[str]]:
    imports: dict[str, set[str]] = {}
    for folder in folders:
        for dist in read_distributions(folder):
            if dist.name not in known:
                continue
            for module in dist.modules:
                if normalize(module) != dist.name:
                    imports.setdefault(module, set()).add(dist.name)
    return imports


def build(names_file: Path, folders: list[Path]) -> dict:
    names, popular, snapshot = read_index(names_file)
    rank = {name: i for i, name in enumerate(popular)}
    imports = harvest_imports(folders, set(names))
    for module, dists in CURATED_IMPORTS.items():
        imports.setdefault(module, set()).update(dists)
    # Prefer the popular ones; a harvested module name that is itself a popular project keeps its own.
    ordered = {
        module: sorted(dists, key=lambda d: (rank.get(d, len(rank)), d))
        for module, dists in sorted(imports.items())
        if module in CURATED_IMPORTS or normalize(module) not in rank
    }
    unique = sorted(set(names))
    return {
        "snapshot": snapshot,
        "generated_by": "python -m tabguard.supply.build_data",
        "sources": {
            "names": f"{len(unique)} project names of the package index, ranks among the 15000 most downloaded",
            "imports": "top_level.txt/RECORD of installed distributions, plus the curated table",
            "deprecated": "see each entry's source",
            "legitimate": "see each entry's source",
        },
        "popular": popular,
        "imports": ordered,
        "deprecated": DEPRECATED,
        "legitimate": LEGITIMATE,
        "index": {
            "count": len(unique),
            "error_rate": ERROR_RATE,
            **Bloom.build(unique, len(unique), ERROR_RATE).to_json(),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", type=Path)
    parser.add_argument("site_packages", type=Path, nargs="*")
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args()
    data = build(args.names, args.site_packages)
    args.output.write_text(json.dumps(data, separators=(",", ":"), sort_keys=False) + "\n", encoding="utf-8")
    print(
        f"{args.output}: {args.output.stat().st_size} bytes, snapshot {data['snapshot']}, "
        f"{len(data['popular'])} popular, {len(data['imports'])} import names, {data['index']['count']} names"
    )


if __name__ == "__main__":
    main()
