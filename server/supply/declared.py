"""Dependencies a workspace declares: requirements files (with `-r` includes), pyproject.toml
(PEP 621, PEP 735 groups, Poetry, uv/PDM/Hatch development lists), setup.cfg, setup.py and tox.ini,
each entry with its position in the file."""

from __future__ import annotations

import ast
import configparser
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from tabguard.boundary import inside
from tabguard.config_schema import BY_KEY
from tabguard.engine.types import Span
from tabguard.sources import SourceError, read_regular, read_text
from tabguard.supply.names import normalize, requirement_keys
from tabguard.tables import TableError, TomlError, parse_toml, table_at

log = logging.getLogger("tabguard.supply")
_REQUIREMENT = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[(?P<extras>[^\]]*)\])?\s*"
    r"(?P<spec>(?:===?|[<>!~]=?)[^;#@]*)?\s*(?P<url>@[^;#]*)?"
)
_EXACT = re.compile(r"^===?\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)\s*$")
# pip also takes the short options glued to the file (`-rtests/requirements/py3.txt`).
_INCLUDE = re.compile(r"^(?:-r|--requirement|-c|--constraint)(?:[\s=]+|(?<=-[rc]))([^\s=]\S*)")
_INDEX_OPTION = re.compile(r"^(?:-i|--index-url|--extra-index-url)[\s=]+(\S+)")
_COMMENT = re.compile(r"(^|\s)#.*$")
# Only from the start of a run of spaces: from inside one, `\s+` rescans the run (quadratic).
_OPTIONS = re.compile(r"(?<!\s)\s+--?[a-z]")
_MAX_SIZE = BY_KEY["max-file-size"].default


@dataclass(frozen=True)
class Requirement:
    name: str  # as written
    span: Span  # of the name, in the dependency file
    spec: str  # version specifier, e.g. ">=2,<3" or "==2.31.0"
    spec_span: Optional[Span]  # None where the file format has no inline specifier (Poetry tables)
    direct: bool  # installed from a URL or path: not looked up on the index
    extras: tuple[str, ...] = ()  # `celery[redis]`: the extras asked for, which install more

    @property
    def key(self) -> str:
        return normalize(self.name)

    @property
    def pinned_version(self) -> Optional[str]:
        match = _EXACT.match(self.spec.strip())
        return match.group(1) if match else None


@dataclass
class DependencyFile:
    path: Path
    requirements: list[Requirement]
    includes: list[Path]
    private_index: bool = False  # names may live on another index: existence checks do not apply
    project_name: str = ""  # a pyproject's own name, which its extras may list (`tabguard[test]`)
    problems: list[str] = field(default_factory=list)  # why parts of the file could not be read


def parse_requirement(text: str, line: int, offset: int) -> Optional[Requirement]:
    """One PEP 508 requirement found at column `offset` of `line`."""
    match = _REQUIREMENT.match(text)
    if not match:
        return None
    name_span = Span(line, offset + match.start("name"), line, offset + match.end("name"))
    spec = (match.group("spec") or "").strip()
    # Where the specifier is, or (empty) where one would go: after the name and extras.
    start = offset + (match.start("spec") if spec else len(text[: match.end()].rstrip()))
    spec_span = Span(line, start, line, start + len(match.group("spec").rstrip()) if spec else start)
    extras = tuple(e.strip() for e in (match.group("extras") or "").split(",") if e.strip())
    return Requirement(match.group("name"), name_span, spec, spec_span, bool(match.group("url")), extras)


def parse_requirements_file(path: Path, text: str) -> DependencyFile:
    result = DependencyFile(path, [], [])
    for number, raw in enumerate(text.splitlines()):
        _read_requirements_line(result, raw, number, 0)
    return result


