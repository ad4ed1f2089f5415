"""The OpenAPI 3.1 document of the JSON API (:mod:`.json_api`), generated
from the protocol's descriptors, so that it never drifts from the service.

:func:`openapi_document` gives one path per RPC (``POST /v1/<Method>``;
``GET`` too for a server-streaming one, answered with server-sent events;
NDJSON for streaming requests), and a schema in ``components/schemas`` for
every message and enum the requests and responses reach, after protobuf's
JSON mapping: 64-bit integers are strings, 32-bit ones integers, ``bytes``
base64 strings, enums the names of their values, a ``map`` an object, a
message field a ``$ref``; a ``FieldMask`` is a string of comma-separated
paths, a ``Timestamp`` a date-time string, a ``Duration`` a string such as
``"1.5s"``, a ``Struct`` or ``Value`` any JSON. A field with implicit
presence shows the value its absence means (``default``).

Descriptions come from the comments of the ``.proto`` files
(:func:`proto_comments`), read when they can be found (the generated
descriptors carry none): beside the generated modules
(``ccroute/v1/*.proto``, copied there by ``make proto`` and shipped in the
package, checked against ``proto/`` by ``make test``) or in the source
tree's ``proto/``. Without them the document is complete, only without
descriptions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Optional

from google.protobuf.descriptor import FieldDescriptor

from ... import __version__
from .json_api import (
    HTTP_STATUS,
    IDEMPOTENCY_HEADER,
    KEEPALIVE,
    NDJSON,
    OPENAPI_PATH,
    PREFIX,
    SSE_EVENTS,
    TENANT_HEADER,
    TIMEOUT_HEADER,
)

__all__ = ["openapi_document", "proto_comments"]

_T = FieldDescriptor
_INT64 = {"type": "string", "format": "int64", "pattern": "^-?[0-9]+$"}
_UINT64 = {"type": "string", "format": "uint64", "pattern": "^[0-9]+$"}
_INT32 = {"type": "integer", "format": "int32"}
_UINT32 = {"type": "integer", "format": "uint32", "minimum": 0, "maximum": 2**32 - 1}
_SCALARS: dict[int, dict[str, Any]] = {
    _T.TYPE_DOUBLE: {"type": "number", "format": "double"},
    _T.TYPE_FLOAT: {"type": "number", "format": "float"},
    _T.TYPE_INT64: _INT64, _T.TYPE_SINT64: _INT64, _T.TYPE_SFIXED64: _INT64,
    _T.TYPE_UINT64: _UINT64, _T.TYPE_FIXED64: _UINT64,
    _T.TYPE_INT32: _INT32, _T.TYPE_SINT32: _INT32, _T.TYPE_SFIXED32: _INT32,
    _T.TYPE_UINT32: _UINT32, _T.TYPE_FIXED32: _UINT32,
    _T.TYPE_BOOL: {"type": "boolean"},
    _T.TYPE_STRING: {"type": "string"},
    _T.TYPE_BYTES: {"type": "string", "format": "byte", "contentEncoding": "base64"},
}
#: Well-known types, inlined as their JSON mapping.
_WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.FieldMask": {"type": "string", "description": "Field paths, comma-separated, in "
                                  "lowerCamelCase (`skills,capacity`)."},
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]{1,9})?s$",
                                 "description": "Seconds with the suffix `s` (`1.5s`)."},
    "google.protobuf.Struct": {"type": "object"},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array"},
    "google.protobuf.Empty": {"type": "object"},
    "google.protobuf.Any": {"type": "object", "properties": {"@type": {"type": "string"}}},
    "google.protobuf.DoubleValue": {"type": ["number", "null"]},
    "google.protobuf.FloatValue": {"type": ["number", "null"]},
    "google.protobuf.Int64Value": {"type": ["string", "null"], "format": "int64"},
    "google.protobuf.UInt64Value": {"type": ["string", "null"], "format": "uint64"},
    "google.protobuf.Int32Value": {"type": ["integer", "null"], "format": "int32"},
    "google.protobuf.UInt32Value": {"type": ["integer", "null"], "format": "uint32"},
    "google.protobuf.BoolValue": {"type": ["boolean", "null"]},
    "google.protobuf.StringValue": {"type": ["string", "null"]},
    "google.protobuf.BytesValue": {"type": ["string", "null"], "format": "byte"},
}
_ERROR_REF = {"$ref": "#/components/responses/Error"}


def _intro(service: str) -> str:
    """The document's description: how the JSON API works."""
    statuses = ", ".join(f"{code} {status}" for status, code in HTTP_STATUS.items() if status != "OK")
    return f"""The gRPC service `{service}` as JSON over HTTP, for platforms that cannot use gRPC.

- `POST {PREFIX}<Method>` for every RPC: the body is the request message in protobuf's JSON mapping
  (lowerCamelCase names, proto names accepted too; 64-bit integers as strings; enums by name); an empty
  body is an empty request; an unknown field is refused. The answer is the response message, where a field
  at its default value (0, false, "", an empty list) is left out.
- Server-streaming methods (`WatchEvents`) answer server-sent events, also to `GET` with the request's
  fields as query parameters; `Last-Event-ID` resumes; a stream that fails ends with `event: error`; a
  comment keeps an idle stream open every {KEEPALIVE:g} s.
- Streaming requests (`StreamContacts`) are NDJSON (`{NDJSON}`), one request per line, answered with one
  response per line; an error ends the answer with a line `{{"error": ...}}`.

Headers: `Authorization: Bearer <token>` (when the server runs with tokens; each token's role decides
what it may call), `{TENANT_HEADER}` (default `default`), `{TIMEOUT_HEADER}` (the deadline, in seconds),
`{IDEMPOTENCY_HEADER}` (the request's `idempotencyKey` when the body gives none).

Errors: the HTTP status of the gRPC code ({statuses}; 413 for a message over the size limit) and
`{{"error": {{"code", "status", "message", "name", "metadata"}}}}`, where `name` is the error class (also
the header `ccroute-error`).

Descriptions below are the protocol's: names in them are proto names (`update_mask`), which the JSON
writes in lowerCamelCase (`updateMask`)."""


