"""Bearer tokens and what each one grants: the token file of ``ccroute
serve --token-file`` and the lines ``ccroute token create`` writes.

A token file holds one line per token::

    sha256:<hex of the token's SHA-256> role=<role> tenant=<tenant|*> [agent=<id>] [name=<label>]

Blank lines and lines starting with ``#`` are ignored. Only digests are
stored: the file lets nobody call the server (it still tells who may do
what, so keep it private anyway). ``role`` is ``admin``, ``service``,
``agent`` or ``observer`` (what each may call: :mod:`ccroute.server.access`);
``tenant`` is the router the token is for (``*``: every one; the server
hosts one, ``default``, so the format stays when it hosts more); ``agent``
names the one agent an ``agent`` token acts for, and only such a token
has one; ``name`` is a label for people (which system holds the token).

The older form, one bare token per line, is still read, as ``admin`` for
every tenant, with a deprecation warning logged once per file.

Looking a token up hashes it once and finds the digest in a dict. No
stored token is ever compared with the presented one, so there is no
comparison to make constant-time: how long a lookup takes could at most
tell something about a digest, and a digest tells nothing usable about a
token.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Optional, Union

from ..errors import InvalidInput

__all__ = [
    "ROLES", "ALL_TENANTS", "Grant", "TokenTable", "read_token_file", "parse_token_lines",
    "new_token", "token_line", "digest_line", "token_sha256",
]

log = logging.getLogger("ccroute.server")

#: The roles, from the most trusted to the least.
ROLES: tuple[str, ...] = ("admin", "service", "agent", "observer")
#: The tenant of a grant that covers every tenant.
ALL_TENANTS = "*"

_TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_HEX = re.compile(r"[0-9a-fA-F]{64}")
_KEYS = ("role", "tenant", "agent", "name")
_PREFIX = "sha256:"


def token_sha256(token: Union[str, bytes]) -> bytes:
    """The SHA-256 digest of a token (a ``str`` is hashed as UTF-8)."""
    return hashlib.sha256(token.encode() if isinstance(token, str) else token).digest()


@dataclass(frozen=True, slots=True)
class Grant:
    """What one token may do: its ``role``, the ``tenant`` it is for
    (``*``: every tenant), the ``agent`` an ``agent`` token acts for, and
    a ``name`` for people. Checked when made (``InvalidInput``)."""

    role: str
    tenant: str = ALL_TENANTS
    agent: Optional[str] = None
    name: Optional[str] = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise InvalidInput(f"unknown role {self.role!r} (roles: {', '.join(ROLES)})")
        if self.tenant != ALL_TENANTS and not _TENANT.fullmatch(self.tenant):
            raise InvalidInput(f"tenant {self.tenant!r} is not '*' or a name of letters, digits, '.', '_' "
                               "and '-'")
        if self.role == "agent" and not self.agent:
            raise InvalidInput("role 'agent' needs agent=<id> (--agent with 'ccroute token create'), "
                               "the one agent the token acts for")
        if self.role != "agent" and self.agent is not None:
            raise InvalidInput(f"agent= is only for role 'agent' (this grant has role {self.role!r})")
        for key in ("agent", "name"):
            value = getattr(self, key)
            if value is not None and (not value or not value.isascii() or not value.isprintable()
                                      or any(c.isspace() for c in value)):
                # A token file line is ASCII words: anything else could not be stored.
                raise InvalidInput(f"{key} {value!r} is empty, holds a space or is not printable ASCII")

    def covers(self, tenant: str) -> bool:
        """Whether the grant is for ``tenant``."""
        return self.tenant in (ALL_TENANTS, tenant)

    def describe(self) -> str:
        """``role 'agent' for agent 'a1'`` (for messages)."""
        return f"role {self.role!r}" + (f" for agent {self.agent!r}" if self.agent is not None else "")


class TokenTable:
    """Grants by the SHA-256 digest of their token (see the module
    docstring). Never holds a token itself."""

    def __init__(self, grants: Mapping[bytes, Grant]) -> None:
        if not grants:
            raise InvalidInput("no token: a token table needs at least one")
        for digest in grants:
            if len(digest) != 32:
                raise InvalidInput(f"a SHA-256 digest is 32 bytes, not {len(digest)}")
        self._grants = dict(grants)

    @classmethod
    def from_tokens(cls, tokens: Union[Mapping[Union[str, bytes], Grant], Iterable[Union[str, bytes]]]) -> "TokenTable":
        """A table of plain tokens: ``{token: Grant}``, or tokens alone,
        each ``admin`` for every tenant (as in an old token file)."""
        if isinstance(tokens, Mapping):
            return cls({token_sha256(t): g for t, g in tokens.items()})
        return cls({token_sha256(t): Grant("admin") for t in tokens})

    def items(self) -> list[tuple[bytes, Grant]]:
        """``(digest, grant)`` pairs, in file order."""
        return list(self._grants.items())

    def digests(self) -> list[bytes]:
        """The digests, for the gRPC front end's token check."""
        return list(self._grants)

    def lookup(self, token: Union[str, bytes]) -> Optional[Grant]:
        """The grant of ``token``, or ``None`` for an unknown one."""
        return self._grants.get(token_sha256(token))

    def grants(self) -> list[Grant]:
        """Every grant, in file order."""
        return list(self._grants.values())

    def __len__(self) -> int:
        return len(self._grants)

    def __repr__(self) -> str:
        return f"TokenTable({len(self._grants)} tokens)"


