"""The semantic model: one case per binding kind and per scope rule."""

from __future__ import annotations

import ast
import textwrap

import pytest

from tabguard.engine.semantic import SemanticModel


def _model(code: str) -> tuple[SemanticModel, ast.Module]:
    tree = ast.parse(textwrap.dedent(code))
    return SemanticModel(tree), tree


def _use(tree: ast.AST, name: str, index: int = -1) -> ast.Name:
    """The `index`-th load of `name` in source order (default: the last)."""
    loads = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    loads.sort(key=lambda n: (n.lineno, n.col_offset))
    return loads[index]


def _kinds(model: SemanticModel, tree: ast.AST, name: str, index: int = -1) -> list[str]:
    return [b.kind for b in model.reaching(_use(tree, name, index))]


def _value(model: SemanticModel, tree: ast.AST, name: str, index: int = -1) -> str | None:
    value = model.value_of(_use(tree, name, index))
    return ast.unparse(value) if value is not None else None


# -- binding kinds ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "code, kind",
    [
        ("x = 1\nuse(x)", "assign"),
        ("x: str = 'a'\nuse(x)", "annotated"),
        ("for x in items:\n    use(x)", "for"),
        ("with open(p) as x:\n    use(x)", "with"),
        ("if (x := f()):\n    use(x)", "walrus"),
        ("try:\n    pass\nexcept E as x:\n    use(x)", "except"),
        ("import x\nuse(x)", "import"),
        ("from m import y as x\nuse(x)", "import"),
        ("def f(x):\n    use(x)", "param"),
        ("def f(*, x=1):\n    use(x)", "param"),
        ("def f(*x, **kw):\n    use(x)", "param"),
        ("def x():\n    pass\nuse(x)", "def"),
        ("class x:\n    pass\nuse(x)", "class"),
        ("x = 1\ndel x\nuse(x)", "del"),
        ("match v:\n    case [x, *_]:\n        use(x)", "match"),
    ],
)
def test_each_binding_kind(code, kind):
    model, tree = _model(code)
    assert _kinds(model, tree, "x") == [kind]


def test_binding_positions_are_one_based_lines_and_columns():
    model, tree = _model("a = 0\nif a:\n    x = request.args['q']\nuse(x)")
    (binding,) = model.reaching(_use(tree, "x"))
    assert (binding.line, binding.node.lineno) == (3, 3)
    assert binding.col == len("    x = request.args['q']")


def test_annotated_assignment_value():
    model, tree = _model("x: str = request.args['q']\nrun(x)")
    assert _value(model, tree, "x") == "request.args['q']"


def test_augmented_assignment_is_a_use_and_a_binding():
    model, tree = _model("x = 'a'\nx += request.args['q']\nrun(x)")
    assert _kinds(model, tree, "x") == ["assign", "augmented"]
    assert _value(model, tree, "x") == "'a' + request.args['q']"
    target = tree.body[1].target  # the `x` of `x += ...` sees the binding before it
    assert [b.kind for b in model.reaching(target)] == ["assign"]


def test_same_line_binding_and_use_ordered_by_column():
    model, tree = _model("x = 'safe'\nx = request.args['q']; run(x)")
    assert _value(model, tree, "x") == "request.args['q']"


def test_right_side_sees_the_previous_binding():
    model, tree = _model("x = 'a'\nx = x.upper()")
    assert _value(model, tree, "x") == "'a'"


def test_last_binding_before_the_use_wins():
    model, tree = _model("x = 'a'\nrun(x)\nx = 'b'")
    assert _value(model, tree, "x") == "'a'"


def test_unpacking_pairs_literal_elements_and_leaves_others_unknown():
    model, tree = _model("a, b = 'x', request.args\nrun(a, b)\nc, d = pair()\nrun(c)")
    assert _value(model, tree, "a") == "'x'"
    assert _value(model, tree, "b") == "request.args"
    assert _kinds(model, tree, "c") == ["assign"] and _value(model, tree, "c") is None


def test_loop_variable_holds_no_value():
    model, tree = _model("x = 'a'\nfor x in rows:\n    run(x)\nrun(x)")
    assert _kinds(model, tree, "x", 0) == ["for"] and _value(model, tree, "x", 0) is None
    assert _kinds(model, tree, "x") == ["assign", "for"]  # `rows` may be empty
    assert _value(model, tree, "x") is None


