"""TG314: credentials printed into saved outputs. Its examples are notebooks, checked here (the
Python examples run in tests/rules); the detector itself on output text."""

import json

import pytest

from tabguard.analysis import ruleset_for
from tabguard.engine.rule import Valid
from tabguard.notebook.checking import check_notebook, is_notebook
from tabguard.rules.crypto.tg314_secret_in_notebook_output import leaks

from rule_examples import assert_pinned, examples, is_todo


def _examples(kind):
    return examples(kind, lambda rule, path: is_notebook(path))


def _findings(text):
    return check_notebook(text, "example.ipynb", ruleset_for()).findings


def _rules(text):
    return [f.rule_id for f in _findings(text)]


def test_tg314_has_notebook_examples():
    assert len(list(_examples("VALID"))) >= 2 and len(list(_examples("INVALID"))) >= 2


@pytest.mark.parametrize("rule,example", list(_examples("VALID")))
def test_valid_notebook_example_is_not_flagged(rule, example: Valid):
    assert rule.id not in _rules(example.code)


@pytest.mark.parametrize("rule,example", list(_examples("INVALID")))
def test_invalid_notebook_example_is_flagged(rule, example):
    assert_pinned(rule, example, _findings(example.code))
    assert is_todo(rule, example) or example.fixed is None


@pytest.mark.parametrize(
    "text, found",
    [
        ("AKIAQ3EGRTZ7WXNM4J2K\n", [("AKIAQ3EGRTZ7WXNM4J2K", "AWS access key id", "high")]),
        (
            "{'OPENAI_API_KEY': 'sk-proj-4fJ9kQ2mX7vR1tL8pZ3nW6yB0cH5dG2eA9sK'}",
            [("sk-proj-4fJ9kQ2mX7vR1tL8pZ3nW6yB0cH5dG2eA9sK", "OpenAI/Anthropic API key", "high")],
        ),
        ("DB_PASSWORD=Xk29!fLq0zPw\nHOME=/root\n", [("Xk29!fLq0zPw", "`DB_PASSWORD` value", "medium")]),
        (
            "client_secret: 9f8e7d6c5b4a39281f0e1d2c3b4a5968\n",
            [("9f8e7d6c5b4a39281f0e1d2c3b4a5968", "`client_secret` value", "medium")],
        ),
    ],
)
def test_leaks_in_printed_text(text, found):
    assert [(text[leak.start : leak.end], leak.kind, leak.confidence) for leak in leaks(text)] == found


@pytest.mark.parametrize(
    "text",
    [
        "api_key: ********\n",
        "token=<your-token>\n",
        "AKIAIOSFODNN7EXAMPLE\n",
        "max_tokens: 4096\n",
        "token_count=123456789\n",
        "password: None\n",
        "secret_key = os.environ['SECRET_KEY']\n",
        "Epoch 3/10 - loss: 0.2331 - val_loss: 0.2410\n",
        "api_key_set: True\n",
    ],
)
def test_no_leak_in_ordinary_output(text):
    assert list(leaks(text)) == []


def test_every_text_field_of_outputs_is_read_and_nothing_else():
    token = "ghp_Wq3rT8zLm2Xv9Kp4Nd7Ys1Bc6Hj0Fa5Ge8Ru"
    outputs = [
        {
            "output_type": "execute_result",
            "execution_count": 1,
            "metadata": {},
            "data": {"text/plain": [f"'{token}'"], "image/png": token},
        },
        {"output_type": "display_data", "metadata": {"token": token}, "data": {"text/html": f"<b>{token}</b>"}},
        {"output_type": "error", "ename": "ValueError", "evalue": f"bad {token}", "traceback": ["x", f"y {token}"]},
    ]
    cell = {"cell_type": "code", "metadata": {"secret": token}, "outputs": outputs, "source": "f()"}
    text = json.dumps({"cells": [cell], "metadata": {"token": token}, "nbformat": 4, "nbformat_minor": 5})
    found = check_notebook(text, "n.ipynb", ruleset_for()).findings
    assert [(f.details["output"], f.details["field"]) for f in found] == [
        (0, "data:text/plain"),
        (1, "data:text/html"),
        (2, "evalue"),
        (2, "traceback:1"),
    ]


def test_a_failing_output_hook_is_a_rule_error_and_the_other_findings_stay(monkeypatch):
    rule = ruleset_for().by_id["TG314"]

    def broken(out):
        raise RuntimeError("boom")

    monkeypatch.setattr(rule, "check_output", broken)
    cell = {
        "cell_type": "code",
        "metadata": {},
        "source": "eval(input())",
        "outputs": [{"output_type": "stream", "name": "stdout", "text": "x\n"}],
    }
    checked = check_notebook(json.dumps({"cells": [cell]}), "n.ipynb", ruleset_for())
    assert checked.errors == ["rule TG314: RuntimeError: boom"]
    assert [f.rule_id for f in checked.findings] == ["TG103"]


def test_output_numbers_count_outputs_that_are_not_objects():
    stream = {"output_type": "stream", "name": "stdout", "text": ["AKIAQ3EGRTZ7WXNM4J2K\n"]}
    cell = {"cell_type": "code", "metadata": {}, "source": "", "outputs": [None, stream]}
    text = json.dumps({"cells": [cell]}, indent=1)
    checked = check_notebook(text, "n.ipynb", ruleset_for())
    place = checked.view.place(checked.findings[0])
    assert place.output == 1 and place.where() == "cell 1:output 2:line 1:col 1"
    at = checked.view.file_span(place)
    assert text.split("\n")[at.start_line][at.start_col : at.end_col] == "AKIAQ3EGRTZ7WXNM4J2K"


def test_long_runs_in_outputs_cost_one_pass():
    # a base64 image inlined in HTML, a long dotted path: linear, not one scan per character
    import time

    started = time.process_time()
    for text in ("a" * 300_000, "<img src='data:image/png;base64," + "iVBORw0KGgo" * 30_000, "x." * 150_000):
        assert list(leaks(text)) == []
    assert time.process_time() - started < 2  # quadratic matching took minutes here
