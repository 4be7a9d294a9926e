"""Where the ledger lives, and the few facts about the workspace a record carries."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Optional

from tabguard import boundary
from tabguard.project import project_root

TRACES = Path(".agent-trace") / "traces.jsonl"
REVIEWS = Path(".tabguard") / "reviews.jsonl"
# Both ledgers only ever grow: a union merge keeps every line from both branches.
GITATTRIBUTES_LINES = (f"{TRACES.as_posix()} merge=union", f"{REVIEWS.as_posix()} merge=union")


def find_root(start: Path, within: Optional[Path] = None) -> Path:
    """The workspace whose ledger covers `start`: the nearest folder holding a ledger, else the
    enclosing git work tree, else `start` itself (its folder, for a file). With `within` (the
    editor's workspace folder holding `start`) the search stops there, and it is the fallback."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    up = None
    if within is not None:
        within = within.resolve()
        if folder != within and within not in folder.parents:
            return within
        up = len(folder.parts) - len(within.parts)
    return project_root(folder, (), up, also=ledger_present) or project_root(folder, (".git",), up) or within or folder


def ledger_present(root: Path) -> bool:
    """A ledger file is there; one that is a symlink counts (to be refused loudly, not ignored)."""
    return os.path.lexists(root / TRACES) or os.path.lexists(root / REVIEWS)


def ensure_gitattributes(root: Path) -> bool:
    """Add the union-merge lines that are missing; True when the file changed. The file is opened
    inside the workspace boundary (`boundary.Refused` when it is a symlink)."""
    text = boundary.read_text(root, ".gitattributes") or ""
    present = {" ".join(line.split()) for line in text.splitlines()}
    missing = [line for line in GITATTRIBUTES_LINES if line not in present]
    if not missing:
        return False
    prefix = "" if not text or text.endswith("\n") else "\n"
    boundary.append_text(root, ".gitattributes", prefix + "\n".join(missing) + "\n")
    return True


def git_dir(root: Path) -> Optional[Path]:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text[len("gitdir:") :].strip())
            return target if target.is_absolute() else (root / target).resolve()
    return None


def git_revision(root: Path) -> Optional[str]:
    """HEAD's commit, read from the git files (no subprocess on the accept path)."""
    folder = git_dir(root)
    if folder is None:
        return None
    try:
        head = (folder / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref:"):
            return head if _is_sha(head) else None
        ref = head[4:].strip()
        common = folder
        if (folder / "commondir").is_file():
            common = (folder / (folder / "commondir").read_text(encoding="utf-8").strip()).resolve()
        for base in (folder, common):
            loose = base / ref
            if loose.is_file():
                sha = loose.read_text(encoding="utf-8").strip()
                return sha if _is_sha(sha) else None
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                sha, _, name = line.partition(" ")
                if name == ref and _is_sha(sha):
                    return sha
    except OSError:
        return None
    return None  # a branch with no commits yet


def _is_sha(text: str) -> bool:
    return len(text) == 40 and all(c in "0123456789abcdef" for c in text)


def default_reviewer(root: Path, configured: str = "") -> str:
    if configured:
        return configured
    git = _system_git()
    try:
        name = (
            subprocess.run(
                [git, "config", "user.name"], cwd=root, capture_output=True, text=True, timeout=5, check=False
            ).stdout.strip()
            if git
            else ""
        )
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def _system_git() -> Optional[str]:
    """git, found on the absolute folders of PATH only. Run with the workspace as its current folder,
    a bare `git` is looked up in it too when PATH holds `.` or an empty entry: a repository that
    commits an executable named `git` would then run it."""
    folders = [folder for folder in os.get_exec_path() if os.path.isabs(folder)]
    return shutil.which("git", path=os.pathsep.join(folders)) if folders else None


def relative_key(root: str, path: Path) -> Optional[str]:
    """`path` as the ledger names it: relative to the workspace root, with forward slashes."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, root)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return relative.replace(os.sep, "/")


def normalize_ledger_path(root: str, raw: str) -> Optional[str]:
    """A path as written by any tool (relative, `./x`, absolute inside the root, Windows separators).
    `boundary.Refused` for one that leads outside the root: absolute elsewhere, or through `..`;
    ValueError for one with control characters (printed, it could drive the terminal)."""
    text = raw.replace("\\", "/").strip()
    if not text:
        return None
    if not text.isprintable():
        raise ValueError(f"a record names {raw!r}, with control characters; skipped")
    key = (
        relative_key(root, Path(text))
        if os.path.isabs(text)
        else "/".join(p for p in text.split("/") if p not in ("", "."))
    )
    if key is None or boundary.escapes(key):
        raise boundary.Refused(f"a record names {raw!r}, outside the workspace; skipped")
    return key or None