def test_with_value_is_the_context_expression():
    model, tree = _model("with open(p) as x:\n    run(x)")
    assert _value(model, tree, "x") == "open(p)"


def test_except_name_is_deleted_after_its_handler():
    model, tree = _model("try:\n    pass\nexcept E as x:\n    pass\nrun(x)")
    assert _kinds(model, tree, "x") == ["del"]


def test_unbound_and_builtin_names_have_no_binding():
    model, tree = _model("run(len)\nrun(x)\nx = 1")
    assert model.reaching(_use(tree, "len")) == ()
    assert model.reaching(_use(tree, "x")) == ()


# -- scope rules -----------------------------------------------------------------------------------
def test_function_locals_do_not_leak_out():
    model, tree = _model("x = 'a'\ndef f():\n    x = request.args['q']\nrun(x)")
    assert _value(model, tree, "x") == "'a'"


def test_nested_function_bindings_do_not_reach_the_enclosing_function():
    code = """
    def view():
        def inner():
            x = request.args['q']
        x = 'safe'
        run(x)
    """
    model, tree = _model(code)
    assert _value(model, tree, "x") == "'safe'"


def test_nested_function_reads_the_enclosing_binding():
    code = """
    def view():
        q = request.args['q']
        def inner():
            run(q)
    """
    model, tree = _model(code)
    assert _value(model, tree, "q") == "request.args['q']"
    assert model.scope_of(_use(tree, "q")).kind == "function"


def test_parameter_shadows_the_enclosing_binding():
    model, tree = _model("def outer():\n    x = 'a'\n    def inner(x):\n        run(x)")
    assert _kinds(model, tree, "x") == ["param"]


def test_class_scope_is_not_seen_by_methods():
    code = """
    x = 'module'
    class C:
        x = 'class'
        y = x
        def m(self):
            return x
    """
    model, tree = _model(code)
    assert _value(model, tree, "x", 0) == "'class'"  # in the class body
    assert _value(model, tree, "x", 1) == "'module'"  # in the method


def test_global_declaration_binds_in_the_module():
    code = """
    x = 'a'
    def f():
        global x
        x = request.args['q']
        run(x)
    """
    model, tree = _model(code)
    assert _value(model, tree, "x") == "request.args['q']"
    assert model.reaching(_use(tree, "x"))[0].scope is model.module


def test_nonlocal_declaration_binds_in_the_enclosing_function():
    code = """
    def outer():
        x = 'a'
        def inner():
            nonlocal x
            x = 'b'
        inner()
        run(x)
    """
    model, tree = _model(code)
    outer = model.scope(tree.body[0])
    assert [ast.unparse(b.value) for b in model.bindings(outer, "x")] == ["'a'", "'b'"]


def test_lambda_parameters_are_local_to_the_lambda():
    model, tree = _model("x = 'a'\nf = lambda x: run(x)\nrun(x)")
    assert _kinds(model, tree, "x", 0) == ["param"]
    assert _value(model, tree, "x", 1) == "'a'"


def test_comprehension_variables_are_local_to_the_comprehension():
    model, tree = _model("x = 'a'\nrows = [x for x in items]\nrun(x)")
    assert _kinds(model, tree, "x", 0) == ["comprehension"]
    assert _value(model, tree, "x", 1) == "'a'"


def test_comprehension_first_iterable_belongs_to_the_enclosing_scope():
    model, tree = _model("items = load()\nrows = [i for i in items]")
    use = _use(tree, "items")
    assert model.scope_of(use) is model.module
    assert _value(model, tree, "items") == "load()"


def test_walrus_in_a_comprehension_binds_in_the_enclosing_function():
    code = """
    def f():
        if any((hit := r) for r in rows):
            run(hit)
    """
    model, tree = _model(code)
    (binding,) = model.reaching(_use(tree, "hit"))
    assert binding.kind == "walrus" and binding.scope.kind == "function"