def _read_requirements_line(result: DependencyFile, raw: str, number: int, col: int) -> None:
    """A requirements-file line (or the part of line `number` from column `col`): an include, an
    index option, or a requirement."""
    body = _COMMENT.sub("", raw[col:]).rstrip().rstrip("\\").rstrip()
    stripped = body.lstrip()
    indent = col + len(body) - len(stripped)
    if not stripped:
        return
    include = _INCLUDE.match(stripped)
    if include:
        result.includes.append(result.path.parent / include.group(1))
        return
    index = _INDEX_OPTION.match(stripped)
    if index:
        result.private_index = result.private_index or "pypi.org" not in index.group(1)
        return
    if stripped.startswith(("-", ".", "/")) or "://" in stripped.split("@")[0]:
        return  # other options, local paths, VCS and URL installs
    # Per-requirement options (`--hash=...`) follow the specifier.
    requirement = parse_requirement(_OPTIONS.split(stripped, 1)[0], number, indent)
    if requirement is not None:
        result.requirements.append(requirement)


_TOX_DEPS = re.compile(r"deps\s*[=:]\s*")
_TOX_FACTORS = re.compile(r"\s*[\w{},.!-]+:(?!//)\s*")  # `py3,mysql: ` before an entry


def parse_tox_ini(path: Path, text: str) -> DependencyFile:
    """The `deps` of every tox environment (and of any section others copy them from), one
    requirement per line: what some test or tool environment of the project installs. Factor
    conditions (`mysql: -rtests/requirements/mysql.txt`) are dropped, `{toxinidir}` is the file's
    folder, and substitutions (`{[testenv]deps}`) are skipped: the sections they name are read too."""
    result = DependencyFile(path, [], [])
    in_deps = False
    for number, raw in enumerate(text.splitlines()):
        col = 0
        if raw[:1] in ("#", ";"):
            continue  # a comment line, even inside a value
        if raw[:1] not in (" ", "\t", ""):  # a key or a section starts: an indented line continues a value
            key = _TOX_DEPS.match(raw)
            in_deps = key is not None
            col = key.end() if key else 0
        if not in_deps:
            continue
        factors = _TOX_FACTORS.match(raw, col)
        col = factors.end() if factors else col
        entry = raw[:col] + raw[col:].replace("{toxinidir}/", "")
        if "{" not in entry[col:].split("#", 1)[0]:
            _read_requirements_line(result, entry, number, col)
    return result


def _quoted(lines: list[str], value: str, start: int) -> Optional[tuple[int, int]]:
    """Line and column of the first `"value"` (or `'value'`) at or after line `start`."""
    for number in range(start, len(lines)):
        for quote in ('"', "'"):
            col = lines[number].find(quote + value + quote)
            if col >= 0:
                return number, col + 1
    return None


def _key_line(lines: list[str], key: str, start: int) -> Optional[tuple[int, int]]:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number in range(start, len(lines)):
        if pattern.match(lines[number]):
            return number, lines[number].index(key)
    return None


def _header_line(lines: list[str], header: str) -> int:
    pattern = re.compile(rf"^\s*\[\s*{re.escape(header)}\s*\]")
    for number, line in enumerate(lines):
        if pattern.match(line):
            return number
    return 0


def _table(data: dict, result: DependencyFile, *keys: str) -> dict:
    """The table at `keys`, or {} with a problem noted when the file gives it another type."""
    try:
        return table_at(data, *keys)
    except TableError as error:
        problem = f"{error}; its dependencies are not checked"
        if problem not in result.problems:  # `project` is read twice
            result.problems.append(problem)
        return {}


