"""What each role may call: the one table of the methods of
``ccroute.v1.Router`` by the least role that may call them
(:data:`ROLE_OF`), and the checks the handler threads and the HTTP side
run on every call.

Roles include one another: ``admin`` may call everything; ``service``
everything but configuration (``agent`` methods for any agent, and every
read); ``agent`` and ``observer`` only their own methods: an ``agent``
token reads nothing (a desktop learns of its offers from the platform
that holds a ``service`` token) and an ``observer`` token changes nothing.

An ``agent`` token acts for its one agent (``agent=`` in the token file):
a request naming an agent (``agent_id``) must name that one, and a
request naming a contact (``contact_id``) needs the contact offered or
assigned to it. The second check runs on the engine thread in the same
step as the command (:class:`~ccroute.server.commands.ForAgent`).

The gRPC front end (Rust) refuses unknown tokens for every service but
health checks, reflection included (any known token may use reflection:
it shows the protocol, which is public anyway); the checks here decide
what a known token may call. Refusals are ``PermissionDenied``
(PERMISSION_DENIED) naming the role and the call, and nothing changes.
"""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import parse_qs

from .commands import AgentScope
from .errors import PermissionDenied, Unauthenticated
from .tenants import DEFAULT_TENANT
from .tokens import ALL_TENANTS, Grant, TokenTable

__all__ = ["ROLE_OF", "INCLUDES", "TENANT_NAMED", "Access", "check_table"]

#: For each role, the roles whose methods it may call.
INCLUDES: dict[str, frozenset[str]] = {
    "admin": frozenset({"admin", "service", "agent", "observer"}),
    "service": frozenset({"service", "agent", "observer"}),
    "agent": frozenset({"agent"}),
    "observer": frozenset({"observer"}),
}

#: The least role that may call each method of ``ccroute.v1.Router`` (a
#: test checks that it names exactly the service's methods).
ROLE_OF: dict[str, str] = {
    # Configuration.
    "Configure": "admin",
    "GetConfig": "observer",
    # Agents: a platform's backend adds, changes and removes them.
    "UpsertAgent": "service",
    "RemoveAgent": "service",
    # Contacts: the backend submits, changes, moves and ends them.
    "SubmitContact": "service",
    "SubmitContacts": "service",
    "StreamContacts": "service",
    "CancelContact": "service",
    "UpdateContact": "service",
    "Transfer": "service",
    "CallbackResult": "service",
    "Advance": "service",
    # What an agent does about itself and its own contacts.
    "SetAgentState": "agent",
    "AcceptOffer": "agent",
    "RejectOffer": "agent",
    "CompleteContact": "agent",
    "PauseContact": "agent",
    "ResumeContact": "agent",
    # Reads.
    "GetContact": "observer",
    "ExplainContact": "observer",
    "GetAgent": "observer",
    "GetQueueStats": "observer",
    "ListAgents": "observer",
    "ListWaiting": "observer",
    "GetStatus": "observer",
    "WatchEvents": "observer",
    # Tenants (the tenant named in the request) and the tenant's webhook.
    "CreateTenant": "admin",
    "DeleteTenant": "admin",
    "ListTenants": "observer",
    "SetWebhook": "admin",
    "GetWebhook": "observer",
    # Tokens (of the tenants the caller's token covers).
    "CreateToken": "admin",
    "RevokeToken": "admin",
    "ListTokens": "admin",
}

#: Methods about the tenant their request names (``tenant``), not the call's.
TENANT_NAMED: frozenset[str] = frozenset({"CreateTenant", "DeleteTenant", "CreateToken"})
#: Methods about what the caller's token covers, whatever the call's tenant.
GRANT_SCOPED: frozenset[str] = frozenset({"ListTenants", "ListTokens", "RevokeToken"})


def check_table(service_descriptor: Any) -> None:
    """``ValueError`` unless :data:`ROLE_OF` names exactly the methods of
    ``service_descriptor`` and each ``agent`` method can be scoped: a
    request read before the call runs (not a client stream) that names
    an ``agent_id`` or a ``contact_id``."""
    methods = {m.name: m for m in service_descriptor.methods}
    missing = sorted(set(methods) - set(ROLE_OF))
    extra = sorted(set(ROLE_OF) - set(methods))
    if missing or extra:
        raise ValueError(f"the role table does not match {service_descriptor.full_name}: "
                         f"methods without a role {missing}, roles of no method {extra}")
    for name, role in ROLE_OF.items():
        if role not in INCLUDES:
            raise ValueError(f"{name}: unknown role {role!r}")
        m = methods[name]
        if role == "agent" and (m.client_streaming or not {"agent_id", "contact_id"} & set(m.input_type.fields_by_name)):
            raise ValueError(f"{name}: an 'agent' method needs a unary request naming agent_id or contact_id")