def test_defaults_and_decorators_are_evaluated_in_the_enclosing_scope():
    model, tree = _model("d = 'a'\n@wrap(d)\ndef f(x=d):\n    d = 'b'\n    return d")
    assert _value(model, tree, "d", 0) == "'a'"
    assert _value(model, tree, "d", 1) == "'a'"
    assert _value(model, tree, "d", 2) == "'b'"


def test_def_use_chain_lists_the_uses_a_binding_reaches():
    model, tree = _model("x = 1\nrun(x)\nx = 2\nrun(x, x)")
    first = model.bindings(model.module, "x")[0]
    assert [n.lineno for n in model.uses(first)] == [2]


def test_bare_annotation_makes_a_name_local_without_binding_it():
    model, tree = _model("x = 'a'\ndef f():\n    run(x)\n    x: int")
    assert model.reaching(_use(tree, "x")) == ()


def test_context_memo_computes_once_and_shares_the_model():
    from tabguard.engine.context import Context
    from tabguard.engine.facts import ModuleFacts

    ctx = Context(["x = 1"], ModuleFacts(), "t.py")
    ctx.tree = ast.parse("x = 1")
    calls = []
    assert ctx.memo("k", lambda: calls.append(1) or None) is None
    assert ctx.memo("k", lambda: calls.append(1) or 2) is None  # a None answer is remembered too
    assert calls == [1]
    assert ctx.model is ctx.model


# -- branches --------------------------------------------------------------------------------------
def _values(model: SemanticModel, tree: ast.AST, name: str, index: int = -1) -> list[str] | None:
    values = model.values(_use(tree, name, index))
    return [ast.unparse(v) for v in values] if values is not None else None


@pytest.mark.parametrize(
    "code, index, expected",
    [
        # Both arms of an if/else reach the use and hide the binding before it.
        ("x = 'a'\nif c:\n    x = p\nelse:\n    x = 'ls'\nrun(x)", -1, ["p", "'ls'"]),
        # An if without else lets the binding before it reach.
        ("x = [f(y)]\nif a:\n    x = ['lit']\nrun(x)", -1, ["[f(y)]", "['lit']"]),
        ("x = 'a'\nif p:\n    x = 'b'\nelif q:\n    x = 'c'\nelse:\n    x = 'd'\nrun(x)", -1, ["'b'", "'c'", "'d'"]),
        ("x = 'a'\nif p:\n    x = 'b'\nelif q:\n    x = 'c'\nrun(x)", -1, ["'a'", "'b'", "'c'"]),
        # A later binding in the same arm hides an earlier one.
        ("x = 'a'\nif p:\n    x = 'b'\n    x = 'c'\nelse:\n    x = 'd'\nrun(x)", -1, ["'c'", "'d'"]),
        # A use inside an arm sees that arm, and not the other one (it never runs before the use).
        ("x = 'a'\nif p:\n    x = 'b'\n    run(x)\nelse:\n    run(x)\n    x = 'c'", 0, ["'b'"]),
        ("x = 'a'\nif p:\n    x = 'b'\n    run(x)\nelse:\n    run(x)\n    x = 'c'", 1, ["'a'"]),
        ("x = 'a'\nif p:\n    if q:\n        x = 'b'\n    run(x)", -1, ["'a'", "'b'"]),
        # Loop bodies may not run; a break between two bindings lets both out.
        ("x = 'a'\nfor r in rows:\n    x = r\nrun(x)", -1, ["'a'", "r"]),
        ("x = 'a'\nwhile more():\n    x = 'b'\n    run(x)\nrun(x)", 0, ["'b'"]),
        ("x = 'a'\nwhile more():\n    x = 'b'\n    run(x)\nrun(x)", 1, ["'a'", "'b'"]),
        (
            "x = 'a'\nfor r in rows:\n    x = 'b'\n    if r:\n        break\n    x = 'c'\nrun(x)",
            -1,
            ["'a'", "'b'", "'c'"],
        ),
        # In a loop, the other arm of an if/else may have run in an earlier round.
        ("x = 'a'\nfor r in rows:\n    if r:\n        x = 'b'\n    else:\n        run(x)", -1, ["'a'", "'b'"]),
        # Any part of a try may stop early or not run; a try body may stop between two bindings.
        ("x = 'a'\ntry:\n    x = load()\nexcept E:\n    run(x)\n    x = 'b'\nrun(x)", 0, ["'a'", "load()"]),
        ("x = 'a'\ntry:\n    x = load()\nexcept E:\n    run(x)\n    x = 'b'\nrun(x)", 1, ["'a'", "load()", "'b'"]),
        ("x = 'a'\ntry:\n    pass\nfinally:\n    x = 'b'\nrun(x)", -1, ["'a'", "'b'"]),
        (
            "x = 'a'\ntry:\n    x = load()\n    x = parse(x)\nexcept E:\n    pass\nrun(x)",
            -1,
            ["'a'", "load()", "parse(x)"],
        ),
        # With bodies and match cases may not run; another case never runs before the use.
        ("x = 'a'\nwith lock:\n    x = 'b'\nrun(x)", -1, ["'a'", "'b'"]),
        ("x = 'a'\nmatch v:\n    case 1:\n        x = 'b'\n    case _:\n        run(x)\nrun(x)", 0, ["'a'"]),
        ("x = 'a'\nmatch v:\n    case 1:\n        x = 'b'\n    case _:\n        run(x)\nrun(x)", 1, ["'a'", "'b'"]),
    ],
)
def test_branches_that_may_have_run_reach_the_use(code, index, expected):
    model, tree = _model(code)
    assert _values(model, tree, "x", index) == expected


