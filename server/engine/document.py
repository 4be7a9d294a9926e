"""A document as a sequence of top-level blocks, each with its own parse, facts and findings.

An edit re-splits only the region around it (from the block before the edit to the first old block
boundary after it), re-parses and re-checks those blocks, and keeps every other block's findings,
which are stored relative to their block and shifted on output. A block that does not parse yields
no findings and disturbs no other block.
"""

from __future__ import annotations

import ast
import re
import warnings
import weakref
from dataclasses import dataclass, field
from typing import NamedTuple, Optional

from tabguard.engine.checker import RuleError, RuleSet, check_tree
from tabguard.engine.facts import BlockFacts, ModuleFacts, collect_facts
from tabguard.engine.summaries import SummaryProvider, WorkspaceIndex
from tabguard.engine.splitter import iter_block_starts
from tabguard.engine.types import Finding

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_UNCHANGED = object()  # stands for the tree of a reused block, which is neither parsed nor checked


def split_lines(text: str) -> list[str]:
    """Lines as LSP counts them: only \\r\\n, \\r and \\n end a line."""
    return _LINE_BREAK.split(text)


def line_ending(text: str) -> str:
    """The line ending a text uses (its first kind found: CRLF, LF, CR), LF when it has none."""
    for candidate in ("\r\n", "\n", "\r"):
        if candidate in text:
            return candidate
    return "\n"


def splice(lines: list[str], start_line: int, start_col: int, end_line: int, end_col: int, new_text: str):
    """Replace a range of `lines` in place (positions clamped into the text); return (first line,
    old last line, new line count)."""
    last = len(lines) - 1
    if (start_line, start_col) > (end_line, end_col):
        start_line, start_col, end_line, end_col = end_line, end_col, start_line, start_col
    start_line = min(max(start_line, 0), last)
    end_line = min(max(end_line, 0), last)
    start_col = min(max(start_col, 0), len(lines[start_line]))
    end_col = min(max(end_col, 0), len(lines[end_line]))
    inserted = split_lines(lines[start_line][:start_col] + new_text + lines[end_line][end_col:])
    lines[start_line : end_line + 1] = inserted
    return start_line, end_line, len(inserted)


class ParseGap(NamedTuple):
    """Code that does not parse, and so was not checked: the error's place (0-based) and the lines
    of the block it left unchecked."""

    line: int
    col: int
    message: str
    first_line: int
    last_line: int

    def notice(self) -> str:
        lines = (
            f"line {self.first_line + 1}"
            if self.first_line == self.last_line
            else f"lines {self.first_line + 1}-{self.last_line + 1}"
        )
        return f"{self.line + 1}:{self.col + 1}: does not parse ({self.message}); {lines} not checked, the rest was"


@dataclass
class SyntaxProblem:
    line: int  # block-relative
    col: int
    message: str


@dataclass(eq=False, slots=True)  # slots: an edit moves every later block, so attribute access counts
class Block:
    start: int
    length: int
    soft: bool = False
    facts: BlockFacts = field(default_factory=BlockFacts)
    findings: list[Finding] = field(default_factory=list)
    error: Optional[SyntaxProblem] = None
    digest: int = 0  # hash of the text the block was parsed from: an edit that keeps the text reuses it
    # The functions of other modules (path, name) its check asked about: a change of one of their
    # summaries re-checks it.
    consults: frozenset = frozenset()
    _absolute: Optional[tuple[int, list[Finding]]] = None

    @property
    def end(self) -> int:
        return self.start + self.length

    def absolute_findings(self) -> list[Finding]:
        if self._absolute is None or self._absolute[0] != self.start:
            self._absolute = (self.start, [f.shifted(self.start) for f in self.findings])
        return self._absolute[1]


_MERGE_LOOKAHEAD = 50
_WHOLE_PARSE_MIN_LINES = 200  # below this, scanning lines is as cheap as a whole parse
# Above this, one C parse of the whole file would hold the GIL for a tenth of a second or more,
# during which the language server (analysing on a thread) could answer no request.
_WHOLE_PARSE_MAX_LINES = 3000
_CONFIRM_TRIES = 6
_CONFIRM_SPAN = 600  # lines searched for the end of the string a recovery split fell in
_RECHECK_ROUNDS = 4


