"""The JSON API (``/v1/`` on the HTTP server) against a real server on
loopback, with plain HTTP clients only: the same calls, tokens, errors and
events as gRPC, server-sent events, NDJSON streams and the OpenAPI
document."""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

import pytest

from ccroute.errors import InvalidInput
from ccroute.server import Grant, ManualClock, RouterService, ServiceLimits, TokenTable, create_server
from ccroute.server.http import JsonApi, Metrics, Monitor, json_api
from ccroute.server.http.openapi import openapi_document, proto_comments
from ccroute.v1 import router_pb2

from .conftest import settings

ROUTER = router_pb2.DESCRIPTOR.services_by_name["Router"]
TABLE = TokenTable.from_tokens({
    "admin-t": Grant("admin", "*"),
    "service-t": Grant("service", "default"),
    "observer-t": Grant("observer", "default"),
})
#: A small message limit, so that 413 is cheap to reach.
LIMIT = 8192
SUBMIT = {"contact": {"id": "c1", "channel": "voice", "queue": "sales"}}


@dataclass
class Api:
    url: str
    service: RouterService
    monitor: Monitor

    def call(self, method: str, body: Any = None, *, token: Optional[str] = "service-t", verb: str = "POST",
             raw: Optional[bytes] = None, headers: Optional[dict[str, str]] = None) -> tuple[int, Any, Any]:
        """``(status, headers, JSON body)`` of one request to ``/v1/<method>``."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(f"{self.url}/v1/{method}", data=data, method=verb, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, r.headers, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, json.loads(exc.read())

    def ok(self, method: str, body: Any = None, **kwargs: Any) -> Any:
        status, _, reply = self.call(method, body, **kwargs)
        assert status == 200, reply
        return reply

    def error(self, method: str, body: Any = None, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        status, headers, reply = self.call(method, body, **kwargs)
        error = reply["error"]
        assert error["code"] == status and headers.get("ccroute-error") == error.get("name")
        return status, error

    def open(self, path: str, headers: Optional[dict[str, str]] = None) -> Any:
        request = urllib.request.Request(self.url + path, headers=headers or {})
        return urllib.request.urlopen(request, timeout=10)

    def state(self) -> tuple[Any, ...]:
        """What a refused call must leave as it was."""
        return (self.ok("GetStatus", {}, token="observer-t"), self.ok("ListAgents", token="observer-t"),
                self.service.query(lambda e: e.router.snapshot()))


@pytest.fixture
def api() -> Iterator[Api]:
    metrics = Metrics()
    service = RouterService(settings(), clock=ManualClock(), observer=metrics)
    server, _ = create_server("127.0.0.1:0", service, tokens=TABLE, rpc_observer=metrics)
    server.start()
    monitor = Monitor(service, metrics, api=JsonApi(server.dispatcher, ServiceLimits(max_message_bytes=LIMIT))).start()
    try:
        yield Api(monitor.url, service, monitor)
    finally:
        monitor.stop()
        server.stop(grace=0)


def sse(response: Any, count: int) -> list[dict[str, str]]:
    """The next ``count`` server-sent events (comments skipped)."""
    out: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    while len(out) < count:
        line = response.readline().decode()
        assert line, f"the stream ended after {out}"
        line = line.rstrip("\n")
        if not line:
            if "data" in fields:
                out.append(fields)
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            fields[name] = value
    return out


# -- calls -------------------------------------------------------------------------
def test_a_contact_life_over_json(api: Api) -> None:
    added = api.ok("UpsertAgent", {"agent": {"id": "a1", "skills": {"en": 5}}})
    assert added == {}  # proto3 JSON leaves defaults out: replaced false, no routing events
    first = api.ok("SubmitContact", SUBMIT, headers={"Idempotency-Key": "k1"})
    assigned = first["events"][0]
    assert assigned["assigned"] == {"contact": "c1", "agent": "a1", "queue": "sales", "channel": "voice"}
    assert isinstance(assigned["sequence"], str)  # uint64 as a string
    assert "replayed" not in first
    # The retry with the same key (in the header or the body) is answered the stored reply.
    again = api.ok("SubmitContact", SUBMIT, headers={"Idempotency-Key": "k1"})
    assert again == {**first, "replayed": True}
    assert api.ok("SubmitContact", {**SUBMIT, "idempotencyKey": "k1"}) == again
    contact = api.ok("GetContact", {"contactId": "c1"}, token="observer-t")["contact"]
    assert (contact["status"], contact["agent"], contact["version"]) == ("CONTACT_STATUS_ASSIGNED", "a1", "1")
    assert api.ok("GetContact", {"contact_id": "c1"}, token="observer-t")["contact"] == contact  # proto names too
    completed = api.ok("CompleteContact", {"contactId": "c1"})["events"]
    assert [e["completed"]["contact"] for e in completed] == ["c1"]
    sales = api.ok("GetQueueStats", {"queues": ["sales"]}, token="observer-t")["queues"]
    assert [(q["name"], q["answered"], q["completed"]) for q in sales] == [("sales", "1", "1")]
    status = api.ok("GetStatus", raw=b"", token="observer-t")  # an empty body is an empty request
    assert status["lastSequence"] == completed[-1]["sequence"] and status["agents"]["available"] == "1"
    # Each call went through the dispatcher: counted as a gRPC call is.
    with api.open("/metrics", {"Authorization": "Bearer observer-t"}) as r:
        metrics = r.read().decode()
    assert 'grpc_method="SubmitContact"' in metrics and 'grpc_method="GetQueueStats"' in metrics


def test_a_connection_serves_several_calls(api: Api) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", api.monitor.port, timeout=10)
    try:
        for _ in range(2):
            connection.request("POST", "/v1/GetStatus", body=b"{}", headers={"Authorization": "Bearer observer-t"})
            response = connection.getresponse()
            assert response.status == 200 and "lastSequence" not in json.loads(response.read())
        # A chunked body is read as well.
        connection.request("POST", "/v1/GetContact", body=iter([b'{"contact', b'Id": "nope"}']), encode_chunked=True,
                           headers={"Authorization": "Bearer observer-t", "Transfer-Encoding": "chunked"})
        response = connection.getresponse()
        assert response.status == 404 and json.loads(response.read())["error"]["name"] == "UnknownId"
    finally:
        connection.close()


# -- errors --------------------------------------------------------------------------
def test_each_error_answers_its_status_and_class(api: Api) -> None:
    api.ok("UpsertAgent", {"agent": {"id": "a1"}})
    before = api.state()
    cases: list[tuple[str, Any, dict[str, Any], int, str, Optional[str], str]] = [
        # method, body, request options, status, gRPC code, class, in the message
        ("SubmitContact", None, {"raw": b"{not json"}, 400, "INVALID_ARGUMENT", "InvalidInput",
         "SubmitContact: the body is not JSON (Expecting property name enclosed in double quotes"),
        ("SubmitContact", [1], {}, 400, "INVALID_ARGUMENT", "InvalidInput", "must be a JSON object "
         "(a ccroute.v1.SubmitContactRequest), not list [1]"),
        ("GetContact", {"contactid": "c1"}, {}, 400, "INVALID_ARGUMENT", "InvalidInput",
         'no field named "contactid"'),
        ("UpsertAgent", {"agent": {"id": "a2", "state": "BUSY"}}, {}, 400, "INVALID_ARGUMENT", "InvalidInput",
         "Invalid enum value BUSY for enum type ccroute.v1.AgentState"),
        ("SubmitContact", {"contact": {"id": "c2", "channel": "fax", "queue": "sales"}}, {}, 400, "INVALID_ARGUMENT",
         "InvalidInput", "fax"),
        ("GetContact", {"contactId": "c9"}, {"token": "observer-t"}, 404, "NOT_FOUND", "UnknownId", "c9"),
        ("UpsertAgent", {"agent": {"id": "a1"}, "createOnly": True}, {}, 409, "ALREADY_EXISTS", "DuplicateId", "a1"),
        ("GetStatus", {}, {"token": None}, 401, "UNAUTHENTICATED", "Unauthenticated",
         "missing token: send 'authorization: Bearer <token>' (gRPC metadata, or an HTTP header)"),
        ("GetStatus", {}, {"token": "nope"}, 401, "UNAUTHENTICATED", "Unauthenticated", "invalid bearer token"),
        ("RemoveAgent", {"agentId": "a1"}, {"token": "observer-t"}, 403, "PERMISSION_DENIED", "PermissionDenied",
         "role 'observer' may not call RemoveAgent"),
        # The role is checked before the body is read.
        ("RemoveAgent", None, {"token": "observer-t", "raw": b"{"}, 403, "PERMISSION_DENIED", "PermissionDenied",
         "role 'observer' may not call RemoveAgent"),
        ("GetStatus", {}, {"token": "admin-t", "headers": {"ccroute-tenant": "acme"}}, 404, "NOT_FOUND",
         "UnknownTenant", "unknown tenant 'acme'"),
        ("GetStatus", {}, {"token": "admin-t", "headers": {"ccroute-tenant": "no/such"}}, 400, "INVALID_ARGUMENT",
         "InvalidInput", "tenant 'no/such' is not a name"),
        ("SubmitContact", {**SUBMIT, "idempotencyKey": "k1"}, {"headers": {"Idempotency-Key": "k2"}}, 400,
         "INVALID_ARGUMENT", "InvalidInput", "header Idempotency-Key 'k2' differs from idempotencyKey 'k1'"),
        ("GetStatus", {}, {"headers": {"ccroute-timeout": "soon"}}, 400, "INVALID_ARGUMENT", "InvalidInput",
         "header ccroute-timeout 'soon' is not a positive number of seconds"),
        ("SubmitContact", {**SUBMIT, "idempotencyKey": "x" * LIMIT}, {}, 413, "RESOURCE_EXHAUSTED",
         "MessageTooLarge", f"over the limit of {LIMIT} bytes"),
        ("getContact", {}, {}, 404, "NOT_FOUND", None, "no route POST /v1/getContact: the routes are POST "
         "/v1/<Method> for each method of ccroute.v1.Router, and GET /v1/openapi.json; did you mean /v1/GetContact?"),
        ("GetStatus", None, {"verb": "GET"}, 405, "UNIMPLEMENTED", None, "GET /v1/GetStatus is not allowed: use POST"),
        ("GetStatus", {}, {"verb": "PUT"}, 405, "UNIMPLEMENTED", None, "PUT /v1/GetStatus is not allowed"),
        ("GetStatus?x=1", {}, {}, 400, "INVALID_ARGUMENT", "InvalidInput",
         "POST /v1/GetStatus takes its request as a JSON body, not in the query string"),
    ]
    for method, body, options, status, code, name, text in cases:
        got_status, error = api.error(method, body, **options)
        assert (got_status, error["status"], error.get("name")) == (status, code, name), (method, error)
        assert text in error["message"], (method, error["message"])
    _, headers, _ = api.call("GetStatus", {}, token=None)
    assert headers["WWW-Authenticate"] == 'Bearer realm="ccroute"'
    _, headers, _ = api.call("GetStatus", verb="GET")
    assert headers["Allow"] == "POST"
    assert api.state() == before  # nothing changed


# -- event streams ---------------------------------------------------------------------
def test_watch_events_streams_server_sent_events_and_resumes(api: Api) -> None:
    with api.open("/v1/WatchEvents?token=observer-t") as stream:  # a browser's EventSource: no header
        assert stream.headers["Content-Type"] == "text/event-stream"
        api.ok("UpsertAgent", {"agent": {"id": "a1"}})
        api.ok("SubmitContact", SUBMIT)
        received: list[dict[str, Any]] = []
        ids: list[str] = []
        while not any("assigned" in e for e in received):
            (message,) = sse(stream, 1)
            assert message["event"] == "events"
            batch = json.loads(message["data"])
            assert batch["historyId"] and message["id"] == batch["events"][-1]["sequence"]
            received.extend(batch["events"])
            ids.append(message["id"])
    assert received[0]["agentAdded"]["agent"] == "a1"
    sequences = [int(e["sequence"]) for e in received]
    assert sequences == list(range(1, len(sequences) + 1))
    # A reconnecting EventSource sends Last-Event-ID: the events after it, from the history.
    with api.open("/v1/WatchEvents?afterSequence=0", {"Authorization": "Bearer observer-t",
                                                     "Last-Event-ID": "1"}) as stream:
        again: list[dict[str, Any]] = []
        while len(again) < len(received) - 1:
            again.extend(json.loads(sse(stream, 1)[0]["data"])["events"])
    assert again == received[1:]
    # POST with a JSON body works too.
    request = urllib.request.Request(api.url + "/v1/WatchEvents", data=b'{"afterSequence": "2"}',
                                     headers={"Authorization": "Bearer observer-t"})
    with urllib.request.urlopen(request, timeout=10) as stream:
        assert json.loads(sse(stream, 1)[0]["data"])["events"][0]["sequence"] == "3"


def test_an_idle_stream_keeps_alive_and_a_gone_client_frees_it(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_api, "KEEPALIVE", 0.0)
    with api.open("/v1/WatchEvents", {"Authorization": "Bearer observer-t"}) as stream:
        assert stream.readline() == b": keep-alive\n"
        assert api.service.figures()["event_subscribers"] == 1
    deadline = time.monotonic() + 5
    while api.service.figures()["event_subscribers"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert api.service.figures()["event_subscribers"] == 0  # its handler thread left the stream


def test_a_refused_stream_answers_its_status(api: Api) -> None:
    cases = [
        ("/v1/WatchEvents?afterSequence=99", {}, 400, "OUT_OF_RANGE", "HistoryGap", "99"),
        ("/v1/WatchEvents?afterSequence=x", {}, 400, "INVALID_ARGUMENT", "InvalidInput", "afterSequence"),
        ("/v1/WatchEvents?since=3", {}, 400, "INVALID_ARGUMENT", "InvalidInput",
         "unknown query parameter 'since'; the parameters are afterSequence, historyId"),
        ("/v1/WatchEvents", {"Last-Event-ID": "last"}, 400, "INVALID_ARGUMENT", "InvalidInput",
         "header Last-Event-ID 'last' is not an event sequence"),
        ("/v1/WatchEvents", {"ccroute-timeout": "0.2"}, 504, "DEADLINE_EXCEEDED", None, "deadline of 0.2 s"),
    ]
    for path, headers, status, code, name, text in cases:
        with pytest.raises(urllib.error.HTTPError) as caught:
            api.open(path, {"Authorization": "Bearer observer-t", **headers})
        error = json.loads(caught.value.read())["error"]
        assert (caught.value.code, error["status"], error.get("name")) == (status, code, name), error
        assert text in error["message"]


def test_a_stream_ended_by_the_server_says_where_to_resume(api: Api) -> None:
    api.ok("UpsertAgent", {"agent": {"id": "a1"}})
    with api.open("/v1/WatchEvents?afterSequence=0", {"Authorization": "Bearer observer-t"}) as stream:
        first = sse(stream, 1)[0]
        api.monitor.stop()  # the HTTP server stops: open streams end, naming the last sequence sent
        (ended,) = sse(stream, 1)
        assert stream.readline() == b""
    error = json.loads(ended["data"])["error"]
    assert ended["event"] == "error"
    assert (error["code"], error["status"], error["name"]) == (503, "UNAVAILABLE", "StreamEnded")
    assert error["metadata"] == {"ccroute-resume-after": first["id"]}


def test_stream_contacts_over_ndjson(api: Api) -> None:
    api.ok("UpsertAgent", {"agent": {"id": "a1"}})

    def post(lines: list[bytes], **headers: str) -> tuple[int, str, list[Any]]:
        request = urllib.request.Request(api.url + "/v1/StreamContacts", data=b"\n".join(lines), headers={
            "Authorization": "Bearer service-t", "Content-Type": "application/x-ndjson", **headers})
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, r.headers["Content-Type"], [json.loads(line) for line in r]
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers["Content-Type"], [json.loads(line) for line in exc]

    def batch(*ids: str, key: str = "") -> bytes:
        return json.dumps({"contacts": [{"id": i, "channel": "chat", "queue": "support"} for i in ids],
                           "idempotencyKey": key}).encode()

    status, kind, replies = post([batch("n1"), b"", batch("n2", "n3", key="b2"), b""])
    assert (status, kind) == (200, "application/x-ndjson")
    assert [r["submitted"] for r in replies] == [1, 2]
    assert replies[0]["events"][0]["assigned"]["contact"] == "n1"
    # A failed batch ends the stream with an error line; the batches before it stand.
    status, _, replies = post([batch("n4"), batch("n1"), batch("n5")])
    assert status == 200 and replies[0]["submitted"] == 1
    assert (replies[1]["error"]["status"], replies[1]["error"]["name"]) == ("ALREADY_EXISTS", "DuplicateId")
    assert len(replies) == 2
    status, _, replies = post([batch("n6"), b'{"contacts": [oops]}'])
    assert replies[1]["error"]["code"] == 400
    assert replies[1]["error"]["message"].startswith("StreamContacts: line 2 of the body is not JSON")
    status, _, replies = post([batch("n7"), json.dumps({"contacts": [], "x": "y" * LIMIT}).encode()])
    assert (replies[1]["error"]["code"], replies[1]["error"]["name"]) == (413, "MessageTooLarge")
    assert "line 2 of the body is over the limit" in replies[1]["error"]["message"]
    # A stream that fails before its first answer answers the error's HTTP status.
    status, kind, replies = post([b'{"contact": {}}'])
    assert (status, kind) == (400, "application/json")
    assert 'line 1 of the body is not a valid ccroute.v1.SubmitContactsRequest' in replies[0]["error"]["message"]
    status, _, replies = post([batch("n8")], **{"Idempotency-Key": "k"})
    assert status == 400 and "give each line its own idempotencyKey" in replies[0]["error"]["message"]
    ids = api.ok("ListWaiting", {"queue": "support"}, token="observer-t").get("contactIds", [])
    assert "n5" not in ids and api.error("GetContact", {"contactId": "n5"}, token="observer-t")[0] == 404


# -- the OpenAPI document -----------------------------------------------------------------
def test_the_openapi_document_has_one_path_per_rpc(api: Api) -> None:
    status, _, document = api.call("openapi.json", token=None, verb="GET")  # open: the protocol is public
    assert status == 200
    assert document == openapi_document(ROUTER)
    assert set(document["paths"]) == {f"/v1/{m.name}" for m in ROUTER.methods} | {"/v1/openapi.json"}
    operations = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert len(operations) == len(set(operations)) == len(ROUTER.methods) + 2  # + GET WatchEvents, the document
    watch = document["paths"]["/v1/WatchEvents"]
    assert "text/event-stream" in watch["get"]["responses"]["200"]["content"]
    assert [p["name"] for p in watch["get"]["parameters"] if p.get("in") == "query"] == [
        "afterSequence", "historyId", "token"]
    assert "application/x-ndjson" in document["paths"]["/v1/StreamContacts"]["post"]["requestBody"]["content"]
    # Every reference resolves, and each schema is valid JSON Schema.
    refs = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    for ref in refs:
        hash_, components, section, name = ref.split("/")
        assert (hash_, components) == ("#", "components") and name in document["components"][section], ref
    jsonschema = pytest.importorskip("jsonschema")
    for schema in document["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    # The proto3 JSON mapping, with the protocol's comments.
    schemas = document["components"]["schemas"]
    status_schema = schemas["GetStatusResponse"]["properties"]
    assert status_schema["lastSequence"]["type"] == "string" and status_schema["lastSequence"]["default"] == "0"
    assert status_schema["now"]["type"] == "number" and "server's clock" in status_schema["now"]["description"]
    assert schemas["UpsertAgentRequest"]["properties"]["updateMask"]["type"] == "string"
    assert schemas["Agent"]["properties"]["skills"]["additionalProperties"] == {"type": "integer", "format": "int32"}
    assert schemas["AgentState"]["enum"][0] == "AGENT_STATE_UNSPECIFIED"
    assert document["paths"]["/v1/GetContact"]["post"]["summary"].startswith("One contact, live or finished")
    assert "## The service" in document["info"]["description"]


def test_the_openapi_document_validates() -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(openapi_document(ROUTER))


def test_proto_comments_name_each_declaration() -> None:
    text = """// The file.
