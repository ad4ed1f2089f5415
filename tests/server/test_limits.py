"""Documented size limits (refused with INVALID_ARGUMENT naming the limit,
nothing stored), a message over the transport limit named in
``ccroute-error``, and credentials never echoed in an error."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest

import ccroute as cc
from ccroute.client import MessageTooLarge
from ccroute.server import ServiceLimits
from ccroute.v1 import model_pb2, router_pb2, router_pb2_grpc

from .conftest import Running

Start = Callable[..., Running]


def refused(fn: Callable[[], object]) -> str:
    with pytest.raises(cc.InvalidInput) as err:
        fn()
    return str(err.value)


def test_oversized_contacts_and_agents_are_refused_naming_the_limit(start_server: Start) -> None:
    srv = start_server()
    client = srv.client()
    big_id = "x" * 1_000_000
    assert "max_id_length 256" in refused(lambda: client.submit(cc.Contact(big_id, "chat", "support")))
    assert "max_attribute_bytes 4096" in refused(lambda: client.submit(
        cc.Contact("c1", "chat", "support", attributes={"blob": "y" * 5_000_000})))
    assert "max_attributes 64" in refused(lambda: client.submit(
        cc.Contact("c2", "chat", "support", attributes={f"k{i}": i for i in range(65)})))
    assert "max_requirements 64" in refused(lambda: client.submit(
        cc.Contact("c3", "chat", "support", requires={f"s{i}": 1 for i in range(40)},
                   prefers={f"p{i}": 1 for i in range(30)})))
    assert "max_steps 16" in refused(lambda: client.submit(
        cc.Contact("c4", "chat", "support", steps=[cc.Step(float(i)) for i in range(17)])))
    assert "max_id_length 256" in refused(lambda: client.submit_many(
        [cc.Contact("ok", "chat", "support"), cc.Contact("c5", "chat", "support", customer=big_id)]))
    assert "max_id_length 256" in refused(lambda: client.add_agent(cc.Agent(big_id)))
    assert "max_attribute_bytes 4096" in refused(lambda: client.upsert_agent(
        cc.Agent("a1", attributes={"note": "z" * 5000})))
    status = client.status()
    assert (status.live_contacts, status.last_sequence, client.agent_ids()) == (0, 0, [])
    with pytest.raises(cc.UnknownId):
        client.contact("ok")  # the whole batch was refused


def test_limits_are_configurable(start_server: Start) -> None:
    srv = start_server(limits=ServiceLimits(max_id_length=8))
    client = srv.client()
    client.submit(cc.Contact("12345678", "chat", "support"))
    assert "max_id_length 8" in refused(lambda: client.submit(cc.Contact("123456789", "chat", "support")))


def test_a_request_over_the_message_limit_is_named(start_server: Start) -> None:
    srv = start_server(limits=ServiceLimits(max_message_bytes=1024 * 1024))
    raw = router_pb2_grpc.RouterStub(grpc.insecure_channel(
        srv.target, options=[("grpc.max_send_message_length", 64 * 1024 * 1024)]))
    huge = router_pb2.SubmitContactRequest(contact=model_pb2.Contact(id="c", channel="chat", queue="support"))
    huge.contact.attributes["blob"].string_value = "x" * (2 * 1024 * 1024)
    with pytest.raises(grpc.RpcError) as err:
        raw.SubmitContact(huge)
    assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert ("ccroute-error", "MessageTooLarge") in err.value.trailing_metadata()
    client = srv.client(options=[("grpc.max_send_message_length", 64 * 1024 * 1024)])
    with pytest.raises(MessageTooLarge):
        client.submit(cc.Contact("c", "chat", "support", attributes={"blob": "x" * (2 * 1024 * 1024)}))


def test_a_malformed_authorization_header_is_not_echoed(start_server: Start) -> None:
    srv = start_server(tokens=[b"s3cret-token-value"])
    raw = router_pb2_grpc.RouterStub(grpc.insecure_channel(srv.target))
    for header in ("s3cret-token-value", "Basic s3cret-token-value", "Bearer"):
        with pytest.raises(grpc.RpcError) as err:
            raw.GetStatus(router_pb2.GetStatusRequest(), metadata=[("authorization", header)])
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert "s3cret" not in err.value.details() and "Basic" not in err.value.details(), err.value.details()
