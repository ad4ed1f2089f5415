"""Helpers of the plug-in policy tests (test_plugin_policies.py,
test_plugin_failures.py): a router over voice, chat and email with the
given policy, contacts on queue ``"q"``, and who got what."""

from __future__ import annotations

import ccroute as cc
from conftest import CHAT, EMAIL, VOICE

#: The logger plug-in failures are reported on.
LOGGER = "ccroute.policy"


def new_router(policy, queues=("q",), **kwargs) -> cc.Router:
    return cc.Router(
        channels=[VOICE, CHAT, EMAIL], queues=[cc.Queue(q) for q in queues], policy=policy, **kwargs
    )


def assigned(events: list) -> list[tuple[str, str]]:
    return [(e.contact, e.agent) for e in events if isinstance(e, cc.Assigned)]


def agent_of(events: list) -> str:
    got = assigned(events)
    assert len(got) == 1, events
    return got[0][1]


def chat(cid: str, queue: str = "q", **kwargs) -> cc.Contact:
    return cc.Contact(cid, channel="chat", queue=queue, **kwargs)


def voice(cid: str, queue: str = "q", **kwargs) -> cc.Contact:
    return cc.Contact(cid, channel="voice", queue=queue, **kwargs)
