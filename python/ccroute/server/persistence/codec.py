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

from ..._ccroute import Agent, Channel, Contact, Queue, Step
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
FORMAT = 2

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
    """Settings as a JSON-able dict."""
    return {
        "channels": [[c.name, c.cost, c.max_per_agent, c.wrap_up] for c in s.channels],
        "queues": [
            {"name": q.name, "sl_target": q.sl_target, "sl_threshold": q.sl_threshold,
             "ordering": q.ordering, "aging_rate": q.aging_rate, "aging_max": q.aging_max,
             "max_waiting": q.max_waiting, "overflow_to": q.overflow_to,
             "overflow_after": q.overflow_after}
            for q in s.queues
        ],
        "policy": s.policy,
        "offer_timeout": s.offer_timeout,
        "seed": s.seed,
        "affinity": s.affinity,
        "affinity_wait": s.affinity_wait,
        "retain_finished": s.retain_finished,
        "missed_offer_state": s.missed_offer_state,
        "exclusion_expires_after": s.exclusion_expires_after,
    }


def decode_settings(d: dict[str, Any]) -> RouterSettings:
    """The inverse of :func:`encode_settings`."""
    channels = tuple(Channel(n, cost=c, max_per_agent=m, wrap_up=w) for n, c, m, w in d["channels"])
    queues = tuple(Queue(q.pop("name"), **{k: v for k, v in q.items() if v is not None})
                   for q in (dict(x) for x in d["queues"]))
    rest = {k: v for k, v in d.items() if k not in ("channels", "queues")}
    return RouterSettings(channels=channels, queues=queues, **rest)


def settings_difference(stored: RouterSettings, given: RouterSettings) -> list[str]:
    """What differs between two configurations, one line per difference
    (``policy: stored 'longest_idle', given 'most_skilled'``); empty when
    they are the same. Queues and channels are matched by name."""
    a, b = encode_settings(stored), encode_settings(given)
    out: list[str] = []
    for key in a:
        if key in ("channels", "queues"):
            continue
        if a[key] != b[key]:
            out.append(f"{key}: stored {a[key]!r}, given {b[key]!r}")
    fields = ("name", "cost", "max_per_agent", "wrap_up")
    _named(out, "channel", {c[0]: dict(zip(fields, c)) for c in a["channels"]},
           {c[0]: dict(zip(fields, c)) for c in b["channels"]})
    _named(out, "queue", {q["name"]: q for q in a["queues"]}, {q["name"]: q for q in b["queues"]})
    if not out and (a["channels"] != b["channels"] or a["queues"] != b["queues"]):
        out.append("the order of the channels or queues differs")
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
def _agent(a: Agent) -> list[Any]:
    return [a.id, a.skills, a.capacity, a.channels, a.state, a.attributes, a.routing_profile]


def _agent_from(v: list[Any]) -> Agent:
    id_, skills, capacity, channels, state, attributes, profile = v
    return Agent(id_, skills=skills, capacity=capacity, channels=channels, state=state,
                 attributes=attributes, routing_profile=profile)


def _contact(c: Contact) -> Any:
    d: dict[str, Any] = {"i": c.id, "c": c.channel, "q": c.queue}
    if c.priority:
        d["p"] = c.priority
    if c.requires:
        d["r"] = c.requires
    if c.prefers:
        d["f"] = c.prefers
    if c.customer is not None:
        d["u"] = c.customer
    if c.preferred_agent is not None:
        d["a"] = c.preferred_agent
    if c.preferred_wait:
        d["w"] = c.preferred_wait
    if c.steps:
        d["s"] = [[s.after, s.requires, s.when] for s in c.steps]
    if c.attributes:
        d["x"] = c.attributes
    return d


def _contact_from(d: dict[str, Any]) -> Contact:
    kw: dict[str, Any] = {}
    if "r" in d:
        kw["requires"] = d["r"]
    if "f" in d:
        kw["prefers"] = d["f"]
    if "u" in d:
        kw["customer"] = d["u"]
    if "a" in d:
        kw["preferred_agent"] = d["a"]
    if "w" in d:
        kw["preferred_wait"] = d["w"]
    if "s" in d:
        kw["steps"] = [Step(after, requires, when) for after, requires, when in d["s"]]
    if "x" in d:
        kw["attributes"] = d["x"]
    return Contact(d["i"], d["c"], d["q"], d.get("p", 0), **kw)


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
    if t is cmd.UpsertAgent:
        fields = c.fields  # type: ignore[union-attr]
        return ["U", _agent(c.agent), c.create_only, c.keep_state,  # type: ignore[union-attr]
                sorted(fields) if fields is not None else None]
    if t is cmd.Idempotent:
        return ["K", c.key, encode_fingerprint(c.fingerprint), _encode(c.command)]  # type: ignore[union-attr]
    if t is cmd.RemoveAgent:
        return ["R", c.agent_id]  # type: ignore[union-attr]
    if t is cmd.Configure:
        return ["C", encode_settings(c.settings)]  # type: ignore[union-attr]
    raise TypeError(f"command {t.__name__} cannot be logged")


def _decode(v: list[Any]) -> cmd.Command:
    k = v[0]
    if k == "S":
        return cmd.Submit(tuple(_contact_from(d) for d in v[1]), v[2], v[3], decode_fingerprint(v[4]))
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
    if k == "U":
        fields = v[4] if len(v) > 4 else None
        return cmd.UpsertAgent(_agent_from(v[1]), v[2], bool(v[3]) if len(v) > 3 else False,
                               frozenset(fields) if fields is not None else None)
    if k == "K":
        return cmd.Idempotent(_decode(v[3]), v[1], decode_fingerprint(v[2]))
    if k == "R":
        return cmd.RemoveAgent(v[1])
    if k == "C":
        return cmd.Configure(decode_settings(v[1]))
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