def new_token() -> str:
    """A fresh random token: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def token_line(token: str, grant: Grant) -> str:
    """The token file line for ``token`` with ``grant``."""
    return digest_line(token_sha256(token), grant)


def digest_line(digest: bytes, grant: Grant) -> str:
    """The token file line of the token whose SHA-256 is ``digest``."""
    fields = [f"{_PREFIX}{digest.hex()}", f"role={grant.role}", f"tenant={grant.tenant}"]
    if grant.agent is not None:
        fields.append(f"agent={grant.agent}")
    if grant.name is not None:
        fields.append(f"name={grant.name}")
    return " ".join(fields)


def read_token_file(path: str) -> TokenTable:
    """The tokens of a token file; ``InvalidInput`` naming the file and
    the line of the first bad line (unknown role or key, a hash that is
    not 64 hex digits, ``agent=`` on another role than ``agent``, a token
    given twice)."""
    try:
        with open(path, "rb") as f:
            lines = f.read().splitlines()
    except OSError as exc:
        raise InvalidInput(f"cannot read token file {path!r}: {exc.strerror}") from None
    return parse_token_lines(lines, f"token file {path!r}")


def parse_token_lines(lines: Iterable[bytes], source: str = "token file") -> TokenTable:
    """The tokens of the lines of a token file (see :func:`read_token_file`)."""
    grants: dict[bytes, Grant] = {}
    seen: dict[bytes, int] = {}
    plain: list[int] = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith(b"#"):
            continue
        fields = line.split()
        try:
            if fields[0].startswith(_PREFIX.encode()):
                digest, grant = _hashed_line(fields)
            elif len(fields) == 1:  # the old form: one bare token
                digest, grant = token_sha256(line), Grant("admin")
                plain.append(number)
            else:
                raise InvalidInput(f"expected '{_PREFIX}<hex> role=<role> tenant=<tenant|*> [agent=<id>] "
                                   "[name=<label>]' or one plain token")
        except InvalidInput as exc:
            raise InvalidInput(f"{source} line {number}: {exc}") from None
        if digest in seen:
            raise InvalidInput(f"{source} line {number}: the same token as line {seen[digest]}")
        seen[digest] = number
        grants[digest] = grant
    if not grants:
        raise InvalidInput(f"{source} holds no token")
    if plain:
        log.warning("%s: %d plain token(s) (line %s) are deprecated and taken as role=admin tenant=*; "
                    "store each as its hash instead: 'sha256:<hex> role=<role> tenant=<tenant|*>', the hex "
                    "from `printf %%s TOKEN | sha256sum`, or make new ones with `ccroute token create`",
                    source, len(plain), ", ".join(map(str, plain)))
    return TokenTable(grants)


def _hashed_line(fields: list[bytes]) -> tuple[bytes, Grant]:
    try:
        text = [f.decode("ascii") for f in fields]
    except UnicodeDecodeError:
        raise InvalidInput("a hashed line is ASCII only") from None
    hexdigits = text[0][len(_PREFIX):]
    if not _HEX.fullmatch(hexdigits):
        # Never repeat it: a token pasted here by mistake would end up in logs.
        raise InvalidInput(f"'{_PREFIX}' must be followed by the 64 hex digits of the token's SHA-256 "
                           f"(found {len(hexdigits)} characters)")
    values: dict[str, str] = {}
    for i, field in enumerate(text[1:], 2):
        key, eq, value = field.partition("=")
        if not eq:
            raise InvalidInput(f"field {i} is not key=value (keys: {', '.join(_KEYS)})")
        if key not in _KEYS:
            raise InvalidInput(f"unknown key {key!r} (keys: {', '.join(_KEYS)})")
        if key in values:
            raise InvalidInput(f"{key}= given twice")
        values[key] = value
    for key in ("role", "tenant"):
        if key not in values:
            raise InvalidInput(f"no {key}= (a hashed line needs role= and tenant=)")
    grant = Grant(values["role"], values["tenant"], values.get("agent"), values.get("name"))
    return bytes.fromhex(hexdigits), grant
