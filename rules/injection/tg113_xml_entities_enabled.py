"""TG113: an XML parser configured to resolve external entities or fetch over the network."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules.injection import last_names

_PARSERS = frozenset({"lxml.etree.XMLParser", "lxml.etree.XMLPullParser", "lxml.etree.HTMLParser"})
# keyword -> its insecure value
_RISKY = {"resolve_entities": True, "no_network": False}
_SAX_FEATURE_NAMES = frozenset({"feature_external_ges", "feature_external_pes"})


class XmlEntitiesEnabled(Rule):
    id = "TG113"
    name = "xml-external-entities-enabled"
    severity = "high"
    confidence = "high"
    cwe = (611,)
    quiet_in_tests = True
    owasp = "A02:2025"
    message = "XML parser configured with `{setting}`: external entities are resolved"
    placeholders = {"setting": "resolve_entities=True"}
    aliases = ("B320", "S320")
    call_names = last_names(_PARSERS) | {"setFeature"}
    what = "The parser is created with `{setting}`, so documents can pull in files or URLs through entities."
    why = (
        '`<!DOCTYPE d [<!ENTITY x SYSTEM "file:///app/.env">]><d>&x;</d>` returns the server\'s secrets '
        "inside the parsed document; with network access allowed, `http://169.254.169.254/...` entities "
        "reach cloud metadata (SSRF)."
    )
    how = "Create parsers with `resolve_entities=False, no_network=True`, or parse with `defusedxml`."
    example = "parser = etree.XMLParser(resolve_entities=False, no_network=True)"
    fix_safety = (
        "Unsafe: the rewrite flips the setting to its secure value; documents that relied on entities "
        "(rare outside DocBook-style toolchains) lose their expansion."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/611.html",
        "https://lxml.de/api/lxml.etree.XMLParser-class.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/XML_External_Entity_Prevention_Cheat_Sheet.html",
    )
    VALID = (
        "from lxml import etree\np = etree.XMLParser(resolve_entities=False, no_network=True)\n",
        "import xml.sax\nfrom xml.sax.handler import feature_external_ges\np = xml.sax.make_parser()\np.setFeature(feature_external_ges, False)\n",
        # test code (engine/testcode.py): a test of entity expansion parses its own documents
        Valid(
            "from lxml import etree\nparser = etree.XMLParser(resolve_entities=True)\n", path="tests/test_entities.py"
        ),
    )
    INVALID = (
        Invalid(
            "from lxml import etree\nparser = etree.XMLParser(resolve_entities=True)\n",
            "from lxml import etree\nparser = etree.XMLParser(resolve_entities=False)\n",
        ),
        Invalid(
            "from lxml import etree\nparser = etree.XMLParser(no_network=False, huge_tree=True)\n",
            "from lxml import etree\nparser = etree.XMLParser(no_network=True, huge_tree=True)\n",
        ),
        Invalid(
            "import xml.sax\nfrom xml.sax.handler import feature_external_ges\np = xml.sax.make_parser()\np.setFeature(feature_external_ges, True)\n",
            "import xml.sax\nfrom xml.sax.handler import feature_external_ges\np = xml.sax.make_parser()\np.setFeature(feature_external_ges, False)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee in _PARSERS:
            for name, bad in _RISKY.items():
                keyword = ctx.keyword(node, name)
                if keyword is not None and isinstance(keyword.value, ast.Constant) and keyword.value.value is bad:
                    fix = expression_fix(
                        ctx, node, set_keyword(name, str(not bad)), f"Fix: set {name}={not bad}", safe=False
                    )
                    ctx.report(self, node, details={"setting": f"{name}={bad}"}, fix=fix)
                    return
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "setFeature" and len(node.args) == 2:
            feature, value = node.args
            # By its distinctive name too: `from xml.sax.handler import *` leaves it unresolved.
            named = (ctx.qualname(feature) or "").rpartition(".")[2] in _SAX_FEATURE_NAMES
            if named and isinstance(value, ast.Constant) and value.value:
                fix = expression_fix(
                    ctx, value, lambda v: v.with_changes(value="False"), "Fix: disable the feature", safe=False
                )
                ctx.report(self, node, details={"setting": f"{ctx.qualname(feature).rsplit('.', 1)[-1]} on"}, fix=fix)