def _start(block: Block) -> int:
    return block.start


def _first_of_each(findings: list[Finding], keys: dict[str, str]) -> list[Finding]:
    """`findings` without the repeats of rules reported once per file per value of a details key
    (`Rule.once_per_file_by`): the one kept is the first in the file."""
    first: dict[tuple[str, object], Finding] = {}
    for finding in findings:
        if finding.rule_id in keys:
            mark = (finding.rule_id, finding.details.get(keys[finding.rule_id]))
            if mark not in first or finding.span < first[mark].span:
                first[mark] = finding
    kept = {id(f) for f in first.values()}
    return [f for f in findings if f.rule_id not in keys or id(f) in kept]


def _unterminated_string(block: Block) -> bool:
    return block.error is not None and "unterminated" in block.error.message


def _statement_starts(lines: list[str], begin: int = 0, end: Optional[int] = None) -> Optional[list[int]]:
    """Block starts straight from the top-level statements of lines[begin:end], when they parse: the
    blocks the splitter finds in valid code, without its recovery guesses (and, for a whole file,
    one C parse instead of the line scanner)."""
    tree, _ = parse_block("\n".join(lines[begin:end]) + "\n")
    if tree is None:
        return None
    starts = {begin}
    for stmt in tree.body:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        starts.add(begin + first - 1)
    return sorted(starts)


def _confirm_recovery(lines: list[str], begin: int, split: int) -> Optional[list[int]]:
    """Statement starts of lines[begin:end] plus `end`, when the code from `begin` parses up to one
    of the next few places a statement could follow a closed string (a column-0 code line after a
    line holding a triple quote or ending in a closing bracket); None when it never does, and the
    split stands. Splits inside brackets are never undone: no statement starts inside one."""
    tries = 0
    closer = False
    for end in range(split + 1, min(len(lines), split + _CONFIRM_SPAN) + 1):
        previous = lines[end - 1]
        closer = closer or '"""' in previous or "'''" in previous or previous.rstrip()[-1:] in (")", "]", "}")
        if end < len(lines):
            head = lines[end][:1]
            if not head or head in " \t#\f" or not closer:
                continue
        closer = False
        tries += 1
        starts = _statement_starts(lines, begin, end)
        if starts is not None:
            return starts + [end]
        if tries >= _CONFIRM_TRIES:
            return None
    return None