def _pep508_tables(data: dict, result: DependencyFile) -> Iterator[tuple[str, list]]:
    yield "project", _table(data, result, "project").get("dependencies", [])
    for key in ("project.optional-dependencies", "dependency-groups"):
        for values in _table(data, result, *key.split(".")).values():
            yield key, values
    yield "build-system", _table(data, result, "build-system").get("requires", [])
    # Development environments of the project managers: uv's and PDM's dev lists, Hatch's environments.
    yield "tool.uv", _table(data, result, "tool", "uv").get("dev-dependencies", [])
    for values in _table(data, result, "tool", "pdm", "dev-dependencies").values():
        yield "tool.pdm.dev-dependencies", values
    for name, environment in _table(data, result, "tool", "hatch", "envs").items():
        for key in ("dependencies", "extra-dependencies") if isinstance(environment, dict) else ():
            yield f"tool.hatch.envs.{name}", environment.get(key, [])
    yield from _tox_tables(_table(data, result, "tool", "tox"), "tool.tox.")


def _tox_tables(tox: dict, prefix: str) -> Iterator[tuple[str, list]]:
    """The `deps` of tox's environments in its TOML form (tox.toml, or `[tool.tox]`)."""
    base = tox.get("env_run_base")
    yield f"{prefix}env_run_base", base.get("deps", []) if isinstance(base, dict) else []
    environments = tox.get("env")
    for name, environment in environments.items() if isinstance(environments, dict) else ():
        yield f"{prefix}env.{name}", environment.get("deps", []) if isinstance(environment, dict) else []


def _poetry_tables(data: dict, result: DependencyFile) -> Iterator[tuple[str, dict]]:
    poetry = _table(data, result, "tool", "poetry")
    yield "tool.poetry.dependencies", poetry.get("dependencies", {})
    yield "tool.poetry.dev-dependencies", poetry.get("dev-dependencies", {})
    for group in _table(data, result, "tool", "poetry", "group"):
        header = f"tool.poetry.group.{group}.dependencies"
        yield header, _table(data, result, "tool", "poetry", "group", group).get("dependencies", {})


def _read_toml(path: Path, text: str) -> tuple[DependencyFile, dict]:
    """An empty result for the file, and its data ({}, with the problem noted, when it is not TOML)."""
    result = DependencyFile(path, [], [])
    try:
        return result, parse_toml(text)
    except TomlError as error:
        result.problems.append(f"invalid TOML ({error}), dependencies not checked")
        return result, {}


def parse_pyproject(path: Path, text: str) -> DependencyFile:
    result, data = _read_toml(path, text)
    result.project_name = normalize(str(_table(data, result, "project").get("name", "")))
    _pyproject_requirements(data, text.splitlines(), result)
    return result


def _pyproject_requirements(data: dict, lines: list[str], result: DependencyFile) -> None:
    for header, values in _pep508_tables(data, result):
        _pep508_list(lines, header, values, result)
    for header, table in _poetry_tables(data, result):
        _name_table_requirements(lines, header, table, result)


def parse_tox_toml(path: Path, text: str) -> DependencyFile:
    result, data = _read_toml(path, text)
    lines = text.splitlines()
    for header, values in _tox_tables(data, ""):
        _pep508_list(lines, header, values, result)
    return result


def _pep508_list(lines: list[str], header: str, values: object, result: DependencyFile) -> None:
    """A TOML list of requirement strings under `header`; tox's may include a requirements file."""
    start = _header_line(lines, header)
    for value in values if isinstance(values, list) else ():
        if not isinstance(value, str):
            continue  # {include-group = "..."}, tox's {replace = "ref", ...}
        include = _INCLUDE.match(value.strip())
        if include:
            result.includes.append(result.path.parent / include.group(1).replace("{tox_root}/", ""))
            continue
        where = _quoted(lines, value, start)
        if where is not None:
            requirement = parse_requirement(value, where[0], where[1])
            if requirement is not None:
                result.requirements.append(requirement)