def test_an_if_else_has_no_one_value():
    model, tree = _model("x = 'a'\nif c:\n    x = p\nelse:\n    x = 'ls'\nrun(x)")
    assert _value(model, tree, "x") is None


def test_an_unknown_value_in_one_branch_makes_the_values_unknown():
    model, tree = _model("def f(x):\n    if c:\n        x = 'a'\n    run(x)")
    assert _kinds(model, tree, "x") == ["param", "assign"]
    assert _values(model, tree, "x") is None


def test_augmented_assignments_in_branches_extend_each_value():
    code = "q = 'a'\nif c:\n    q = 'b'\nif d:\n    q += tail\nrun(q)"
    model, tree = _model(code)
    assert _kinds(model, tree, "q") == ["assign", "assign", "augmented"]
    assert _values(model, tree, "q") == ["'a'", "'b'", "tail"]
    assert _value(model, tree, "q") is None
    model, tree = _model("q = 'a'\nif d:\n    q += tail\nrun(q)")
    assert _value(model, tree, "q") == "'a' + tail"  # the `+=` folded in as if it ran


def test_nested_function_sees_the_branches_before_it():
    code = """
    def outer(c):
        key = 'k'
        if c:
            key = load()
        def inner():
            return key
    """
    model, tree = _model(code)
    assert _values(model, tree, "key") == ["'k'", "load()"]


def test_comprehension_reads_the_branches_of_its_scope():
    code = "n = 1\nif c:\n    n = size()\nrows = [n + i for i in items if i]\nrun(n)"
    model, tree = _model(code)
    assert _values(model, tree, "n", 0) == ["1", "size()"]
    assert _kinds(model, tree, "i", 0) == _kinds(model, tree, "i", 1) == ["comprehension"]
    assert _values(model, tree, "n", 1) == ["1", "size()"]


def test_def_use_chain_follows_branches():
    model, tree = _model("x = 1\nif c:\n    x = 2\nrun(x)\nx = 3\nrun(x)")
    first = model.bindings(model.module, "x")[0]
    assert [n.lineno for n in model.uses(first)] == [4]


def test_each_value_folds_the_extensions_into_each_branch():
    code = "q = 'a'\nif c:\n    q = 'b'\nq += tail\nrun(q)"
    model, tree = _model(code)
    assert [ast.unparse(v) for v in model.each_value(_use(tree, "q"))] == ["'a' + tail", "'b' + tail"]
    assert model.value_of(_use(tree, "q")) is None


def test_a_long_elif_chain_reaches_every_arm():
    # Deep enough to use up the climbing budget (then every arm reaches) and to nest the builder.
    arms = "".join(f"{'if' if k == 0 else 'elif'} v == {k}:\n    x = {k}\n" for k in range(400))
    model, tree = _model("x = -1\n" + arms + "run(x)")
    assert _values(model, tree, "x") == ["-1", *(str(k) for k in range(400))]
