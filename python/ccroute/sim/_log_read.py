"""Reading a contact log's rows (:func:`ccroute.sim.logs.read_log`): each
value checked, each error naming its line and column."""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Optional, Union

from .logs import FIELDS, ContactLog, LogError, LoggedContact

__all__ = ["read"]

_CLOCK = re.compile(r"^\d+:\d{1,2}(:\d{1,2}(\.\d*)?)?$")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
Time = Union[float, datetime]
_TIMES = ("arrival", "answered", "ended", "abandoned")


class _Times:
    """Reads time cells, holding every time of a log to one kind (seconds
    or date-times, and date-times all with an offset or all without)."""

    def __init__(self, time_format: Optional[str]) -> None:
        if time_format is not None and not isinstance(time_format, str):
            raise TypeError(f"time_format must be None, 'seconds', 'iso' or a strptime format, got {time_format!r}")
        self.format = time_format
        self.kind: Optional[str] = None  # "seconds", "naive" or "aware"
        self.first: str = ""

    def read(self, value: Any, fail: Any) -> Optional[Time]:
        # None, NaN and pandas' NaT (which is a datetime and compares unequal
        # to itself) are missing values.
        if value is None or value != value:
            return None
        if isinstance(value, datetime):
            t: Time = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            t = float(value)
        elif isinstance(value, str):
            cell = value.strip()
            if not cell:
                return None
            t = self._parse(cell, fail)
        else:
            raise fail(f"cannot read {value!r} as a time")
        kind = "seconds" if isinstance(t, float) else ("naive" if t.tzinfo is None else "aware")
        if self.kind is None:
            self.kind, self.first = kind, str(value)
        elif kind != self.kind:
            what = {"seconds": "seconds", "naive": "a date-time without an offset",
                    "aware": "a date-time with an offset"}
            raise fail(f"{str(value)!r} is {what[kind]} but the log's first time {self.first!r} is {what[self.kind]}")
        if isinstance(t, float) and (not math.isfinite(t) or t < 0):
            raise fail(f"{str(value)!r} is not a finite, non-negative number of seconds")
        return t

    def _parse(self, cell: str, fail: Any) -> Time:
        fmt = self.format
        if fmt in (None, "seconds"):
            if _NUMBER.match(cell):
                return float(cell)
            if _CLOCK.match(cell):
                seconds = 0.0
                for part in cell.split(":"):
                    seconds = seconds * 60 + float(part)
                return seconds
            if fmt == "seconds":
                raise fail(f"cannot read {cell!r} as seconds (123.5 or H:MM:SS)")
        try:
            if fmt in (None, "iso"):
                return datetime.fromisoformat(cell)
            return datetime.strptime(cell, fmt)  # type: ignore[arg-type]
        except ValueError:
            expected = {None: "an ISO 8601 date-time or seconds", "iso": "an ISO 8601 date-time"}.get(
                fmt, f"a date-time in the format {fmt!r}")
            raise fail(f"cannot read {cell!r} as {expected}") from None


def _rows(path_or_rows: Any) -> tuple[str, list[str], Iterable[tuple[str, Mapping[str, Any]]]]:
    """(source name, column names, (location, row) pairs)."""
    if isinstance(path_or_rows, (str, os.PathLike)):
        path = os.fspath(path_or_rows)
        try:
            f = open(path, newline="", encoding="utf-8-sig")
        except OSError as exc:
            raise LogError(f"cannot read log {path!r}: {exc.strerror}") from None
        found: list[tuple[str, Mapping[str, Any]]] = []
        with f:
            reader = csv.DictReader(f)
            header = [c.strip() for c in (reader.fieldnames or [])]
            reader.fieldnames = header
            for row in reader:
                if any(v.strip() for v in row.values() if isinstance(v, str)):
                    found.append((f"{path} line {reader.line_num}", row))
        return path, header, found
    if hasattr(path_or_rows, "columns") and hasattr(path_or_rows, "to_dict"):  # a pandas DataFrame
        records = path_or_rows.to_dict("records")
        return "rows", [str(c) for c in path_or_rows.columns], [(f"rows[{i}]", r) for i, r in enumerate(records)]
    if isinstance(path_or_rows, Mapping) or not isinstance(path_or_rows, Iterable):
        raise TypeError(f"read_log takes a CSV file path or an iterable of rows (mappings), got {path_or_rows!r}")
    rows = list(path_or_rows)
    cols: list[str] = []
    for i, r in enumerate(rows):
        if not isinstance(r, Mapping):
            raise LogError(f"rows[{i}]: must be a mapping of column names to values, got {r!r}")
        cols.extend(k for k in r if k not in cols)
    return "rows", cols, [(f"rows[{i}]", r) for i, r in enumerate(rows)]


def _is_bank(path_or_rows: Any) -> bool:
    if not isinstance(path_or_rows, (str, os.PathLike)):
        return False
    try:
        with open(path_or_rows, encoding="utf-8") as f:
            return f.readline().startswith("vru+line\t")
    except (OSError, UnicodeDecodeError):
        return False


