"""Encoding of what the durable log stores: commands, settings, the
service's own state beside the router snapshot. Plain JSON (floats keep
their exact value through ``repr``), so a log entry can be read by any
tool; the router itself is the engine's versioned binary snapshot (which
carries its own length and CRC-32). Each log entry starts with the CRC-32
of its JSON text (8 hex digits and a space): a damaged entry is refused on
replay, naming it, instead of replaying something else.

Only mutating commands are encoded (``Query`` never reaches a log).
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Hashable, Sequence
from typing import Any, Optional

from ..._ccroute import Agent, Contact
from ...errors import SnapshotError
from .. import commands as cmd
from ..config import RouterSettings
from ..events import EventRecord

__all__ = [
    "FORMAT",
    "encode_commands",
    "decode_commands",
    "encode_settings",
    "decode_settings",
    "settings_difference",
    "encode_fingerprint",
    "decode_fingerprint",
    "encode_record",
    "decode_record",
    "check_format",
]

#: Version of the log entries and of the service part of a snapshot.
FORMAT = 3

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def check_format(found: Any, what: str) -> None:
    """Refuse data written in another format version, naming both."""
    if found != FORMAT:
        raise SnapshotError(
            f"{what} is in format version {found!r}, this server reads version {FORMAT}; "
            "use the ccroute version that wrote it (or start from an empty Redis database)"
        )


# -- configuration ---------------------------------------------------------
def encode_settings(s: RouterSettings) -> dict[str, Any]:
    """Settings as a JSON-able dict: the core record, every field."""
    return s.to_dict()


def decode_settings(d: dict[str, Any]) -> RouterSettings:
    """The inverse of :func:`encode_settings`."""
    return RouterSettings.from_dict(d)


def settings_difference(stored: RouterSettings, given: RouterSettings) -> list[str]:
    """What differs between two configurations, one line per difference
    (``policy: stored 'longest_idle', given 'most_skilled'``); empty when
    they are the same. Channels, queues and routing profiles are matched
    by name."""
    a, b = encode_settings(stored), encode_settings(given)
    out: list[str] = []
    named = {"channels": "channel", "queues": "queue", "routing_profiles": "routing profile"}
    for key in a:
        if key in named:
            _named(out, named[key], {x["name"]: x for x in a[key]}, {x["name"]: x for x in b[key]})
        elif a[key] != b[key]:
            out.append(f"{key}: stored {a[key]!r}, given {b[key]!r}")
    if not out and a != b:
        out.append("the order of the channels, queues or routing profiles differs")
    return out


def _named(out: list[str], what: str, a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> None:
    for name in a:
        if name not in b:
            out.append(f"{what} {name!r}: stored, not in the given configuration")
            continue
        for k, v in a[name].items():
            if b[name].get(k) != v:
                out.append(f"{what} {name!r} {k}: stored {v!r}, given {b[name].get(k)!r}")
    for name in b:
        if name not in a:
            out.append(f"{what} {name!r}: in the given configuration, not stored")


# -- inputs ------------------------------------------------------------------
# Records in the core's plain-data form; a contact leaves out the fields at
# their defaults (the log's bulk), which ``Contact.from_dict`` fills back.
_CONTACT_DEFAULTS = {k: v for k, v in Contact("-", "-", "-").to_dict().items() if k not in ("id", "channel", "queue")}


def _contact(c: Contact) -> dict[str, Any]:
    d = c.to_dict()
    for k, v in _CONTACT_DEFAULTS.items():
        if d[k] == v:
            del d[k]
    return d


def encode_fingerprint(fp: Optional[Hashable]) -> Any:
    """A request fingerprint as JSON: bytes, str, int, bool, None and tuples
    of them survive exactly; anything else is kept by its ``repr``."""
    if fp is None or isinstance(fp, (str, int, float)):
        return fp
    if isinstance(fp, bytes):
        return {"b": base64.b64encode(fp).decode()}
    if isinstance(fp, tuple):
        return {"t": [encode_fingerprint(x) for x in fp]}
    return {"r": repr(fp)}


def decode_fingerprint(v: Any) -> Optional[Hashable]:
    """The inverse of :func:`encode_fingerprint`."""
    if isinstance(v, dict):
        if "b" in v:
            return base64.b64decode(v["b"])
        if "t" in v:
            return tuple(decode_fingerprint(x) for x in v["t"])
        return v["r"]  # type: ignore[no-any-return]
    return v  # type: ignore[no-any-return]


# -- commands ------------------------------------------------------------------
def _encode(c: cmd.Command) -> list[Any]:
    t = type(c)
    if t is cmd.Submit:
        return ["S", [_contact(x) for x in c.contacts], c.batch, c.idempotency_key,  # type: ignore[union-attr]
                encode_fingerprint(c.fingerprint)]  # type: ignore[union-attr]
    if t is cmd.Complete:
        return ["D", c.contact_id]  # type: ignore[union-attr]
    if t is cmd.Advance:
        return ["V"]
    if t is cmd.SetAgentState:
        if c.reason:  # type: ignore[union-attr]
            return ["T", c.agent_id, c.state, c.reason]  # type: ignore[union-attr]
        return ["T", c.agent_id, c.state]  # type: ignore[union-attr]
    if t is cmd.Accept:
        return ["A", c.contact_id, c.agent_id]  # type: ignore[union-attr]
    if t is cmd.Reject:
        return ["J", c.contact_id, c.agent_id]  # type: ignore[union-attr]
    if t is cmd.Cancel:
        return ["X", c.contact_id]  # type: ignore[union-attr]
    if t is cmd.Pause:
        return ["Z", c.contact_id]  # type: ignore[union-attr]
    if t is cmd.Resume:
        return ["Y", c.contact_id]  # type: ignore[union-attr]
    if t is cmd.UpdateContact:
        return ["P", c.contact_id, dict(c.update)]  # type: ignore[union-attr]
    if t is cmd.Transfer:
        return ["F", c.contact_id, dict(c.spec)]  # type: ignore[union-attr]
    if t is cmd.CallbackResult:
        return ["B", c.contact_id, c.outcome]  # type: ignore[union-attr]
    if t is cmd.UpsertAgent:
        fields = c.fields  # type: ignore[union-attr]
        return ["U", c.agent.to_dict(), c.create_only, c.keep_state,  # type: ignore[union-attr]
                sorted(fields) if fields is not None else None]
    if t is cmd.At:
        return ["@", c.now, _encode(c.command), c.wall]  # type: ignore[union-attr]
    if t is cmd.Idempotent:
        return ["K", c.key, encode_fingerprint(c.fingerprint), _encode(c.command)]  # type: ignore[union-attr]
    if t is cmd.RemoveAgent:
        return ["R", c.agent_id]  # type: ignore[union-attr]
    if t is cmd.Configure:
        moves = [list(m) for m in c.moves]  # type: ignore[union-attr]
        return ["C", encode_settings(c.settings), moves] if moves else ["C", encode_settings(c.settings)]  # type: ignore[union-attr]
    raise TypeError(f"command {t.__name__} cannot be logged")


def _decode(v: list[Any]) -> cmd.Command:
    k = v[0]
    if k == "S":
        return cmd.Submit(tuple(Contact.from_dict(d) for d in v[1]), v[2], v[3], decode_fingerprint(v[4]))
    if k == "D":
        return cmd.Complete(v[1])
    if k == "V":
        return cmd.Advance()
    if k == "T":
        return cmd.SetAgentState(v[1], v[2], v[3] if len(v) > 3 else "")
    if k == "A":
        return cmd.Accept(v[1], v[2])
    if k == "J":
        return cmd.Reject(v[1], v[2])
    if k == "X":
        return cmd.Cancel(v[1])
    if k == "Z":
        return cmd.Pause(v[1])
    if k == "Y":
        return cmd.Resume(v[1])
    if k == "P":
        return cmd.UpdateContact(v[1], v[2])
    if k == "F":
        return cmd.Transfer(v[1], v[2])
    if k == "B":
        return cmd.CallbackResult(v[1], v[2])
    if k == "U":
        fields = v[4] if len(v) > 4 else None
        return cmd.UpsertAgent(Agent.from_dict(v[1]), v[2], bool(v[3]) if len(v) > 3 else False,
                               frozenset(fields) if fields is not None else None)
    if k == "@":
        return cmd.At(_decode(v[2]), float(v[1]), float(v[3]) if len(v) > 3 else 0.0)
    if k == "K":
        return cmd.Idempotent(_decode(v[3]), v[1], decode_fingerprint(v[2]))
    if k == "R":
        return cmd.RemoveAgent(v[1])
    if k == "C":
        return cmd.Configure(decode_settings(v[1]), tuple((a, b) for a, b in v[2]) if len(v) > 2 else ())
    raise SnapshotError(f"log entry holds an unknown command kind {k!r} (written by a newer server?)")


def encode_commands(commands: Sequence[cmd.Command]) -> str:
    """One round's commands as a JSON text behind its CRC-32."""
    text = _dumps([_encode(c) for c in commands])
    return f"{zlib.crc32(text.encode()):08x} {text}"


