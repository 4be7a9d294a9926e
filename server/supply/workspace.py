"""Import resolution for one workspace: standard library, the workspace's own modules, declared
dependencies, the installed environment, and the bundled snapshot of the package index.

A `Workspace` is cached per root; what it read from disk (folder listings, dependency files,
installed metadata) is re-read only when a modification time changes, checked at most once a second,
so resolving the imports of a freshly accepted snippet costs dictionary lookups.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional, TypeVar

from tabguard.supply.data import LookAlike, dependency_closure, known_packages
from tabguard.project import workspace_root
from tabguard.supply.declared import (
    declared_names,
    declares_dependencies,
    workspace_dependency_files,
    workspace_other_declarations,
)
from tabguard.supply.environment import environment_site_packages, read_distributions
from tabguard.supply.names import extra_key, normalize
from tabguard.tables import load_toml, table_at

_MODULE_SUFFIXES = (".py", ".pyi", ".pyw", ".so", ".pyd")
# Affixes projects add to their import name in their distribution name (`python-magic` -> `magic`).
_DIST_AFFIXES = ("python-", "py", "django-", "flask-", "-python", "-py", "-sdk", "-client")
_RECHECK_SECONDS = 1.0
_TREE_SECONDS = 10.0
_TREE_LIMIT = 50_000  # entries visited at most: a huge monorepo costs a bounded walk
_NOT_SOURCE = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env", "build", "dist"})
_ENVIRONMENTS = ("site-packages", "dist-packages")
# Python 2 standard modules still met in compatibility code: a portability problem, not a package.
_PYTHON2 = frozenset(
    {
        "urllib2",
        "urlparse",
        "httplib",
        "ConfigParser",
        "StringIO",
        "cStringIO",
        "cPickle",
        "Queue",
        "Tkinter",
        "__builtin__",
        "commands",
        "HTMLParser",
        "SocketServer",
        "xmlrpclib",
        "cookielib",
        "thread",
        "dummy_thread",
        "htmlentitydefs",
        "BaseHTTPServer",
        "SimpleHTTPServer",
        "Cookie",
        "md5",
        "sha",
    }
)
_STDLIB = (
    frozenset(sys.stdlib_module_names) | frozenset(sys.builtin_module_names) | {"__future__", "__main__"} | _PYTHON2
)

T = TypeVar("T")


@dataclass(frozen=True)
class Resolution:
    """Where an import comes from. `kind` is one of: stdlib, trusted, local, installed, declared,
    known (a popular package), indexed (on the index at the snapshot), unknown."""

    kind: str
    distribution: Optional[str] = None
    declared: bool = False
    lookalike: Optional[LookAlike] = None


class _Cached:
    """A value recomputed when the modification times of some paths change."""

    def __init__(self, paths: Callable[[], list[Path]], compute: Callable[[], T]):
        self._paths, self._compute = paths, compute
        self._stamp: Optional[tuple] = None
        self._value = None
        self._checked = 0.0

    def get(self):
        now = time.monotonic()
        if self._stamp is None or now - self._checked > _RECHECK_SECONDS:
            self._checked = now
            stamp = tuple(_mtime(p) for p in self._paths())
            if stamp != self._stamp:
                self._value, self._stamp = self._compute(), stamp
        return self._value

    def forget(self) -> None:
        """Recompute on the next `get`, whatever the times say (a file appeared where none is watched)."""
        self._stamp = None


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


class Workspace:
    def __init__(self, root: Optional[Path], python: str = "", anchor: Optional[Path] = None):
        self.root = root
        self._site = environment_site_packages(root, anchor, python)
        self._dependency_files: list[Path] = []
        self._other_declarations: list[Path] = []  # tox.ini, requirements files one folder down
        self._distributable = False
        self._declares = False
        self._environment = _Cached(lambda: self._site, self._read_environment)
        # A folder's time changes when a dependency file is added to it or removed.
        watched = [root, root / "requirements"] if root else []
        self._declared = _Cached(
            lambda: [*watched, *self._dependency_files, *self._other_declarations],
            self._read_declared,
        )
        self._listings: dict[Path, tuple[int, frozenset[str]]] = {}
        self._folders: dict[Optional[Path], list[Path]] = {}
        self._tree: Optional[tuple[float, frozenset[str]]] = None
        self._tree_refreshing = threading.Lock()
        self._requires: dict[str, tuple[str, ...]] = {}
        self._with_declared: tuple[Optional[tuple], frozenset[str]] = (None, frozenset())

    # -- what the workspace has ----------------------------------------------------------------
    @property
    def has_dependency_files(self) -> bool:
        """The workspace says what it needs (a pyproject.toml holding only tools' settings does not)."""
        self.declared()
        return self._declares

    @property
    def builds_distribution(self) -> bool:
        """The workspace is packaged for others to install (a library or a tool), not only run:
        its deferred imports are then how it offers optional features (see TG703)."""
        self.declared()
        return self._distributable

    def installed(self) -> tuple[dict[str, list[str]], dict[str, str]]:
        """(import name -> distributions, distribution -> version) of the environment."""
        return self._environment.get()

    def declared(self) -> tuple[set[str], set[str]]:
        """(declared distribution names, import names they probably provide)."""
        return self._declared.get()

    def _read_environment(self):
        modules: dict[str, list[str]] = {}
        versions: dict[str, str] = {}
        requires: dict[str, tuple[str, ...]] = {}
        for folder in self._site:
            for dist in read_distributions(folder):
                versions.setdefault(dist.name, dist.version)
                requires.setdefault(dist.name, dist.requires)
                for extra, keys in dist.extras:
                    requires.setdefault(extra_key(dist.name, extra), keys)
                for module in dist.modules:
                    modules.setdefault(module, []).append(dist.name)
        self._requires = requires
        return modules, versions

    def installed_with_declared(self) -> frozenset[str]:
        """Distributions that the declared ones install: from the environment's metadata where a
        distribution is installed there, else from the bundled map of common frameworks."""
        declared, _ = self.declared()
        self.installed()  # reads the environment's requirements when it changed
        inputs, closure = self._with_declared
        if inputs is None or inputs[0] is not declared or inputs[1] is not self._requires:
            closure = dependency_closure(declared, self._requires)
            self._with_declared = ((declared, self._requires), closure)
        return closure

    def _read_declared(self):
        self._dependency_files = workspace_dependency_files(self.root) if self.root else []
        # An environment's site-packages (an installed package's workspace) has no project's lists to
        # read, and globbing its thousands of folders would cost the first check.
        project = self.root is not None and self.root.name not in _ENVIRONMENTS
        self._other_declarations = workspace_other_declarations(self.root) if project else []
        names = declared_names(self._dependency_files + self._other_declarations, root=self.root)
        self._declares = any(declares_dependencies(p) for p in self._dependency_files)
        guesses = set()
        for name in names:
            if "[" in name:
                continue  # an extra (`celery[redis]`), not a distribution
            guesses.add(name)
            for affix in _DIST_AFFIXES:
                if name.startswith(affix) and len(name) > len(affix):
                    guesses.add(name[len(affix) :])
                if name.endswith(affix) and len(name) > len(affix):
                    guesses.add(name[: -len(affix)])
        guesses.update(self._project_names())
        self._distributable = self.root is not None and _builds_distribution(self.root)
        return names, guesses

    def _project_names(self) -> set[str]:
        """The workspace's own distribution name, which it may import (installed or not)."""
        if self.root is None or not (self.root / "pyproject.toml").is_file():
            return set()
        try:
            data = load_toml(self.root / "pyproject.toml")
            names = {str(table_at(data, "project").get("name", "") or table_at(data, "tool", "poetry").get("name", ""))}
            package_dir = table_at(data, "tool", "setuptools").get("package-dir", {})
        except (OSError, ValueError):  # unreadable, invalid TOML, or a table of the wrong type
            return set()
        names = {normalize(n) for n in names}
        if isinstance(package_dir, dict):
            names.update(normalize(k.partition(".")[0]) for k in package_dir if k)
        return names - {""}

    # -- local modules ---------------------------------------------------------------------------
    def _listing(self, folder: Path) -> frozenset[str]:
        stamp = _mtime(folder)
        cached = self._listings.get(folder)
        if cached is None or cached[0] != stamp:
            names = set()
            try:
                for entry in os.scandir(folder):
                    name = entry.name
                    if name.endswith(_MODULE_SUFFIXES):
                        names.add(name.split(".", 1)[0])
                    elif entry.is_dir() and name.isidentifier():
                        names.add(name)
            except OSError:
                pass
            cached = (stamp, frozenset(names))
            self._listings[folder] = cached
        return cached[1]

    def _search_folders(self, file: Optional[Path]) -> list[Path]:
        folder = file.parent if file is not None else None
        if folder not in self._folders:
            self._folders[folder] = self._compute_search_folders(file)
        return self._folders[folder]

    def _compute_search_folders(self, file: Optional[Path]) -> list[Path]:
        folders = []
        if file is not None:
            # A script's own folder and its parents up to the root are on sys.path when it runs.
            for parent in file.parents:
                folders.append(parent)
                if self.root is None or parent == self.root or parent.name in _ENVIRONMENTS:
                    break
        if self.root is not None:
            folders.extend((self.root, self.root / "src", self.root / "lib"))  # the src and lib layouts
        return list(dict.fromkeys(folders))

    def _tree_modules(self) -> frozenset[str]:
        """Every module and package name anywhere in the workspace (tests and scripts often put
        sibling folders on sys.path), refreshed at most every few seconds; only asked about names
        that nothing else resolved."""
        if self._tree is None:
            self._refresh_tree()
        elif time.monotonic() - self._tree[0] > _TREE_SECONDS and not self._tree_refreshing.locked():
            # Stale: answer from the old index and rebuild it off the caller's thread.
            threading.Thread(target=self._refresh_tree, daemon=True).start()
        return self._tree[1]

    def _refresh_tree(self) -> None:
        with self._tree_refreshing:
            self._tree = (time.monotonic(), frozenset(_walk_modules(self.root)) if self.root else frozenset())

    def is_local(self, name: str, file: Optional[Path]) -> bool:
        return any(name in self._listing(folder) for folder in self._search_folders(file))

    # -- resolution ------------------------------------------------------------------------------
    def resolve(self, module: str, file: Optional[Path] = None, trusted: tuple[str, ...] = ()) -> Resolution:
        top = module.partition(".")[0]
        if top in _STDLIB:
            return Resolution("stdlib")
        if top in trusted or normalize(top) in trusted:
            return Resolution("trusted")
        if self.is_local(top, file):
            return Resolution("local")
        known = known_packages()
        declared, declared_imports = self.declared()
        popular = known.distributions_for(module)
        candidates = popular or (normalize(top),)
        modules, _ = self.installed()
        installed = modules.get(top)
        covered = declared | self.installed_with_declared()
        if installed:
            dist = next((d for d in installed if d in covered), installed[0])
            return Resolution(
                "installed", dist, dist in covered or normalize(top) in declared_imports, self._lookalike(dist)
            )
        is_declared = any(d in covered for d in candidates) or normalize(top) in declared_imports
        if is_declared:
            dist = next((d for d in candidates if d in covered), None)
            if dist is None:
                # Only an import name guessed from a declared distribution (`github` from `PyGithub`):
                # that distribution is what gets installed, and its own name is checked in its file.
                return Resolution("declared", candidates[0], True)
            return Resolution("declared", dist, True, self._lookalike(dist))
        if popular:
            return Resolution("known", popular[0])
        if top in self._tree_modules():
            return Resolution("local")  # elsewhere in the workspace, put on sys.path by its tooling
        lookalike = known.lookalike(top, strict=True)
        if lookalike is not None:
            return Resolution("unknown", normalize(top), False, lookalike)
        if known.on_index(top) or any(known.on_index(c) for c in _dotted_names(module)):
            return Resolution("indexed", normalize(top))
        return Resolution("unknown", normalize(top))

    @staticmethod
    def _lookalike(dist: str) -> Optional[LookAlike]:
        return known_packages().lookalike(dist)


def _builds_distribution(root: Path) -> bool:
    """A setup.py, or a pyproject.toml with a build backend: what `pip install .` builds a wheel from."""
    if (root / "setup.py").is_file():
        return True
    try:
        return "build-system" in load_toml(root / "pyproject.toml")
    except (OSError, ValueError):
        return False


def _walk_modules(root: Path) -> Iterator[str]:
    seen = 0
    for _folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _NOT_SOURCE and d.isidentifier()]
        seen += len(dirs) + len(files)
        if seen > _TREE_LIMIT:
            return
        yield from dirs
        yield from (name.split(".", 1)[0] for name in files if name.endswith(_MODULE_SUFFIXES))