def read(path_or_rows: Any, columns: Optional[Mapping[str, str]], time_format: Optional[str]) -> ContactLog:
    if _is_bank(path_or_rows):
        from . import bank

        return bank.to_log(bank.read_calls(path_or_rows), name=os.path.basename(os.fspath(path_or_rows)))
    given = dict(columns or {})
    for k in given:
        if k not in FIELDS:
            raise LogError(f"columns: unknown field {k!r}; fields are {list(FIELDS)}")
    col = {f: given.get(f, f) for f in FIELDS}
    source, names, rows = _rows(path_or_rows)
    for f in ("arrival", *given):
        if col[f] not in names:
            raise LogError(f"{source}: no column {col[f]!r} for the {f} (columns: {names})")
    if col["type"] not in names and col["queue"] not in names:
        raise LogError(f"{source}: no column {col['type']!r} or {col['queue']!r}: give the contacts' type or queue "
                       f"(columns: {names})")
    present = {f for f in FIELDS if col[f] in names}
    times = _Times(time_format)
    parsed: list[tuple[str, dict[str, Any]]] = []
    ids: dict[str, str] = {}
    for where, row in rows:
        def fail(message: str, field: str = "", _w: str = where) -> LogError:
            return LogError(f"{_w}, column {col[field]!r}: {message}" if field else f"{_w}: {message}")

        rec: dict[str, Any] = {}
        for f in _TIMES:
            rec[f] = times.read(row.get(col[f]), lambda m, _f=f: fail(m, _f)) if f in present else None
        if rec["arrival"] is None:
            raise fail("is empty: every contact needs its arrival time", "arrival")
        for f in ("type", "queue", "channel", "agent", "id"):
            v = row.get(col[f]) if f in present else None
            rec[f] = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
        if not rec["type"] and not rec["queue"]:
            raise fail("is empty: every contact needs a type or a queue",
                       "type" if "type" in present else "queue")
        rec["type"] = rec["type"] or rec["queue"]
        rec["queue"] = rec["queue"] or rec["type"]
        rec["channel"] = rec["channel"] or "voice"
        rec["priority"] = _priority(row.get(col["priority"]) if "priority" in present else None, fail)
        _check_order(rec, row, col, fail)
        if rec["id"]:
            if rec["id"] in ids:
                raise fail(f"id {rec['id']!r} is used twice (first at {ids[rec['id']]})", "id")
            ids[rec["id"]] = where
        parsed.append((where, rec))
    if not parsed:
        raise LogError(f"{source}: the log has no contacts")
    origin = None
    if times.kind != "seconds":
        first = min(rec["arrival"] for _, rec in parsed)
        origin = first.replace(hour=0, minute=0, second=0, microsecond=0)
    contacts = [_contact(rec, origin) for _, rec in parsed]
    return ContactLog(contacts, origin=origin, name=os.path.basename(source) if source != "rows" else "rows")


def _priority(v: Any, fail: Any) -> int:
    if v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()):
        return 0
    try:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return int(str(v).strip())
    except ValueError:
        raise fail(f"cannot read {v!r} as an integer priority", "priority") from None


def _check_order(rec: dict[str, Any], row: Mapping[str, Any], col: dict[str, str], fail: Any) -> None:
    def shown(f: str) -> str:
        return repr(str(row.get(col[f])).strip())

    arrival, answered, ended, abandoned = (rec[f] for f in _TIMES)
    if answered is not None and answered < arrival:
        raise fail(f"{shown('answered')} is before the arrival {shown('arrival')}", "answered")
    if abandoned is not None and answered is not None:
        raise fail(f"the contact was answered at {shown('answered')} and cannot also be abandoned", "abandoned")
    if abandoned is not None and abandoned < arrival:
        raise fail(f"{shown('abandoned')} is before the arrival {shown('arrival')}", "abandoned")
    if ended is not None:
        if answered is None and abandoned is None:
            raise fail(f"an end time {shown('ended')} without an answer time (a contact that left unanswered "
                       "has an abandon time)", "ended")
        if answered is not None and ended < answered:
            raise fail(f"{shown('ended')} is before the answer time {shown('answered')}", "ended")
        if answered is None:
            rec["ended"] = None  # an abandoned contact's end is its abandonment


def _contact(rec: dict[str, Any], origin: Optional[datetime]) -> LoggedContact:
    def s(t: Optional[Time]) -> Optional[float]:
        if t is None:
            return None
        if isinstance(t, datetime):
            assert origin is not None
            return (t - origin) / timedelta(seconds=1)
        return float(t)

    return LoggedContact(
        arrival=s(rec["arrival"]),  # type: ignore[arg-type]
        type=rec["type"], queue=rec["queue"], channel=rec["channel"],
        answered=s(rec["answered"]), ended=s(rec["ended"]), abandoned=s(rec["abandoned"]),
        agent=rec["agent"] or None, priority=rec["priority"], id=rec["id"],
    )

