'use strict';
// Pure: which range of the final document holds the text an accept inserted.
//
// An accept can arrive as several content changes (the completion replaces the typed prefix, an
// extension re-indents, a bracket is auto-closed), possibly over several change events. Changes in
// one list are applied in order, each against the document the previous ones produced (the LSP
// rule; VS Code's per-event lists are order-independent, so applying them in order is also right).
// We keep every inserted range in current coordinates, move it through later edits, and report
// the smallest range covering the inserted text that survived.

/** @typedef {{line: number, character: number}} Position */
/** @typedef {{start: Position, end: Position}} Range */
/** @typedef {{range: Range, text: string}} Change */

function compare(a, b) {
  return a.line - b.line || a.character - b.character;
}

/** End position of `text` inserted at `start` (characters counted in UTF-16 code units). */
function endOfInsert(start, text) {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length === 1) return { line: start.line, character: start.character + text.length };
  return { line: start.line + lines.length - 1, character: lines[lines.length - 1].length };
}

/** Where `pos` ends up after `change`. A position inside the replaced range goes to the start of the
 *  new text, or to its end when `stickToEnd` (a range end grows over text inserted right at it). */
function movePosition(pos, change, stickToEnd) {
  const { start, end } = change.range;
  const newEnd = endOfInsert(start, change.text);
  if (compare(pos, start) < 0) return pos;
  if (compare(pos, end) > 0) {
    if (pos.line !== end.line) return { line: pos.line + (newEnd.line - end.line), character: pos.character };
    return { line: newEnd.line, character: newEnd.character + (pos.character - end.character) };
  }
  return stickToEnd || compare(pos, end) === 0 ? newEnd : start;
}

/**
 * @param {Change[]} changes in the order they were applied
 * @returns {Range | null} the range (0-based, end exclusive) now holding the inserted text
 */
function insertedRange(changes) {
  let ranges = [];
  for (const change of changes) {
    // Text inserted right at a tracked range's end joins it; text inserted at its start does not.
    ranges = ranges
      .map((r) => ({ start: movePosition(r.start, change, false), end: movePosition(r.end, change, true) }))
      .filter((r) => compare(r.start, r.end) < 0);
    if (change.text.length > 0) {
      ranges.push({ start: change.range.start, end: endOfInsert(change.range.start, change.text) });
    }
  }
  if (!ranges.length) return null;
  return ranges.reduce((acc, r) => ({
    start: compare(r.start, acc.start) < 0 ? r.start : acc.start,
    end: compare(r.end, acc.end) > 0 ? r.end : acc.end,
  }));
}

module.exports = { insertedRange, endOfInsert, movePosition };
