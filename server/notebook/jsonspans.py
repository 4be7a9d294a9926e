"""Where each value of a JSON text is: character spans, so one value can be replaced in place and
every other byte of the file (indentation, key order, number spelling, escapes) stays as written.

The walk uses the standard library's own string and number scanners; the text has already been
accepted by `json.loads`, so it only needs to find the ends of values, not to judge them.
"""

from __future__ import annotations

from json.decoder import scanstring
from json.scanner import NUMBER_RE
from typing import Union

_WHITESPACE = " \t\n\r"

Path = tuple[Union[str, int], ...]


def value_spans(text: str, wanted) -> dict[Path, tuple[int, int]]:
    """{path: (start, end)} of the values whose path (keys and list indexes from the top) satisfies
    `wanted(path)`. With duplicate keys the last one wins, as with `json.loads`."""
    found: dict[Path, tuple[int, int]] = {}
    end = _value(text, _skip(text, 0), (), wanted, found)
    if _skip(text, end) != len(text):
        raise ValueError("extra data after the JSON value")
    return found


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WHITESPACE:
        i += 1
    return i


def _value(text: str, i: int, path: Path, wanted, found: dict) -> int:
    """Walk the value starting at `i`; return the index after it."""
    c = text[i]
    if c == "{":
        end = _object(text, i, path, wanted, found)
    elif c == "[":
        end = _array(text, i, path, wanted, found)
    elif c == '"':
        end = scanstring(text, i + 1)[1]
    else:
        match = NUMBER_RE.match(text, i)
        if match is not None:
            end = match.end()
        else:
            word = next(
                (w for w in ("true", "false", "null", "NaN", "Infinity", "-Infinity") if text.startswith(w, i)), None
            )
            if word is None:
                raise ValueError(f"unexpected character at {i}")
            end = i + len(word)
    if wanted(path):
        found[path] = (i, end)
    return end


def _object(text: str, i: int, path: Path, wanted, found: dict) -> int:
    i = _skip(text, i + 1)
    if text[i] == "}":
        return i + 1
    while True:
        key, i = scanstring(text, i + 1)
        i = _skip(text, _skip(text, i) + 1)  # the colon
        i = _skip(text, _value(text, i, (*path, key), wanted, found))
        if text[i] == "}":
            return i + 1
        i = _skip(text, i + 1)  # the comma


def _array(text: str, i: int, path: Path, wanted, found: dict) -> int:
    i = _skip(text, i + 1)
    if text[i] == "]":
        return i + 1
    index = 0
    while True:
        i = _skip(text, _value(text, i, (*path, index), wanted, found))
        index += 1
        if text[i] == "]":
            return i + 1
        i = _skip(text, i + 1)


def string_offsets(text: str, start: int) -> list[int]:
    """Where each character of the JSON string whose opening quote is at `start` is written: entry k
    is the index in `text` of the k-th decoded character (an escape such as `\\n` or `\\u00e9` spans
    several), and one more entry holds the closing quote. A surrogate pair escape is one character,
    as `json.loads` decodes it."""
    offsets = []
    i = start + 1
    while text[i] != '"':
        offsets.append(i)
        if text[i] != "\\":
            i += 1
        elif text[i + 1] != "u":
            i += 2
        else:
            high = int(text[i + 2 : i + 6], 16)
            i += 6
            if (
                0xD800 <= high < 0xDC00
                and text.startswith("\\u", i)
                and 0xDC00 <= int(text[i + 2 : i + 6], 16) < 0xE000
            ):
                i += 6
    offsets.append(i)
    return offsets
