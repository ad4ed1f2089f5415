"""The Rust gRPC front end's own duties: what never reaches the servicer
(unknown methods, unreadable requests, the call limit, TLS material, the
port) and ``ccroute serve``'s garbage-collection policy."""

from __future__ import annotations

import gc
import socket
import threading

import grpc
import pytest

import ccroute as cc
from ccroute.server import RouterService, ServiceLimits, create_server
from ccroute.server.app import FullCollections
from ccroute.v1 import router_pb2, router_pb2_grpc

from .conftest import Running, settings
from .test_service import SlowLog, wait_until


def _raw_call(target: str, method: str, payload: bytes) -> grpc.RpcError:
    with grpc.insecure_channel(target) as ch:
        call = ch.unary_unary(method, request_serializer=None, response_deserializer=None)
        with pytest.raises(grpc.RpcError) as info:
            call(payload, timeout=5)
    return info.value


def test_an_unknown_method_is_unimplemented_and_names_it(start_server: object) -> None:
    srv: Running = start_server()  # type: ignore[operator]
    err = _raw_call(srv.target, "/ccroute.v1.Router/Teleport", b"")
    assert err.code() == grpc.StatusCode.UNIMPLEMENTED and "Teleport" in err.details()
    err = _raw_call(srv.target, "/ccroute.v9.Elsewhere/Get", b"")
    assert err.code() == grpc.StatusCode.UNIMPLEMENTED


def test_an_unreadable_request_is_invalid_argument_naming_the_message(start_server: object) -> None:
    srv: Running = start_server()  # type: ignore[operator]
    err = _raw_call(srv.target, "/ccroute.v1.Router/SubmitContact", b"\xff\xff\xff")
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "ccroute.v1.SubmitContactRequest" in err.details()
    assert dict(err.trailing_metadata())["ccroute-error"] == "InvalidInput"  # type: ignore[attr-defined]
    # nothing was created, and the server answers normally afterwards
    assert srv.client().status().live_contacts == 0


def test_calls_past_the_limit_are_refused_at_once_and_the_slot_comes_back(start_server: object) -> None:
    log = SlowLog(delay=0.5)
    srv: Running = start_server(limits=ServiceLimits(max_concurrent_rpcs=1), command_log=log)  # type: ignore[operator]
    client = srv.client(retries=0)
    done: list[object] = []
    slow = threading.Thread(target=lambda: done.append(client.add_agent(cc.Agent("a1"))))
    slow.start()
    wait_until(lambda: log.entering == 1)
    with grpc.insecure_channel(srv.target) as ch:
        with pytest.raises(grpc.RpcError) as info:
            router_pb2_grpc.RouterStub(ch).GetStatus(router_pb2.GetStatusRequest(), timeout=5)
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "limit 1" in info.value.details()
    slow.join()
    assert done == [[]]
    assert client.agent("a1").id == "a1"  # the slot was given back


def test_bad_tls_material_fails_at_creation_with_a_clear_error() -> None:
    service = RouterService(settings())
    with pytest.raises(ValueError, match="TLS certificate or key"):
        create_server("127.0.0.1:0", service, tls_cert=b"not a certificate", tls_key=b"not a key")
    with pytest.raises(ValueError, match="both a certificate and a key"):
        create_server("127.0.0.1:0", service, tls_cert=b"x")


def test_a_port_in_use_is_an_error_naming_the_address() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}"):
            create_server(f"127.0.0.1:{port}", RouterService(settings()))


def test_reflection_v1_is_served_too(start_server: object) -> None:
    # v1 and v1alpha messages are the same on the wire; only the path differs
    from grpc_reflection.v1alpha import reflection_pb2 as msgs

    srv: Running = start_server()  # type: ignore[operator]
    with grpc.insecure_channel(srv.target) as ch:
        info = ch.stream_stream("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                                request_serializer=msgs.ServerReflectionRequest.SerializeToString,
                                response_deserializer=msgs.ServerReflectionResponse.FromString)
        replies = list(info(iter([msgs.ServerReflectionRequest(list_services="")]), timeout=5))
    names = {s.name for s in replies[0].list_services_response.service}
    assert {"ccroute.v1.Router", "grpc.health.v1.Health"} <= names


def test_full_collections_policy_freezes_and_restores() -> None:
    before = gc.get_threshold()
    policy = FullCollections(every=3600).start()
    try:
        assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > 10**9
        assert gc.get_freeze_count() > 0
    finally:
        policy.stop()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
