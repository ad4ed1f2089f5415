"""The logs of ``ccroute serve``: text (the default) or JSON, one line per
record on stderr, through the standard :mod:`logging` module.

A record that matters to an operator carries a short snake_case ``event``
name and its fields; :func:`event` logs one. In JSON each line is one
object: ``ts`` (ISO 8601, UTC), ``level``, ``logger``, ``event``, ``msg``
and the fields. Records without an event (library warnings, ...) get
``event: "log"``. No library: ``python-json-logger`` and ``structlog`` are
not among the dependencies, and a formatter is twenty lines.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

__all__ = ["JsonFormatter", "TEXT_FORMAT", "configure", "event"]

#: The text format (as before ``--log-format``).
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", "log"),
            "msg": record.getMessage(),
        }
        for key, value in getattr(record, "fields", {}).items():
            out.setdefault(key, value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure(log_format: str = "text", level: int = logging.INFO) -> None:
    """Send the root logger's records to stderr in ``log_format``
    (``"text"`` or ``"json"``), replacing its handlers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level)


def event(logger: logging.Logger, level: int, name: str, msg: str, **fields: Any) -> None:
    """Log ``msg`` as event ``name`` with ``fields`` (JSON keys; the text
    format shows only ``msg``, so put what matters in it too)."""
    logger.log(level, msg, extra={"event": name, "fields": fields})