def _dotted_names(module: str) -> list[str]:
    """`a.b.c` -> `a-b-c`, `a-b`: namespace packages are published under their dotted name."""
    parts = module.split(".")
    return ["-".join(parts[:end]) for end in range(len(parts), 1, -1)]


_workspaces: dict[tuple, Workspace] = {}
_by_path: dict[tuple[str, str], tuple[Workspace, Optional[Path]]] = {}
_lock = threading.Lock()


def forget_declarations() -> None:
    """A dependency list was added or removed somewhere the modification times do not show (a
    requirements file one folder down): every workspace reads its lists again when next asked."""
    with _lock:
        for workspace in _workspaces.values():
            workspace._declared.forget()


def workspace_for(path: str, python: str = "") -> tuple[Workspace, Optional[Path]]:
    """The cached workspace a file belongs to, and the file as a Path (None for unsaved buffers)."""
    if path and not path.startswith("<"):
        path = os.path.abspath(path)  # `check app.py` run from two folders names two different files
    found = _by_path.get((path, python))
    if found is None:
        found = _by_path[(path, python)] = _workspace_for(path, python)
    return found


def _workspace_for(path: str, python: str) -> tuple[Workspace, Optional[Path]]:
    file = None if not path or path.startswith("<") else Path(path).absolute()
    root = workspace_root(file.parent) if file is not None else None
    # Files inside an environment's site-packages form their own workspace with that environment.
    anchor = next((p for p in file.parents if p.name in _ENVIRONMENTS), None) if file else None
    key = (root, python, anchor)
    with _lock:
        workspace = _workspaces.get(key)
        if workspace is None:
            workspace = _workspaces[key] = Workspace(root, python, file)
    return workspace, file


def warm_up(path: str, python: str = "") -> None:
    """Load the snapshot and index the workspace of `path` (environment, dependency files, module
    tree) so that the first accepted snippet does not pay for it; for a worker thread at startup."""
    workspace, _ = workspace_for(path, python)
    known_packages().lookalike("warm-up")
    workspace.installed()
    workspace.declared()
    workspace._tree_modules()