def decode_commands(text: bytes | str) -> list[cmd.Command]:
    """The inverse of :func:`encode_commands`. ``SnapshotError`` when the
    checksum is missing or does not match, or the text does not decode."""
    raw = text if isinstance(text, bytes) else text.encode()
    head, sep, body = raw.partition(b" ")
    try:
        recorded = int(head, 16) if sep and len(head) == 8 else None
    except ValueError:
        recorded = None
    if recorded is None:
        raise SnapshotError(f"log entry has no checksum (starts {raw[:12]!r}): damaged, or written by another version")
    actual = zlib.crc32(body)
    if actual != recorded:
        raise SnapshotError(f"log entry is damaged: checksum {actual:08x} does not match the recorded {recorded:08x}")
    try:
        return [_decode(v) for v in json.loads(body)]
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise SnapshotError(f"log entry does not decode: {exc}") from None


# -- event records (stored idempotent replies) -------------------------------------
def encode_record(r: EventRecord) -> str:
    """An event record as base64 protobuf (the protocol's own event form)."""
    from .. import wire

    return base64.b64encode(wire.event_to_pb(r).SerializeToString()).decode()


def decode_record(text: str) -> EventRecord:
    """The inverse of :func:`encode_record`."""
    from ...v1 import events_pb2
    from .. import wire

    pb = events_pb2.Event.FromString(base64.b64decode(text))
    seq, event = wire.event_from_pb(pb)
    return EventRecord(seq, event, pb.wall_time)