# -- comments of .proto files ---------------------------------------------------
_BLOCK = re.compile(r"(message|enum|service|oneof)\s+(\w+)\s*\{")
_RPC = re.compile(r"rpc\s+(\w+)\s*\(")
_FIELD = re.compile(r"(?:(?:repeated|optional)\s+)?(?:map\s*<[^>]*>|[\w.]+)\s+(\w+)\s*=\s*\d+")
_VALUE = re.compile(r"(\w+)\s*=\s*-?\d+")


def proto_comments(text: str, package: str) -> dict[str, str]:
    """The leading comments (``//`` lines right above, or a trailing comment
    on the same line) of the declarations of one ``.proto`` file, by full
    name: messages, enums, services, ``service.Rpc``, ``message.field``,
    ``enum.VALUE``; the file's own first comment (above ``syntax``, or
    followed by a blank line) under ``""``."""
    out: dict[str, str] = {}
    scopes: list[tuple[str, str]] = []  # (kind, full name)
    pending: list[str] = []
    file_doc = True
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("//"):
            pending.append(line[2:].removeprefix(" "))
            continue
        if not line:
            if file_doc and pending:
                out[""] = "\n".join(pending)
                file_doc = False
            pending = []
            continue
        code, _, trailing = line.partition("//")
        code = code.strip()
        doc = "\n".join(pending) or trailing.strip()
        pending = []
        if file_doc and doc and code.startswith(("syntax", "edition", "package")):
            out[""] = doc  # the comment above `syntax` is the file's
        file_doc = False
        parent = scopes[-1][1] if scopes else package
        name: Optional[str] = None
        block = _BLOCK.match(code)
        if block is not None:
            kind, short = block.groups()
            name = f"{parent}.{short}"
            # A oneof's fields belong to its message: its scope keeps the message's name.
            scopes.append((kind, parent if kind == "oneof" else name))
            if code.endswith("}"):
                scopes.pop()
        elif code.startswith("}"):
            if scopes:
                scopes.pop()
        elif (rpc := _RPC.match(code)) is not None and scopes and scopes[-1][0] == "service":
            name = f"{parent}.{rpc.group(1)}"
        elif scopes and scopes[-1][0] in ("message", "oneof") and (field := _FIELD.match(code)) is not None:
            name = f"{parent}.{field.group(1)}"
        elif scopes and scopes[-1][0] == "enum" and (value := _VALUE.match(code)) is not None:
            name = f"{parent}.{value.group(1)}"
        if name is not None and doc:
            out[name] = doc
    return out