syntax = "proto3";

// A message.
message Outer {
  // A field.
  repeated string names = 1;
  map<string, int32> levels = 2;  // trailing
  oneof kind {
    // In a oneof.
    bool flag = 3;
  }
  message Inner {}
}
// An enum.
enum Mode {
  // Zero.
  MODE_UNSPECIFIED = 0;
}
service S {
  // Does it.
  rpc Do(Outer) returns (Outer);
}
"""
    assert proto_comments(text, "p") == {
        "": "The file.", "p.Outer": "A message.", "p.Outer.names": "A field.", "p.Outer.levels": "trailing",
        "p.Outer.flag": "In a oneof.", "p.Mode": "An enum.", "p.Mode.MODE_UNSPECIFIED": "Zero.",
        "p.S.Do": "Does it.",
    }


def test_browser_pages_of_allowed_origins_may_call(api: Api) -> None:
    """CORS: without --cors-origin every preflight is refused; with it,
    pages of the origins given get the preflight and their answers allow
    them, errors included (``ccroute-error`` exposed); another origin's
    preflight is refused naming it. Bad origins are refused at start."""
    from ccroute.server import load_config, serve
    from ccroute.server.http.json_api import check_origin

    console = "https://console.example.com"
    preflight = {"Origin": console, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type, ccroute-tenant"}
    status, _, reply = api.call("SubmitContact", token=None, verb="OPTIONS", headers=preflight)
    assert (status, reply["error"]["message"]) == (
        403, "OPTIONS /v1/SubmitContact: cross-origin calls are not enabled on this server "
             "(ccroute serve --cors-origin)")
    status, headers, _ = api.call("GetStatus", {}, token="observer-t", headers={"Origin": console})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers

    api.monitor.http.api.cors_origins = (console,)  # as --cors-origin https://console.example.com
    request = urllib.request.Request(f"{api.url}/v1/SubmitContact", method="OPTIONS", headers=preflight)
    with urllib.request.urlopen(request, timeout=10) as r:
        assert r.status == 204
        assert r.headers["Access-Control-Allow-Origin"] == console and r.headers["Vary"] == "Origin"
        assert r.headers["Access-Control-Allow-Methods"] == "GET, POST"
        allowed = r.headers["Access-Control-Allow-Headers"].split(", ")
        assert {"authorization", "content-type", "ccroute-tenant", "idempotency-key", "last-event-id"} <= set(allowed)
    status, headers, _ = api.call("SubmitContact", SUBMIT, headers={"Origin": console})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == console
    status, headers, reply = api.call("SubmitContact", SUBMIT, headers={"Origin": console})  # a refusal too
    assert (status, headers["Access-Control-Allow-Origin"]) == (409, console)
    assert "ccroute-error" in headers["Access-Control-Expose-Headers"]
    status, headers, _ = api.call("GetStatus", {}, token="observer-t")  # no Origin: nothing added
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    other = dict(preflight, Origin="https://evil.example")
    status, headers, reply = api.call("SubmitContact", token=None, verb="OPTIONS", headers=other)
    assert (status, reply["error"]["message"]) == (
        403, "OPTIONS /v1/SubmitContact: origin 'https://evil.example' may not call this API (--cors-origin)")
    assert "Access-Control-Allow-Origin" not in headers
    # The token still decides: an allowed origin without one is 401.
    assert api.call("SubmitContact", SUBMIT, token=None, headers={"Origin": console})[0] == 401

    for bad in ("console.example.com", "https://console.example.com/", "https://a.example/path", "ftp://x.example",
                "https://user@x.example", "https://x.example:99999"):
        with pytest.raises(InvalidInput, match=f"CORS origin {re.escape(repr(bad))} is not"):
            check_origin(bad)
    assert check_origin("http://127.0.0.1:8080") == "http://127.0.0.1:8080" and check_origin("*") == "*"
    with pytest.raises(InvalidInput, match="--cors-origin lets browser pages call the JSON API: give --json-api"):
        serve(load_config(), port=0, cors_origins=[console])


def test_without_json_api_a_call_is_told_the_api_is_off() -> None:
    service = RouterService(settings(), clock=ManualClock())
    monitor = Monitor(service, Metrics()).start()
    try:
        request = urllib.request.Request(monitor.url + "/v1/GetStatus", data=b"{}", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        with refused.value as answer:
            assert (answer.code, answer.read()) == (
                404, b"the JSON API is off on this server: serve with --json-api to call /v1/...\n")
    finally:
        monitor.stop()
        service.stop(5.0)
