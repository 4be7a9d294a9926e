"""Shared test helpers: a small JSON Schema checker (the subset the Agent Trace schema uses) and
workspace builders."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

SCHEMA = json.loads((Path(__file__).with_name("trace-record.schema.json")).read_text())
_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
}


def _format_ok(kind: str, value: str) -> bool:
    if kind == "uuid":
        try:
            return str(uuid.UUID(value)) == value.lower()
        except ValueError:
            return False
    if kind == "date-time":
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
            return False
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            return True
        except ValueError:
            return False
    if kind == "uri":
        return bool(urlparse(value).scheme)
    return True


def schema_errors(value, schema=SCHEMA, where="$", root=SCHEMA) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return schema_errors(value, root["$defs"][name], where, root)
    errors = []
    kind = schema.get("type")
    if kind:
        expected = _TYPES[kind]
        if not isinstance(value, expected) or (kind in ("integer", "number") and isinstance(value, bool)):
            return [f"{where}: expected {kind}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{where}: longer than {schema['maxLength']}")
        if "format" in schema and not _format_ok(schema["format"], value):
            errors.append(f"{where}: not a valid {schema['format']}")
    if isinstance(value, int) and "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{where}: below {schema['minimum']}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += schema_errors(item, schema["items"], f"{where}[{i}]", root)
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                errors.append(f"{where}: missing {name}")
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name in properties:
                errors += schema_errors(item, properties[name], f"{where}.{name}", root)
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: unexpected property {name}")
    return errors


def write(path: Path, text: str) -> list[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text.split("\n")


def ledger_lines(root: Path) -> list[dict]:
    text = (root / ".agent-trace" / "traces.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def foreign_record(path: str, start: int, end: int, **extra) -> dict:
    """A record as another tool writes it (the spec's own example shape)."""
    record = {
        "version": "0.1.0",
        "id": str(uuid.uuid4()),
        "timestamp": "2026-01-23T14:30:00Z",
        "tool": {"name": "cursor", "version": "2.4.0"},
        "files": [
            {
                "path": path,
                "conversations": [
                    {
                        "contributor": {"type": "ai", "model_id": "anthropic/claude-opus-4-5-20251101"},
                        "ranges": [{"start_line": start, "end_line": end, "content_hash": "murmur3:9f2e8a1b"}],
                    }
                ],
            }
        ],
    }
    record.update(extra)
    return record


def append_raw(root: Path, text: str) -> None:
    ledger = root / ".agent-trace" / "traces.jsonl"
    ledger.parent.mkdir(parents=True, exist_ok=True)
    with open(ledger, "a", encoding="utf-8") as handle:
        handle.write(text)