def _source_roots() -> list[Path]:
    package = Path(__file__).resolve().parents[2]  # .../ccroute
    return [package.parent, package.parent.parent / "proto"]


def _comments_of(files: Iterable[Any]) -> dict[str, str]:
    """The comments of ``files`` (file descriptors) from their ``.proto``
    sources, where found; each file's own comment under ``file:<name>``."""
    out: dict[str, str] = {}
    for f in files:
        for root in _source_roots():
            path = root / f.name
            if path.is_file():
                found = proto_comments(path.read_text(encoding="utf-8"), f.package)
                out[f"file:{f.name}"] = found.pop("", "")
                out.update(found)
                break
    return out


def _files(file: Any) -> list[Any]:
    seen: dict[str, Any] = {}

    def add(f: Any) -> None:
        if f.name not in seen:
            seen[f.name] = f
            for dep in f.dependencies:
                add(dep)

    add(file)
    return list(seen.values())


# -- schemas ---------------------------------------------------------------------
class _Schemas:
    """The component schemas of the messages and enums reached, by name."""

    def __init__(self, package: str, comments: Mapping[str, str]) -> None:
        self.package = package
        self.comments = comments
        self.schemas: dict[str, dict[str, Any]] = {}

    def name(self, descriptor: Any) -> str:
        """A component's name: relative to the service's package (nested
        types as ``Outer.Inner``), else the full name."""
        full: str = descriptor.full_name
        prefix = self.package + "."
        return full[len(prefix):] if full.startswith(prefix) else full

    def ref(self, descriptor: Any) -> dict[str, Any]:
        """A ``$ref`` to ``descriptor``'s schema (made on first use); a
        well-known type inline."""
        inline = _WELL_KNOWN.get(descriptor.full_name)
        if inline is not None:
            return dict(inline)
        name = self.name(descriptor)
        if name not in self.schemas:
            self.schemas[name] = {}  # reserved first: messages may refer to themselves
            self.schemas[name] = (self._enum(descriptor) if hasattr(descriptor, "values_by_name")
                                  else self._message(descriptor))
        return {"$ref": f"#/components/schemas/{name}"}

    def _doc(self, key: str, extra: Iterable[str] = ()) -> dict[str, Any]:
        parts = [p for p in (self.comments.get(key, ""), *extra) if p]
        return {"description": "\n\n".join(parts)} if parts else {}

    def _enum(self, enum: Any) -> dict[str, Any]:
        values = [v.name for v in enum.values]
        lines = [f"- `{v.name}`: {' '.join(self.comments[f'{enum.full_name}.{v.name}'].split())}"
                 for v in enum.values if f"{enum.full_name}.{v.name}" in self.comments]
        return {"type": "string", "enum": values, **self._doc(enum.full_name, ["\n".join(lines)])}

    def _message(self, message: Any) -> dict[str, Any]:
        properties = {f.json_name: self._field(f) for f in message.fields}
        oneofs = [o for o in message.oneofs if not (len(o.fields) == 1 and o.name == "_" + o.fields[0].name)]
        notes = [f"At most one of {', '.join(f'`{f.json_name}`' for f in o.fields)} (oneof `{o.name}`)."
                 for o in oneofs]
        out: dict[str, Any] = {"type": "object", **self._doc(message.full_name, notes)}
        if properties:
            out["properties"] = properties
        return out

    def _field(self, field: Any) -> dict[str, Any]:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value = field.message_type.fields_by_name["value"]
            schema: dict[str, Any] = {"type": "object", "additionalProperties": self._single(value)}
        elif field.is_repeated:
            schema = {"type": "array", "items": self._single(field)}
        else:
            schema = self._single(field)
            if not field.has_presence:
                schema["default"] = self._default(field)
        doc = self._doc(f"{field.containing_type.full_name}.{field.name}")
        if "$ref" in schema:
            return {**schema, **doc}
        if doc and "description" in schema:
            doc["description"] = doc["description"] + "\n\n" + schema["description"]
        return {**schema, **doc}

    def _single(self, field: Any) -> dict[str, Any]:
        if field.message_type is not None:
            return self.ref(field.message_type)
        if field.enum_type is not None:
            return self.ref(field.enum_type)
        return dict(_SCALARS[field.type])

    @staticmethod
    def _default(field: Any) -> Any:
        if field.enum_type is not None:
            return field.enum_type.values_by_number[0].name if 0 in field.enum_type.values_by_number else None
        if field.type in (_T.TYPE_INT64, _T.TYPE_SINT64, _T.TYPE_SFIXED64, _T.TYPE_UINT64, _T.TYPE_FIXED64):
            return "0"
        if field.type == _T.TYPE_BYTES:
            return ""
        return field.default_value