def _name_table_requirements(lines: list[str], header: str, table: object, result: DependencyFile) -> None:
    """A table of `name = "version"` or `name = {version = ..., extras = [...]}` (Poetry, Pipfile)."""
    start = _header_line(lines, header)
    for name, spec in table.items() if isinstance(table, dict) else ():
        where = _key_line(lines, name, start)
        if name.lower() == "python" or where is None:
            continue
        version = spec if isinstance(spec, str) else (spec.get("version", "") if isinstance(spec, dict) else "")
        version = version if isinstance(version, str) else ""
        if re.fullmatch(r"\d[\w.+!-]*", version):
            version = "==" + version  # Poetry's bare version is an exact pin
        direct = isinstance(spec, dict) and any(k in spec for k in ("git", "path", "url", "file"))
        extras = spec.get("extras", []) if isinstance(spec, dict) else []
        extras = tuple(e for e in extras if isinstance(e, str)) if isinstance(extras, list) else ()
        span = Span(where[0], where[1], where[0], where[1] + len(name))
        result.requirements.append(Requirement(name, span, version, None, direct, extras))


def parse_pipfile(path: Path, text: str) -> DependencyFile:
    """Pipenv's Pipfile: its `[packages]` and `[dev-packages]`."""
    result, data = _read_toml(path, text)
    for header in ("packages", "dev-packages"):
        _name_table_requirements(text.splitlines(), header, _table(data, result, header), result)
    return result


def parse_setup_cfg(path: Path, text: str) -> DependencyFile:
    result = DependencyFile(path, [], [])
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return result
    values = [parser.get("options", "install_requires", fallback="")]
    if parser.has_section("options.extras_require"):
        values.extend(v for _, v in parser.items("options.extras_require"))
    lines = text.splitlines()
    for value in values:
        for entry in value.splitlines():
            entry = entry.strip()
            for number, line in enumerate(lines):
                col = line.find(entry) if entry else -1
                if col >= 0:
                    requirement = parse_requirement(entry, number, col)
                    if requirement is not None:
                        result.requirements.append(requirement)
                    break
    return result


_SETUP_KEYWORDS = frozenset({"install_requires", "extras_require", "tests_require", "setup_requires"})


def parse_setup_py(path: Path, text: str) -> DependencyFile:
    """The literal requirement strings a `setup(...)` call passes (directly, or through a module-level
    name holding a list or a dict of lists). The file is parsed, never run."""
    result = DependencyFile(path, [], [])
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return result
    assigned = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or getattr(node.func, "id", getattr(node.func, "attr", "")) != "setup":
            continue
        for keyword in node.keywords:
            if keyword.arg in _SETUP_KEYWORDS:
                value = (
                    assigned.get(keyword.value.id, keyword.value)
                    if isinstance(keyword.value, ast.Name)
                    else keyword.value
                )
                for item in _literal_strings(value, assigned):
                    requirement = parse_requirement(item.value, item.lineno - 1, item.col_offset + 1)
                    if requirement is not None:
                        result.requirements.append(requirement)
    return result


def _literal_strings(node: ast.AST, assigned: dict) -> Iterator[ast.Constant]:
    if isinstance(node, ast.Name) and node.id in assigned:
        yield from _literal_strings(assigned.pop(node.id), assigned)  # popped: a cycle cannot recurse
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for element in node.elts:
            yield from _literal_strings(element, assigned)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _literal_strings(value, assigned)
    elif isinstance(node, ast.BinOp):
        yield from _literal_strings(node.left, assigned)
        yield from _literal_strings(node.right, assigned)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node


def parse_dependency_file(path: Path, text: str) -> DependencyFile:
    if path.name == "pyproject.toml":
        return parse_pyproject(path, text)
    if path.name == "setup.cfg":
        return parse_setup_cfg(path, text)
    if path.name == "setup.py":
        return parse_setup_py(path, text)
    if path.name == "tox.ini":
        return parse_tox_ini(path, text)
    if path.name == "tox.toml":
        return parse_tox_toml(path, text)
    if path.name == "Pipfile":
        return parse_pipfile(path, text)
    return parse_requirements_file(path, text)


