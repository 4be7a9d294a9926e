"""TG112: XML from outside the program parsed with a parser that expands entities."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import expression_fix, replace_callee, set_keyword
from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules._spelling import WEB_APP, spell
from tabguard.rules.injection import last_names
from tabguard.rules.injection._strings import is_static

# stdlib parser function -> its defusedxml drop-in (same signature).
_DEFUSED = {
    **{
        f"xml.etree.{m}.{f}": f"defusedxml.ElementTree.{f}"
        for m in ("ElementTree", "cElementTree")
        for f in ("parse", "fromstring", "XML", "iterparse", "fromstringlist")
    },
    **{
        f"xml.dom.{m}.{f}": f"defusedxml.{m}.{f}"
        for m in ("minidom", "pulldom", "expatbuilder")
        for f in ("parse", "parseString")
    },
    "xml.sax.parse": "defusedxml.sax.parse",
    "xml.sax.parseString": "defusedxml.sax.parseString",
}
_LXML = frozenset(
    {"lxml.etree.parse", "lxml.etree.fromstring", "lxml.etree.XML", "lxml.etree.iterparse", "lxml.etree.fromstringlist"}
)
# Serializers of an element tree the program holds: their output escapes every text and attribute
# value and never carries a DOCTYPE, so no entity can be declared in it.
_SERIALIZERS = frozenset({"xml.etree.ElementTree.tostring", "xml.etree.cElementTree.tostring", "lxml.etree.tostring"})
_SEVERITY = {"stdlib": ("low", "high"), "lxml": ("medium", "high")}
# Where a stdlib parse function takes its parser (`parse(source, parser)`; `iterparse(source, events, parser)`).
_PARSER_POSITION = {"iterparse": 2, "parse": 1, "parseString": 1, "fromstring": 1, "XML": 1, "fromstringlist": 1}


def _own_parser(call: ast.Call, callee: str, ctx) -> bool:
    """`pulldom.parse(stream, self._make_parser())`: the program hands over a parser it made itself (a
    subclass that forbids DTDs, a defusedxml parser), so entity handling is that parser's, judged where it is
    built. The stdlib's own parsers (`ET.XMLParser()`, `xml.sax.make_parser()`) behave as the default."""
    position = _PARSER_POSITION.get(callee.rpartition(".")[2])
    if position is None or callee.startswith("xml.sax."):
        return False
    parser = ctx.argument(call, position, "parser")
    if parser is None or (isinstance(parser, ast.Constant) and parser.value is None):
        return False
    if isinstance(parser, ast.Name):
        parser = ctx.model.value_of(parser) or parser
    made_by = ctx.call_name(parser) if isinstance(parser, ast.Call) else ctx.qualname(parser)
    return not (made_by or "").startswith(("xml.", "_elementtree", "pyexpat"))


