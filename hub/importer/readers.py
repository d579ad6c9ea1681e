"""Streaming readers for import files: one line in memory at a time.

JSON Lines: one object per line with a ``type``.  CSV: the same fields as
columns, either one file with a ``type`` column or one file per type (the type
from ``--type`` or the file name: ``entities.csv``, ``records.csv``,
``lists.csv``).  Empty CSV cells are null (left out, so one file may hold the
columns of every type); a ``details`` cell holds JSON text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from hub.errors import ErrorCode, HubError

__all__ = ["Format", "RawRow", "guess_format", "read_csv", "read_jsonl", "read_rows"]

Format = Literal["jsonl", "csv"]

_STEM_TYPES = {
    "entity": "entity",
    "entities": "entity",
    "record": "record",
    "records": "record",
    "list": "list",
    "lists": "list",
}


@dataclass(frozen=True, slots=True)
class RawRow:
    """One input row before validation.

    ``data`` is the decoded object, or None when ``error`` says why it could
    not be decoded; ``raw`` is what gets quarantined; ``position`` is the byte
    offset reached in the file (for progress bars).
    """

    line_no: int
    raw: str
    data: Any
    error: str | None = None
    row_type: str | None = None
    position: int = 0


def guess_format(path: Path) -> Format:
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def read_jsonl(path: Path) -> Iterator[RawRow]:
    position = 0
    with path.open("rb") as f:
        for line_no, line in enumerate(f, start=1):
            position += len(line)
            text = line.decode("utf-8", errors="replace")
            if line_no == 1:
                text = text.removeprefix("\ufeff")
            text = text.rstrip("\r\n")
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RawRow(
                    line_no, text, None, f"malformed JSON: {exc}", None, position
                )
                continue
            row_type = data.get("type") if isinstance(data, dict) else None
            yield RawRow(line_no, text, data, None, row_type, position)


def _csv_type(path: Path, row_type: str | None, header: list[str]) -> str | None:
    if "type" in header:
        return None  # per row
    if row_type:
        return row_type
    found = _STEM_TYPES.get(path.stem.lower())
    if found is None:
        raise HubError(
            f"{path.name}: cannot tell the row type. Add a 'type' column, pass "
            "--type entity|record|list, or name the file entities.csv, "
            "records.csv or lists.csv.",
            ErrorCode.VALIDATION_ERROR,
        )
    return found


def _decode_cells(cells: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    # An empty cell is null, and null is what a missing field means; dropping
    # them lets one CSV carry the columns of all three row types.
    data = {k: v for k, v in cells.items() if k is not None and v not in ("", None)}
    details = data.get("details")
    if isinstance(details, str):
        try:
            data["details"] = json.loads(details)
        except json.JSONDecodeError as exc:
            return data, f"details: malformed JSON text: {exc}"
    return data, None


def read_csv(path: Path, row_type: str | None = None) -> Iterator[RawRow]:
    with path.open("rb") as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        reader = csv.DictReader(text)
        header = list(reader.fieldnames or [])
        fixed_type = _csv_type(path, row_type, header)
        for cells in reader:
            line_no = reader.line_num
            if None in cells:
                extra = cells.pop(None)
                error: str | None = f"{len(extra)} more cells than header columns"
            else:
                error = None
            data, details_error = _decode_cells(cells)
            if fixed_type is not None:
                data = {"type": fixed_type, **data}
            # The quarantine keeps CSV rows as JSON objects so that an export
            # can be fixed and re-imported as JSON Lines.
            raw = json.dumps(data, ensure_ascii=False, default=str)
            _position = _tell(binary)
            yield RawRow(
                line_no, raw, data, error or details_error, data.get("type"), _position
            )


def _tell(binary: BinaryIO) -> int:
    try:
        return binary.tell()
    except OSError:  # pragma: no cover - pipes
        return 0


def read_rows(
    path: Path, fmt: Format | None = None, row_type: str | None = None
) -> Iterator[RawRow]:
    """Rows of ``path`` in file order, whatever the format."""
    fmt = fmt or guess_format(path)
    if fmt == "csv":
        return read_csv(path, row_type)
    return read_jsonl(path)