def parse_block(text: str) -> tuple[Optional[ast.Module], Optional[SyntaxProblem]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not ours to report
            return ast.parse(text), None
    except SyntaxError as error:
        return None, SyntaxProblem(max((error.lineno or 1) - 1, 0), max((error.offset or 1) - 1, 0), error.msg)
    except (ValueError, MemoryError, RecursionError, OverflowError) as error:
        return None, SyntaxProblem(0, 0, f"{type(error).__name__}: {error}")


class Document:
    """The engine's view of one file. Positions: 0-based lines, code-point columns."""

    def __init__(
        self,
        text: str,
        ruleset: RuleSet,
        path: str = "<memory>",
        options: Optional[dict] = None,
        workspace: Optional[WorkspaceIndex] = None,
    ):
        self.ruleset = ruleset
        self.path = path
        self.options = options or {}
        self.workspace = workspace  # where calls into other modules are summarized (None: the process's)
        self._stale: set[Block] = set()  # blocks to re-check: a summary they used changed
        self.lines: list[str] = split_lines(text)
        # Rule failures since the last call to `take_errors` (the server logs each once).
        self.errors: list[RuleError] = []
        self.blocks: list[Block] = []
        self.module = ModuleFacts()
        # Lines (current numbering, inclusive) edited but not yet re-analysed; see `flush`.
        self._pending: Optional[tuple[int, int]] = None
        self._dropped: list[Block] = []  # blocks an edit swallowed: their facts leave the module facts
        self._readers: dict[str, set[Block]] = {}  # name -> blocks whose text mentions it
        self._flagged: set[Block] = set()  # blocks with findings: a publish need not visit the others
        self.summaries: SummaryProvider  # what calls reach in this module's and the workspace's functions
        self._reset()

    # -- text ----------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def replace(
        self, start_line: int, start_col: int, end_line: int, end_col: int, new_text: str, analyze: bool = True
    ) -> tuple[int, int, int]:
        """Apply one edit (positions are clamped into the document) and return (first line, old last
        line, new line count). With `analyze=False` the analysis waits for `flush`, so a burst of
        keystrokes costs one re-check of the region they touched."""
        start_line, end_line, count = splice(self.lines, start_line, start_col, end_line, end_col, new_text)
        self._edited(start_line, end_line, count)
        if analyze:
            self.flush()
        return start_line, end_line, count

    def set_text(self, text: str, analyze: bool = True) -> None:
        self.lines = split_lines(text)
        self._reset(analyze)

    def _reset(self, analyze: bool = True) -> None:
        """Analyse the whole text from scratch (with `analyze=False`, at the next `flush`)."""
        self.blocks, self.module, self._pending, self._dropped, self._readers = [], ModuleFacts(), None, [], {}
        self._flagged, self._stale = set(), set()
        # Through a weak reference: a closed document must be freed by reference counting alone.
        source = weakref.WeakMethod(self._function_source)
        self.summaries = SummaryProvider(
            self.ruleset,
            self.path,
            self.options,
            self.module,
            lambda name: source()(name) if source() else None,
            self.workspace,
        )
        if analyze:
            self._rebuild(0, 0, 0, len(self.lines))
        else:
            self._pending = (0, len(self.lines) - 1)

    @property
    def dirty(self) -> bool:
        """Edited since the last analysis, or a summary its checks used changed (`flush` has work to do)."""
        return self._pending is not None or bool(self._stale)

    def workspace_changed(self, changed: set[tuple[str, str]]) -> bool:
        """The summaries of these functions of other modules (path, name) changed: the blocks whose
        checks used them are re-checked at the next `flush`. False when no block did. A check that
        read a module's facts (what its classes inherit and hold) asked about `(path, "")`."""
        changed = changed | {(path, "") for path, _ in changed}
        self.summaries.forget(changed)
        stale = {b for b in self.blocks if not b.consults.isdisjoint(changed)}
        self._stale |= stale
        return bool(stale)

    # -- findings ------------------------------------------------------------------------------
    def findings(self) -> list[Finding]:
        self.flush()
        out: list[Finding] = []
        for block in sorted(self._flagged, key=_start):
            out.extend(block.absolute_findings())
        return _first_of_each(out, self.ruleset.once_per_file) if self.ruleset.once_per_file else out

    def syntax_problems(self) -> list[ParseGap]:
        """Where the code does not parse: each such block is left unchecked, the others are checked."""
        self.flush()
        gaps = []
        for block in self.blocks:
            if block.error is not None:
                line = block.start + block.error.line
                last = max(line, block.end - 1)
                while last > line and not self.lines[last].strip():
                    last -= 1  # the blank lines a block ends with are nothing left unchecked
                gaps.append(ParseGap(line, block.error.col, block.error.message, block.start, last))
        return gaps

    def take_errors(self) -> list[RuleError]:
        errors, self.errors = self.errors, []
        return errors

    def reconfigure(self, ruleset: RuleSet, options: Optional[dict] = None) -> None:
        self.ruleset = ruleset
        self.options = options or {}
        self._reset()

    # -- incremental machinery -----------------------------------------------------------------
    def _block_index(self, line: int) -> int:
        """Index of the block holding `line` (binary search over block starts)."""
        lo, hi = 0, len(self.blocks)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.blocks[mid].start <= line:
                lo = mid + 1
            else:
                hi = mid
        return max(lo - 1, 0)

    def _edited(self, first: int, old_last: int, new_count: int) -> None:
        """Lines first..old_last (old numbering) were replaced by `new_count` lines: drop the blocks
        that began inside them, move the later ones, and widen the pending region."""
        delta = new_count - (old_last - first + 1)
        blocks = self.blocks
        if blocks:
            i = self._block_index(first)
            j = i + 1
            while j < len(blocks) and blocks[j].start <= old_last:
                j += 1
            # Blocks inside the edit are gone; if they exported names, the module facts must be rebuilt.
            self._dropped.extend(blocks[i + 1 : j])
            del blocks[i + 1 : j]
            if delta:
                for block in blocks[i + 1 :]:
                    block.start += delta
        lo, hi = first, first + new_count - 1
        if self._pending is not None:
            old_lo, old_hi = self._pending
            old_lo = old_lo + delta if old_lo > old_last else min(old_lo, first)
            old_hi = old_hi + delta if old_hi > old_last else max(old_hi, hi) if old_hi >= first else old_hi
            lo, hi = min(lo, old_lo), max(hi, old_hi)
        self._pending = (lo, hi)

    def flush(self) -> None:
        """Re-split, re-parse and re-check the region edited since the last flush, and the blocks a
        changed summary made stale."""
        if self._pending is not None:
            self._flush_edits()
        if self._stale:
            stale, self._stale = self._stale, set()
            present = set(self.blocks)  # an edit may have replaced some (and checked them anew)
            self._recheck(sorted((b for b in stale if b in present and b.error is None), key=_start))

    def _flush_edits(self) -> None:
        last = len(self.lines) - 1
        lo, hi = (min(max(v, 0), last) for v in self._pending)
        self._pending = None
        if not self.blocks:
            self._rebuild(0, 0, 0, len(self.lines))
            return
        begin_index = max(self._block_index(lo) - 1, 0)
        # An unterminated string shortly before may now be closed by this edit: re-join from there.
        for index in range(begin_index - 1, max(begin_index - _MERGE_LOOKAHEAD, 0) - 1, -1):
            if _unterminated_string(self.blocks[index]):
                begin_index = index
                break
        # A recovery split shortly before was judged by parsing up to a few blocks further down,
        # which this edit may have changed: judge it again, from the block before it.
        for index in range(begin_index - 1, max(begin_index - _MERGE_LOOKAHEAD, 0) - 1, -1):
            if self.blocks[index].soft:
                begin_index = index
        while begin_index > 0 and self.blocks[begin_index].soft:
            begin_index -= 1
        keep_from = self._block_index(hi) + 1
        self._rebuild(begin_index, keep_from, self.blocks[begin_index].start, hi + 1)

    def _rebuild(self, begin_index: int, keep_from: int, begin_line: int, dirty_until: int) -> None:
        """Re-split from `begin_line` (start of blocks[begin_index]) until the region re-joins an old
        boundary at or after `dirty_until`; blocks[begin_index:keep_from] are replaced. A new block
        whose text is that of a replaced block (moved by the edit, or untouched beside it) is that
        block, neither parsed nor checked again."""
        blocks = self.blocks
        while True:
            fresh, rejoin = self._split(begin_index, begin_line, dirty_until, keep_from)
            self._merge_false_recoveries(fresh)
            # A string left open near the region's end may pair with a quote further down, as it
            # would in a from-scratch analysis: widen the region until that window is covered.
            open_at = [k for k, (b, _) in enumerate(fresh) if _unterminated_string(b)]
            if not open_at or rejoin >= len(blocks) or len(fresh) - 1 - open_at[-1] >= _MERGE_LOOKAHEAD:
                break
            last = min(rejoin + _MERGE_LOOKAHEAD, len(blocks)) - 1
            dirty_until, keep_from = blocks[last].end, last + 1
        reused = {id(b) for b, tree in fresh if tree is _UNCHANGED}
        removed = [b for b in blocks[begin_index:rejoin] if id(b) not in reused]
        self._dropped = [b for b in self._dropped if id(b) not in reused]
        blocks[begin_index:rejoin] = [b for b, _ in fresh]
        self._refresh_module(removed, [(b, t) for b, t in fresh if t is not _UNCHANGED])

    def _split(self, begin_index: int, begin_line: int, dirty_until: int, keep_from: int) -> tuple[list, int]:
        """Split from `begin_line` to the first old block boundary at or after `dirty_until`; parse the
        new blocks. Returns the (block, tree) pairs and the index of the old block that re-joins."""
        blocks, lines = self.blocks, self.lines
        starts: list[tuple[int, bool]] = []
        rejoin = len(blocks)
        whole = (
            _statement_starts(lines)
            if not blocks and _WHOLE_PARSE_MIN_LINES <= len(lines) <= _WHOLE_PARSE_MAX_LINES
            else None
        )
        if whole is not None:
            starts = [(line, False) for line in whole]
        scan = iter(()) if whole is not None else iter_block_starts(lines, begin_line)
        while (start := next(scan, None)) is not None:
            if start.line >= dirty_until and starts and (old := self._old_block_at(start.line, keep_from)) is not None:
                rejoin = old
                blocks[rejoin].soft = start.soft
                break
            if start.in_string and starts:
                # A recovery split: if the code from the previous block on parses up to one of the
                # next statement-looking lines, the split was wrong (a docstring saying `class Foo`,
                # code inside a string); take that span's statements and scan on after it.
                confirmed = _confirm_recovery(lines, starts[-1][0], start.line)
                if confirmed is not None:
                    starts[-1:] = [(line, False) for line in confirmed[:-1]]
                    scan = iter_block_starts(lines, confirmed[-1])
                    continue
            starts.append((start.line, start.soft))
        end_line = blocks[rejoin].start if rejoin < len(blocks) else len(lines)
        # The blocks being replaced, and those the edits swallowed, by text: the ones that come back.
        replaced = {(b.length, b.digest): b for b in (*blocks[begin_index:rejoin], *self._dropped)}
        fresh: list[tuple[Block, Optional[ast.Module]]] = []
        for k, (line, is_soft) in enumerate(starts):
            stop = starts[k + 1][0] if k + 1 < len(starts) else end_line
            block = Block(line, stop - line, is_soft)
            text = self.block_text(block)
            old = replaced.pop((block.length, hash(text)), None)
            if old is not None:
                old.start, old.soft = line, is_soft
                fresh.append((old, _UNCHANGED))
            else:
                fresh.append(self._parsed(block, text))
        return fresh, rejoin

    def _old_block_at(self, line: int, first: int) -> Optional[int]:
        """Index of the block starting on `line` among blocks[first:], if any."""
        lo, hi = first, len(self.blocks)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.blocks[mid].start < line:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self.blocks) and self.blocks[lo].start == line else None

    def _parsed(self, block: Block, text: Optional[str] = None) -> tuple[Block, Optional[ast.Module]]:
        text = self.block_text(block) if text is None else text
        block.digest = hash(text)
        tree, block.error = parse_block(text)
        if tree is not None:
            block.facts = collect_facts(tree, text)
        return block, tree

    def _merge_false_recoveries(self, fresh: list) -> None:
        """A recovery split inside a string that is in fact closed later leaves the string's opening
        block failing with an unterminated string, and the block holding its closing quote failing
        the same way. If the span from one to the other parses, it was one statement: join it."""
        k = 0
        while k < len(fresh):
            block = fresh[k][0]
            if _unterminated_string(block):
                for m in range(k + 1, min(k + 1 + _MERGE_LOOKAHEAD, len(fresh))):
                    candidate = fresh[m][0]
                    if _unterminated_string(candidate):
                        merged = self._parsed(Block(block.start, candidate.end - block.start, block.soft))
                        if merged[1] is not None:
                            fresh[k : m + 1] = [merged]
                        break
            k += 1

    def _refresh_module(self, removed: list[Block], fresh: list[tuple[Block, Optional[ast.Module]]]) -> None:
        removed, self._dropped = removed + self._dropped, []
        self._flagged.difference_update(removed)
        self._index_readers(removed, [b for b, _ in fresh])
        in_order = lambda: (b.facts for b in self.blocks)  # noqa: E731
        changed = self.module.update((b.facts for b in removed), (b.facts for b, _ in fresh), in_order)
        # A helper whose summary a call used was edited: its callers' findings may change.
        changed |= {
            n
            for b in (*removed, *(b for b, _ in fresh))
            for n in (*b.facts.functions, *b.facts.classes)
            if n in self.summaries.summarized
        }
        # A class's callers may call the methods it inherits (`class UserRepo(BaseRepo)`), or reach it
        # through a module-level instance (`files = Files(...)`).
        for _ in range(_RECHECK_ROUNDS):
            heirs = {name for name, bases in self.module.bases.items() if name not in changed and changed & set(bases)}
            if not heirs:
                break
            changed |= heirs
        changed |= {name for name, cls in self.module.instances.items() if cls in changed}
        fresh_ids = {id(b) for b, _ in fresh}
        readers = [b for b in self._readers_of(changed) if id(b) not in fresh_ids]
        changed = set()
        for block, tree in fresh:
            changed |= self._check(block, tree)
        self._recheck(readers, changed)

    def _recheck(self, blocks: list[Block], changed: Optional[set[str]] = None) -> None:
        """Check `blocks` again (their text did not change, what they read did)."""
        changed = set() if changed is None else changed
        for block in blocks:
            changed |= self._check(block, parse_block(self.block_text(block))[0])
        # A changed import, constant, helper, or module variable holding user input can change the
        # findings of the blocks that read it; a round of checks can move more names (short chains).
        for _ in range(_RECHECK_ROUNDS):
            if not changed:
                break
            readers = self._readers_of(changed)
            changed = set()
            for block in readers:
                changed |= self._check(block, parse_block(self.block_text(block))[0])

    def _index_readers(self, removed: list[Block], added: list[Block]) -> None:
        for block in removed:
            for name in block.facts.used_names:
                readers = self._readers.get(name)
                if readers is not None:
                    readers.discard(block)
        for block in added:
            for name in block.facts.used_names:
                self._readers.setdefault(name, set()).add(block)

    def _readers_of(self, names: set[str]) -> list[Block]:
        """Parsed blocks that mention any of `names`, in document order."""
        found: set[Block] = set()
        for name in names:
            found |= self._readers.get(name, set())
        return sorted((b for b in found if b.error is None), key=lambda b: b.start)

    def _function_source(self, name: str) -> Optional[tuple[str, int]]:
        """The text and first line of the block that defines module-level function (or class) `name` last."""
        for block in reversed(self.blocks):
            if block.error is None and (name in block.facts.functions or name in block.facts.classes):
                return self.block_text(block), block.start
        return None

    def block_text(self, block: Block) -> str:
        return "\n".join(self.lines[block.start : block.end]) + "\n"

    def _check(self, block: Block, tree: Optional[ast.Module]) -> set[str]:
        """Check one block; the module-level names whose user-input status changed because of it."""
        block._absolute = None
        if tree is None:
            block.findings = []
            self._flagged.discard(block)
            return self._set_tainted(block, {})
        block_lines = self.lines[block.start : block.end]
        tainted: dict[str, str] = {}
        self.summaries.asked = set()
        try:
            block.findings = check_tree(
                tree,
                block_lines,
                self.module,
                self.ruleset,
                self.path,
                self.options,
                self.errors,
                tainted,
                provider=self.summaries,
                block_start=block.start,
            )
        finally:
            block.consults, self.summaries.asked = frozenset(self.summaries.asked), None
        moved = self._set_tainted(block, tainted)
        if block.findings:
            self._flagged.add(block)
        else:
            self._flagged.discard(block)
        return moved

    def _set_tainted(self, block: Block, tainted: dict[str, str]) -> set[str]:
        if tainted == block.facts.tainted:
            return set()
        old, block.facts.tainted = BlockFacts(tainted=block.facts.tainted), tainted
        in_order = lambda: (b.facts for b in self.blocks)  # noqa: E731
        return self.module.update([old], [BlockFacts(tainted=tainted)], in_order, kinds=("tainted",))