class XmlUntrustedParse(Rule):
    id = "TG112"
    name = "xml-parse-untrusted"
    severity = "medium"
    confidence = "medium"
    quiet_in_tests = True  # a test parses its own expected and produced documents
    cwe = (611, 776)
    owasp = "A02:2025"
    message = "`{callee}` parses {what} with a parser that expands entities"
    placeholders = {"callee": "lxml.etree.fromstring", "what": "XML from outside the program"}
    aliases = ("B313", "B314", "B317", "B318", "B319", "B320", "S313", "S314", "S317", "S318", "S319", "S320")
    call_names = last_names((*_DEFUSED, *_LXML))
    what = "`{callee}` parses {what}; its parser processes DTDs and entity declarations in the document."
    why = (
        'A document with `<!ENTITY x SYSTEM "file:///etc/passwd">` makes lxml\'s default parser read '
        'local files into the result (XXE), and nested entity definitions ("billion laughs") expand a '
        "few hundred bytes into gigabytes of memory. Uploaded SVG, SAML, sitemap and feed files are the "
        "usual carriers."
    )
    how = (
        "Parse untrusted XML with `defusedxml` (`defusedxml.ElementTree.fromstring`, "
        "`defusedxml.minidom.parseString`, ...), which rejects entity declarations, or give lxml a parser "
        "built with `resolve_entities=False, no_network=True`."
    )
    example = "import defusedxml.ElementTree\nroot = defusedxml.ElementTree.fromstring(request.data)"
    fix_safety = (
        "Unsafe: the stdlib call becomes its `defusedxml` equivalent (same arguments), which raises on "
        "documents that declare entities. Offered only when the project declares `defusedxml` (or has "
        "no dependency files): a rewrite never imports an undeclared package. An lxml call gets a "
        "parser that neither resolves entities nor fetches over the network "
        "(`parser=etree.XMLParser(resolve_entities=False, no_network=True)`; `iterparse` takes "
        "`resolve_entities=False` itself): entity references stay unexpanded in the tree."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/611.html",
        "https://docs.python.org/3/library/xml.html#xml-vulnerabilities",
        "https://pypi.org/project/defusedxml/",
    )
    VALID = (
        "from lxml.etree import iterparse\ndef rows(path):\n    return iterparse(path, tag='row', resolve_entities=False)\n",
        'import xml.etree.ElementTree as ET\ntree = ET.parse("config.xml")\n',
        "import defusedxml.ElementTree as ET\ndef f(data):\n    return ET.fromstring(data)\n",
        "from lxml import etree\nSAFE = etree.XMLParser(resolve_entities=False, no_network=True)\ndef f(data):\n"
        "    return etree.fromstring(data, SAFE)\n",
        # test code comparing the XML it expects with the XML it got
        Valid(
            "from xml.dom.minidom import parseString\ndef assert_same_xml(want, got):\n"
            "    assert parseString(want).toxml() == parseString(got).toxml()\n",
            path="tests/utils.py",
        ),
        # a parser the program made itself (here one that refuses DTDs) decides about entities
        "from xml.dom import pulldom\nfrom xml.sax.expatreader import ExpatParser\n"
        "class NoDtdParser(ExpatParser):\n    def start_doctype_decl(self, name, sysid, pubid, has_internal_subset):\n"
        "        raise ValueError('DTD forbidden')\ndef events(stream):\n    return pulldom.parse(stream, NoDtdParser())\n",
        # Pretty-printing a tree the program built: the text is the serializer's, with no DOCTYPE.
        "import xml.etree.ElementTree as ET\nfrom xml.dom import minidom\ndef pretty(element):\n"
        '    return minidom.parseString(ET.tostring(element, encoding="unicode")).toprettyxml()\n',
    )
    INVALID = (
        Invalid(
            "import xml.etree.ElementTree as ET\nfrom flask import request\ndef upload():\n    root = ET.fromstring(request.data)\n",
            "import defusedxml.ElementTree\nimport xml.etree.ElementTree as ET\nfrom flask import request\n"
            "def upload():\n    root = defusedxml.ElementTree.fromstring(request.data)\n",
            path=WEB_APP,
        ),
        Invalid(
            'from xml.dom import minidom\nfrom flask import request\ndef feed():\n    return minidom.parseString(request.files["feed"].read())\n',
            "import defusedxml.minidom\nfrom xml.dom import minidom\nfrom flask import request\ndef feed():\n"
            '    return defusedxml.minidom.parseString(request.files["feed"].read())\n',
            path=WEB_APP,
        ),
        Invalid(
            "import xml.etree.ElementTree as ET\nfrom flask import request\ndef upload():\n    root = ET.fromstring(request.data)\n"
        ),
        Invalid(
            "from lxml import etree\ndef f(body):\n    return etree.fromstring(body)\n",
            "from lxml import etree\ndef f(body):\n"
            "    return etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))\n",
        ),
        Invalid(
            "from lxml.etree import iterparse\ndef rows(path):\n    for _, row in iterparse(path, tag='row'):\n        yield row\n",
            "from lxml.etree import iterparse\ndef rows(path):\n"
            "    for _, row in iterparse(path, tag='row', resolve_entities=False):\n        yield row\n",
        ),
        # the stdlib's own parser, handed over explicitly, is the default one
        Invalid(
            "import xml.etree.ElementTree as ET\nfrom flask import request\ndef upload():\n"
            "    parser = ET.XMLParser(encoding='utf-8')\n    return ET.fromstring(request.data, parser)\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee in _DEFUSED:
            family = "stdlib"
        elif callee in _LXML:
            family = "lxml"
            if len(node.args) > 1 or ctx.keyword(node, "parser") is not None:
                return  # an explicit parser: TG113 judges its settings
            resolve = ctx.keyword(node, "resolve_entities")  # `iterparse` takes the parser's settings itself
            if resolve is not None and isinstance(resolve.value, ast.Constant) and resolve.value.value is False:
                return
        else:
            return
        if family == "stdlib" and _own_parser(node, callee, ctx):
            return
        document = ctx.argument(node, 0, "source") or ctx.argument(node, 0, "text")
        if document is None or is_static(document, ctx):
            return
        if isinstance(document, ast.Call) and ctx.call_name(document) in _SERIALIZERS:
            return  # `minidom.parseString(ET.tostring(element))`: re-reading what the program just wrote
        source = ctx.taint(document)
        fix = None
        spelled = spell(ctx, _DEFUSED[callee] if family == "stdlib" else "lxml.etree.XMLParser")
        if spelled is not None and family == "stdlib":  # None: defusedxml is not a declared dependency
            fix = expression_fix(
                ctx, node, replace_callee(spelled[0]), "Fix: parse with defusedxml", safe=False, imports=spelled[1]
            )
        elif family == "lxml" and callee.endswith(".iterparse"):  # it takes the parser's settings itself
            fix = expression_fix(ctx, node, set_keyword("resolve_entities", "False"), _LXML_TITLE, safe=False)
        elif spelled is not None:
            parser = f"{spelled[0]}(resolve_entities=False, no_network=True)"
            fix = expression_fix(ctx, node, set_keyword("parser", parser), _LXML_TITLE, safe=False, imports=spelled[1])
        what = f"user input ({source.label})" if source else "XML from outside the program"
        ctx.report(
            self,
            document,
            details={"callee": callee, "what": what},
            source=source,
            fix=fix,
            severity=_SEVERITY[family][source is not None],
        )


_LXML_TITLE = "Fix: parse with entities unresolved and no network access"