def workspace_dependency_files(root: Path) -> list[Path]:
    """The dependency files at the top of a workspace (and in a `requirements/` folder)."""
    found = [root / name for name in ("pyproject.toml", "setup.cfg", "Pipfile") if (root / name).is_file()]
    if _declares_requirements(root / "setup.py"):  # not any file named setup.py (Ansible has a module so named)
        found.append(root / "setup.py")
    for folder in (root, root / "requirements"):
        if folder.is_dir():
            lists = (*folder.glob("*.txt"), *folder.glob("*.in"))  # pip-tools' inputs beside its outputs
            found.extend(sorted(p for p in lists if p.name.startswith("requirements") or folder != root))
    return found


# The tables of a project's metadata (pyproject.toml, setup.cfg), as opposed to tools' settings.
_METADATA_TABLE = re.compile(r"^\s*\[\s*(project|tool\.poetry|dependency-groups|metadata|options)\s*[\].]", re.M)


def declares_dependencies(path: Path) -> bool:
    """A dependency file that says what its project needs: a requirements list, a Pipfile, a setup.py
    with install_requires, and a pyproject.toml or setup.cfg with project metadata or requirements,
    not one holding only tools' settings (`[tool.ruff]`, `[flake8]`)."""
    if path.name not in ("pyproject.toml", "setup.cfg"):
        return True
    try:
        data, _ = read_regular(path, _MAX_SIZE)
    except (OSError, SourceError):
        return False
    text = data.decode("utf-8", errors="replace")
    return bool(_METADATA_TABLE.search(text)) or bool(parse_dependency_file(path, text).requirements)


def workspace_other_declarations(root: Path) -> list[Path]:
    """Files that declare what other environments of a workspace install (tests, docs, tools):
    tox's environments (tox.ini, tox.toml), lists named for their environment (`dev-requirements.txt`), and
    requirements files one folder down (`docs/requirements.txt`, `tests/requirements/mysql.txt`).
    What they list is declared; alone they do not make a workspace one that declares its
    dependencies (a tox.ini may only configure flake8)."""
    found = [root / name for name in ("tox.ini", "tox.toml") if (root / name).is_file()]
    for pattern in ("*[-_]requirements*.txt", "*/requirements*.txt", "*/requirements/*.txt"):
        for path in sorted(root.glob(pattern)):
            if path.parent != root / "requirements" and not path.relative_to(root).parts[0].startswith("."):
                found.append(path)
    return found


def _declares_requirements(path: Path) -> bool:
    try:
        return "install_requires" in read_text(path, _MAX_SIZE, errors="replace")
    except OSError:  # absent, not a regular file, too large
        return False


def declared_names(files: list[Path], max_size: int = _MAX_SIZE, root: Optional[Path] = None) -> set[str]:
    """Normalised names declared by `files` and the files they include with `-r`/`-c`, with the
    extras asked for (`celery[redis]`, see `requirement_keys`). A file over
    `max_size`, or one that is not a regular file, is skipped with a warning: a 15 MB
    requirements-dev.txt beside the file being checked cost 16 s before. An include that leads
    outside the workspace `root` (`-r /etc/passwd`, `-r ../../x.txt`, a symlink out) is not read:
    a repository does not choose what the tool reads on the reviewer's machine."""
    names: set[str] = set()
    seen: set[Path] = set()
    pending = list(files)
    while pending:
        path = pending.pop()
        try:
            resolved = path.resolve()
            if resolved in seen or not path.is_file():
                continue
            seen.add(resolved)
            data, _ = read_regular(path, max_size)
        except (OSError, RuntimeError):  # unreadable, or a symlink loop
            continue
        except SourceError as error:
            log.warning("tabguard: %s: %s (declared dependencies not read from it)", path, error)
            continue
        parsed = parse_dependency_file(path, data.decode("utf-8", errors="replace"))
        names.update(key for r in parsed.requirements for key in requirement_keys(r.name, r.extras))
        for include in parsed.includes:
            if root is None or inside(root, include):
                pending.append(include)
            else:
                log.warning("tabguard: %s: %s is outside the workspace, not read", path, include)
    return names
