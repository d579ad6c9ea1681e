"""Streaming readers for import files: one line in memory at a time.

JSON Lines: one object per line with a ``type``.  CSV: the same fields as
columns, either one file with a ``type`` column or one file per type (the type
from ``--type`` or the file name: ``entities.csv``, ``records.csv``,
``lists.csv``).  Empty CSV cells are null (left out, so one file may hold the
columns of every type); a ``details`` cell holds JSON text.  The national
双公示 formats (``xzcf``, ``xzxk``; :mod:`hub.importer.national`) arrive in
UTF-8 or GB18030: detected from the file, or named with ``encoding``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from hub.errors import ErrorCode, HubError
from hub.importer.national import (
    NATIONAL_FORMATS,
    NationalFormat,
    check_header,
    map_row,
    normalise_header,
)

__all__ = [
    "Format",
    "RawRow",
    "detect_encoding",
    "guess_format",
    "read_csv",
    "read_jsonl",
    "read_national",
    "read_rows",
]

Format = Literal["jsonl", "csv", "xzcf", "xzxk"]
# Enough of the file to tell UTF-8 from GB18030: GB18030 text of any length
# almost never decodes as UTF-8 (its multi-byte sequences break UTF-8's rules).
_SNIFF_BYTES = 64 * 1024

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


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (with or without a BOM) when the start of the file is
    UTF-8, else ``gb18030`` (the national standard's other encoding)."""
    with path.open("rb") as f:
        head = f.read(_SNIFF_BYTES)
        at_end = not f.read(1)
    try:
        # An incremental decoder: a character cut at the sniff boundary is fine.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=at_end)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def check_encoding(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise HubError(
            f"Unknown encoding {encoding!r}; use utf-8 or gb18030.",
            ErrorCode.VALIDATION_ERROR,
        ) from None
    return "utf-8-sig" if name == "utf-8" else name


def read_csv(
    path: Path, row_type: str | None = None, encoding: str | None = None
) -> Iterator[RawRow]:
    with path.open("rb") as binary:
        text = io.TextIOWrapper(
            binary, encoding=check_encoding(encoding or "utf-8"), newline=""
        )
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


def read_national(
    path: Path, fmt: NationalFormat, encoding: str | None = None
) -> Iterator[RawRow]:
    """Rows of a 双公示 CSV file mapped to ``record`` rows.

    A row that cannot be mapped (bad date, unknown 处罚类别, empty required
    column, bytes that are not text in the file's encoding) is quarantined
    with its original cells; a mapped row is kept as the record row, so
    ``quarantine resubmit`` can load it once its entity is registered.
    """
    enc = check_encoding(encoding) if encoding else detect_encoding(path)
    with path.open("rb") as binary:
        text = io.TextIOWrapper(binary, encoding=enc, errors="replace", newline="")
        reader = csv.reader(text)
        header = [normalise_header(h) for h in next(reader, [])]
        check_header(fmt, header)
        for cells in reader:
            line_no = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            row = {h: c.strip() for h, c in zip(header, cells, strict=False) if h}
            error: str | None = None
            data: Any = None
            if len(cells) > len(header):
                error = f"{len(cells) - len(header)} more cells than header columns"
            elif any("\ufffd" in c for c in cells):
                error = f"not {enc} text; pass --encoding with the file's encoding"
            else:
                try:
                    data = map_row(fmt, row)
                except ValueError as exc:
                    error = str(exc)
            kept = data if data is not None else {"format": fmt, **row}
            raw = json.dumps(kept, ensure_ascii=False, default=str)
            yield RawRow(
                line_no,
                raw,
                data,
                f"{fmt}: {error}" if error else None,
                "record",
                _tell(binary),
            )


def read_rows(
    path: Path,
    fmt: Format | None = None,
    row_type: str | None = None,
    encoding: str | None = None,
) -> Iterator[RawRow]:
    """Rows of ``path`` in file order, whatever the format."""
    fmt = fmt or guess_format(path)
    if fmt in NATIONAL_FORMATS:
        return read_national(path, fmt, encoding)
    if fmt == "csv":
        return read_csv(path, row_type, encoding)
    return read_jsonl(path)
