"""GraphQL resolvers (engine/resolvers.py): the arguments of a field are the client's."""

from __future__ import annotations

import pytest

from tabguard.analysis import analyze_text


def _sourced(code: str) -> list[tuple[str, int, str]]:
    doc = analyze_text(code, "schema.py")
    assert doc.take_errors() == []
    # (rule, 0-based line, source) of the findings data flow confirmed
    return [(f.rule_id, f.span.start_line, f.details["source"]) for f in doc.findings() if f.details.get("source")]


@pytest.mark.parametrize(
    "code, expected",
    [
        # graphene: resolve_<field> of an ObjectType, whatever the parent is called
        (
            "import graphene, subprocess\nclass Query(graphene.ObjectType):\n    ping = graphene.String(host=graphene.String())\n"
            "    def resolve_ping(parent, info, host):\n        return subprocess.check_output('ping -c1 ' + host, shell=True)\n",
            ("TG100", 4, "GraphQL argument 'host'"),
        ),
        # graphene: a mutation's arguments, **kwargs included
        (
            "import graphene\nfrom graphene import Mutation\nclass Rename(Mutation):\n    ok = graphene.Boolean()\n"
            "    def mutate(root, info, **fields):\n        db.execute(f\"UPDATE t SET name = '{fields['name']}'\")\n",
            ("TG105", 5, "GraphQL argument 'fields'"),
        ),
        # strawberry: a decorated resolver's parameters other than self and info
        (
            "import strawberry, os\n@strawberry.type\nclass Query:\n    @strawberry.field\n"
            "    def report(self, info, name: str) -> str:\n        return open(os.path.join('/srv/reports', name)).read()\n",
            ("TG501", 5, "GraphQL argument 'name'"),
        ),
        # ariadne: a function bound to a field of a QueryType
        (
            "from ariadne import QueryType\nimport requests\nquery = QueryType()\n@query.field('preview')\n"
            "def resolve_preview(obj, info, url):\n    return requests.get(url, timeout=5).text\n",
            ("TG507", 5, "GraphQL argument 'url'"),
        ),
        # graphene-django / flask-graphql: info.context is the request
        (
            "import graphene, os\nclass Query(graphene.ObjectType):\n    def resolve_files(root, info):\n"
            "        return os.listdir('/srv/' + info.context.GET['dir'])\n",
            ("TG501", 3, "info.context.GET (GraphQL request)"),
        ),
    ],
)
def test_resolver_arguments_are_sources(code, expected):
    assert expected in _sourced(code)


@pytest.mark.parametrize(
    "code",
    [
        # a method named like a resolver on a class that is no GraphQL type
        "import subprocess\nclass Tasks:\n    def resolve_ping(self, info, host):\n"
        "        return subprocess.check_output('ping -c1 ' + host, shell=True)\n",
        # `.field` of something that is not an ariadne binder
        "import requests\nform = Form()\n@form.field('url')\ndef check(obj, info, url):\n    return requests.get(url, timeout=5)\n",
        # a strawberry resolver's info is not an argument
        "import strawberry, os\n@strawberry.type\nclass Query:\n    @strawberry.field\n"
        "    def me(self, info) -> str:\n        return os.path.join('/srv', str(info))\n",
    ],
)
def test_functions_that_are_not_resolvers_have_no_graphql_arguments(code):
    assert [f for f in _sourced(code) if "GraphQL" in f[2]] == []