class Access:
    """The checks of one server: its tokens."""

    def __init__(self, tokens: TokenTable) -> None:
        self.tokens = tokens

    # -- gRPC -----------------------------------------------------------
    def grant(self, authorization: Optional[str], method: str, tenant: str = DEFAULT_TENANT) -> Grant:
        """The grant of a call's token if it may call ``method`` for
        ``tenant``: ``Unauthenticated`` for a missing or unknown token (the
        front end refuses those first), ``PermissionDenied`` for a role or
        tenant that may not."""
        grant = self.known(authorization)
        self.allow(grant, method, tenant)
        return grant

    def known(self, authorization: Optional[str]) -> Grant:
        """The grant of a call's token: ``Unauthenticated`` for a missing
        or unknown token."""
        token = _bearer(authorization)
        grant = self.tokens.lookup(token) if token is not None else None
        if grant is None:
            raise Unauthenticated("invalid bearer token" if token is not None
                                  else "missing token: send 'authorization: Bearer <token>' (gRPC metadata, "
                                       "or an HTTP header)")
        return grant

    def role_of(self, authorization: Optional[str]) -> Optional[str]:
        """The role of a call's token, ``None`` if unknown or missing (for
        logs: never the token itself)."""
        token = _bearer(authorization)
        grant = self.tokens.lookup(token) if token is not None else None
        return grant.role if grant is not None else None

    def allow(self, grant: Grant, method: str, tenant: str = DEFAULT_TENANT) -> None:
        """``PermissionDenied`` unless ``grant`` may call ``method`` for ``tenant``."""
        if not grant.covers(tenant):
            raise PermissionDenied(f"{grant.describe()} for tenant {grant.tenant!r} may not call {method} "
                                   f"for tenant {tenant!r}")
        needed = ROLE_OF.get(method)
        if needed is None:  # fail closed; check_table makes this unreachable
            raise PermissionDenied(f"{method} has no role in the role table: nobody may call it")
        if needed not in INCLUDES[grant.role]:
            raise PermissionDenied(f"role {grant.role!r} may not call {method}")

    @staticmethod
    def scope(grant: Grant, method: str, request: Any) -> Optional[AgentScope]:
        """For an ``agent`` token: ``PermissionDenied`` for a request
        naming another agent (``agent_id``), and the scope that limits a
        request naming a contact (``contact_id``) to the token's agent's
        contacts. ``None`` for any other token, or no contact."""
        if grant.role != "agent" or grant.agent is None:
            return None
        fields = request.DESCRIPTOR.fields_by_name
        if "agent_id" in fields and request.agent_id != grant.agent:
            raise PermissionDenied(f"role 'agent' for agent {grant.agent!r} may not call {method} "
                                   f"for agent {request.agent_id!r}")
        return AgentScope(grant.agent, method) if "contact_id" in fields else None

    # -- HTTP -----------------------------------------------------------
    def http_grant(self, authorization: Optional[str], query: str, what: str,
                   url_token: bool = False) -> tuple[Optional[Grant], Optional[tuple[int, str]]]:
        """``(grant, None)`` when an HTTP request may read ``what`` for the
        tenants its ``observer`` (or higher) token covers, else ``(None,
        (status, message))`` as :meth:`http_refusal`."""
        token = _bearer(authorization)
        if token is None and url_token:
            given = parse_qs(query).get("token")
            token = given[0] if given else None
        grant = self.tokens.lookup(token) if token is not None else None
        tenant = grant.tenant if grant is not None and grant.tenant != ALL_TENANTS else DEFAULT_TENANT
        refusal = self.http_refusal(authorization, query, what, url_token, tenant)
        return (grant, None) if refusal is None else (None, refusal)

    def http_refusal(self, authorization: Optional[str], query: str, what: str,
                     url_token: bool = False, tenant: str = DEFAULT_TENANT) -> Optional[tuple[int, str]]:
        """``None`` when an HTTP request may read ``what`` (an ``observer``
        token or higher, for this tenant), else ``(status, message)``: 401
        without a valid token, 403 for a role that may not. The token
        comes from ``Authorization: Bearer``, or with ``url_token`` also
        from ``?token=`` in ``query`` (a browser opening the wallboard)."""
        token = _bearer(authorization)
        if token is None and url_token:
            given = parse_qs(query).get("token")
            token = given[0] if given else None
        where = "header 'Authorization: Bearer <token>'" + (" or ?token=<token> on the URL" if url_token else "")
        if token is None:
            return 401, f"{what} needs an observer token: {where}"
        grant = self.tokens.lookup(token)
        if grant is None:
            return 401, "invalid bearer token"
        if not grant.covers(tenant):
            hint = (f" (its tenant's is /?tenant={grant.tenant})"
                    if url_token and grant.tenant != ALL_TENANTS and tenant == DEFAULT_TENANT else "")
            return 403, f"{grant.describe()} for tenant {grant.tenant!r} may not read {what} of tenant {tenant!r}{hint}"
        if "observer" not in INCLUDES[grant.role]:
            return 403, f"role {grant.role!r} may not read {what}"
        return None


def _bearer(authorization: Optional[str]) -> Optional[str]:
    """The token of ``Bearer <token>`` (the scheme in any case), as the
    front end reads it; ``None`` for anything else."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip(" \t\r\n\f")
    return token if scheme.lower() == "bearer" and token else None