# -- the document -------------------------------------------------------------------
def _summary(doc: str) -> str:
    text = " ".join(doc.split())
    end = text.find(". ")
    first = text if end < 0 else text[:end + 1]
    return first if len(first) <= 120 else first[:117] + "..."


def _query_parameters(schemas: _Schemas, message: Any) -> list[dict[str, Any]]:
    """A request's scalar fields as query parameters (for ``GET``)."""
    out = []
    for f in message.fields:
        if f.message_type is not None:
            continue
        schema = schemas._field(f)
        description = schema.pop("description", None)
        param: dict[str, Any] = {"name": f.json_name, "in": "query", "required": False, "schema": schema}
        if f.is_repeated:
            param["explode"] = True
        if description:
            param["description"] = description
        out.append(param)
    return out


def openapi_document(service: Any, *, comments: Optional[Mapping[str, str]] = None,
                     version: Optional[str] = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the JSON API of ``service`` (a service
    descriptor, such as ``router_pb2.DESCRIPTOR.services_by_name["Router"]``).

    Args:
        comments: descriptions by full name (:func:`proto_comments`);
            default: read from the ``.proto`` files when found.
        version: the document's ``info.version`` (default: ccroute's).
    """
    if comments is None:
        comments = _comments_of(_files(service.file))
    schemas = _Schemas(service.file.package, comments)
    description = _intro(service.full_name)
    file_doc = comments.get(f"file:{service.file.name}")
    if file_doc:
        description += "\n\n## The service\n\n" + file_doc
    common = [{"$ref": "#/components/parameters/Tenant"}, {"$ref": "#/components/parameters/Timeout"}]
    paths: dict[str, Any] = {}
    for m in service.methods:
        doc = comments.get(f"{service.full_name}.{m.name}", "")
        request, response = schemas.ref(m.input_type), schemas.ref(m.output_type)
        for message, what in ((m.input_type, "request"), (m.output_type, "response")):
            schemas.schemas[schemas.name(message)].setdefault("description", f"The {what} of `{m.name}`.")
        keyed = "idempotency_key" in m.input_type.fields_by_name and not m.client_streaming
        parameters = common + ([{"$ref": "#/components/parameters/IdempotencyKey"}] if keyed else [])
        if m.client_streaming:
            body = {"description": f"{NDJSON}: one `{schemas.name(m.input_type)}` per line.",
                    "required": False, "content": {NDJSON: {"schema": request}}}
        else:
            body = {"description": "The request; an empty body is an empty request.", "required": False,
                    "content": {"application/json": {"schema": request}}}
        operation: dict[str, Any] = {"operationId": m.name, "tags": [service.name]}
        if doc:
            operation["summary"] = _summary(doc)
            operation["description"] = doc
        if m.server_streaming and not m.client_streaming:
            event = SSE_EVENTS.get(m.name, "message")
            ok = {"description": (
                f"Server-sent events: each `{schemas.name(m.output_type)}` as a message `event: {event}` with "
                "`data:` its JSON and `id:` the sequence of its last event; a failure after the start as "
                "`event: error` with the error object (then the stream ends); a comment `: keep-alive` after "
                f"{KEEPALIVE:g} s of silence."),
                "content": {"text/event-stream": {"schema": {"type": "string"}}}}
            resume = {"name": "Last-Event-ID", "in": "header", "required": False, "schema": {"type": "string"},
                      "description": "Resume after this event sequence (takes the place of `afterSequence`)."}
            sse = {**operation, "parameters": [*parameters, resume], "requestBody": body,
                   "responses": {"200": ok, "default": _ERROR_REF}, "operationId": f"{m.name}Post"}
            token = {"name": "token", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "The bearer token, for clients that cannot set headers (`EventSource`)."}
            get = {**operation, "parameters": [*parameters, resume, *_query_parameters(schemas, m.input_type), token],
                   "responses": {"200": ok, "default": _ERROR_REF}}
            paths[f"{PREFIX}{m.name}"] = {"get": get, "post": sse}
            continue
        if m.server_streaming:  # and client streaming
            ok = {"description": f"{NDJSON}: one `{schemas.name(m.output_type)}` per request line, in order; "
                  'an error ends it with a line `{"error": {...}}`.', "content": {NDJSON: {"schema": response}}}
        else:
            ok = {"description": "The response.", "content": {"application/json": {"schema": response}}}
        operation.update(parameters=parameters, requestBody=body, responses={"200": ok, "default": _ERROR_REF})
        paths[f"{PREFIX}{m.name}"] = {"post": operation}
    paths[OPENAPI_PATH] = {"get": {
        "operationId": "OpenApi", "summary": "This document.", "security": [],
        "responses": {"200": {"description": "The OpenAPI document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": f"ccroute JSON API ({service.full_name})", "version": version or __version__,
                 "description": description},
        "tags": [{"name": service.name, **({"description": comments[service.full_name]}
                                            if service.full_name in comments else {})}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": {**dict(sorted(schemas.schemas.items())), "Error": _error_schema()},
            "parameters": _parameters(),
            "responses": {"Error": {
                "description": "The call failed: the HTTP status of its gRPC code.",
                "headers": {"ccroute-error": {"description": "The error class (as `error.name`).",
                                              "schema": {"type": "string"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "A token of the server's token file (`ccroute serve --token-file`); its role "
                               "decides what it may call. Without a token file the server is open."}},
        },
    }


def _parameters() -> dict[str, Any]:
    return {
        "Tenant": {"name": TENANT_HEADER, "in": "header", "required": False, "schema": {"type": "string"},
                   "description": "The tenant the call is for; absent: `default`."},
        "Timeout": {"name": TIMEOUT_HEADER, "in": "header", "required": False,
                    "schema": {"type": "number", "exclusiveMinimum": 0},
                    "description": "The call's deadline, in seconds (gRPC's deadline)."},
        "IdempotencyKey": {"name": IDEMPOTENCY_HEADER, "in": "header", "required": False,
                           "schema": {"type": "string"},
                           "description": "The request's `idempotencyKey` when the body gives none: a retry "
                                          "with the same key answers the first reply (`replayed`)."},
    }


def _error_schema() -> dict[str, Any]:
    codes = [c for c in HTTP_STATUS if c != "OK"]
    return {
        "type": "object", "required": ["error"],
        "description": "A failed call, or a request refused before any call.",
        "properties": {"error": {
            "type": "object", "required": ["code", "status", "message"],
            "properties": {
                "code": {"type": "integer", "description": "The HTTP status."},
                "status": {"type": "string", "enum": codes, "description": "The gRPC status code."},
                "message": {"type": "string", "description": "What went wrong, naming the offending value."},
                "name": {"type": "string", "description": "The error class (`UnknownId`, `PermissionDenied`, "
                         "...), as gRPC's trailing metadata `ccroute-error`."},
                "metadata": {"type": "object", "additionalProperties": {"type": "string"},
                             "description": "Other trailing metadata: `ccroute-resume-after` (where to resume "
                                            "an event stream), `ccroute-owner` (the server that owns the tenant)."},
            },
        }},
    }
