"""TG116: model and array files loaded with pickle enabled (torch.load, numpy.load)."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection._strings import raised


def _is_true(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


class ModelFileLoad(Rule):
    id = "TG116"
    name = "pickle-enabled-model-load"
    severity = "medium"
    confidence = "high"
    raises_when_tainted = True
    cwe = (502,)
    quiet_in_tests = True
    owasp = "A08:2025"
    message = "`{callee}` {problem}: a crafted file runs code when loaded"
    placeholders = {"callee": "torch.load", "problem": "unpickles arbitrary objects"}
    aliases = ("B614", "S614")
    call_names = frozenset({"load"})  # torch.load, numpy.load
    what = "`{callee}` {problem}; the file format embeds a pickle stream."
    why = (
        "Checkpoints and `.npy` files are shared through model hubs, buckets and issue attachments. "
        "Without `weights_only=True` (PyTorch before 2.6) or with `allow_pickle=True` (NumPy), a file "
        "whose pickle names `os.system` runs it on load, on a developer laptop or a GPU server holding "
        "credentials."
    )
    how = (
        "Pass `weights_only=True` to `torch.load` (tensors and plain containers only) and keep NumPy's "
        "default `allow_pickle=False`; prefer `safetensors` for sharing weights."
    )
    example = 'state = torch.load(path, map_location="cpu", weights_only=True)\narr = np.load(path)'
    fix_safety = (
        "Unsafe: with `weights_only=True`, checkpoints that pickled whole modules or custom classes fail "
        "to load; save a `state_dict` instead (or allow-list the classes with "
        "`torch.serialization.add_safe_globals`)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/502.html",
        "https://pytorch.org/docs/stable/generated/torch.load.html",
        "https://numpy.org/doc/stable/reference/generated/numpy.load.html",
    )
    VALID = (
        'import torch\ndef f(p):\n    return torch.load(p, map_location="cpu", weights_only=True)\n',
        "import numpy as np\ndef f(p):\n    return np.load(p)\n",
        "import numpy as np\ndef f(p):\n    return np.load(p, allow_pickle=False)\n",
    )
    INVALID = (
        Invalid(
            'import torch\ndef f(path):\n    return torch.load(path, map_location="cpu")\n',
            'import torch\ndef f(path):\n    return torch.load(path, map_location="cpu", weights_only=True)\n',
        ),
        Invalid(
            "import torch\ndef f(path):\n    return torch.load(path, weights_only=False)\n",
            "import torch\ndef f(path):\n    return torch.load(path, weights_only=True)\n",
        ),
        Invalid("import numpy as np\ndef f(p):\n    return np.load(p, allow_pickle=True)\n"),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee == "torch.load":
            if _is_true((ctx.keyword(node, "weights_only") or ast.keyword(value=None)).value):
                return
            problem, fix = (
                "unpickles arbitrary objects (no `weights_only=True`)",
                expression_fix(ctx, node, set_keyword("weights_only", "True"), "Fix: load weights only", safe=False),
            )
        elif callee == "numpy.load":
            if not _is_true((ctx.keyword(node, "allow_pickle") or ast.keyword(value=None)).value):
                return
            problem, fix = "is called with `allow_pickle=True`", None
        else:
            return
        # A constant path is no excuse: the danger is the file's content, not its name.
        source = ctx.taint(ctx.argument(node, 0, "f") or ctx.argument(node, 0, "file"))
        ctx.report(
            self,
            node,
            details={"callee": callee, "problem": problem},
            source=source,
            fix=fix,
            severity=raised(self, source),
        )
