"""Where a server's bearer tokens are kept, and the tokens issued by API
(``CreateToken``, ``RevokeToken``, ``ListTokens``), so that a platform
gives a new customer its credentials with one call instead of editing
every server's token file.

A server accepts the tokens of its ``--token-file`` and those issued:

- with ``--redis`` (:class:`RedisTokenStore`) issued tokens are kept in
  Redis, in the hash ``ccroute:tokens`` (the token's SHA-256 in hex to its
  token-file line, and a ``#version`` counter bumped by every change).
  Every server of the database reads them at start and again within a
  second of a change, so a token issued on one server works on all of
  them, and a revoked one stops working on all of them. The tokens of a
  server's own file stay that file's: the API cannot revoke them;
- without Redis (:class:`FileTokenStore`) the token file is the store: an
  issued token is appended as a line and a revoked one's line removed,
  each time by writing a temporary file next to it and renaming it over
  the file (comments and other lines are kept);
- a server made by ``create_server(tokens=...)`` without a file
  (:class:`TokenStore`) keeps issued tokens in memory only.

Only digests are stored; a token itself is returned once, by
``CreateToken``. Every change is applied to the running server by the
callback given to :meth:`TokenStore.bind` (the front end's digests and
the role checks), as a SIGHUP reload of the token file is.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Optional

from ..errors import InvalidInput, InvalidState, UnknownId
from .tokens import Grant, TokenTable, digest_line, new_token, parse_token_lines, token_sha256

__all__ = ["TokenInfo", "TokenStore", "FileTokenStore", "RedisTokenStore", "check_sha256"]

log = logging.getLogger("ccroute.server")

#: Seconds between two reads of the Redis version counter.
POLL_EVERY = 1.0


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """One token as the API shows it: its SHA-256 (hex), its grant, and
    where it is kept (``api`` or ``file``)."""

    sha256: str
    grant: Grant
    source: str


class TokenStore:
    """The tokens of a server made without a token file: ``file_table``
    (the tokens it was given) and the tokens issued since, in memory."""

    #: Where the tokens this store issues are kept.
    source = "api"

    def __init__(self, file_table: TokenTable) -> None:
        self._lock = threading.Lock()
        self._file: dict[bytes, Grant] = dict(file_table.items())
        self._issued: dict[bytes, Grant] = {}
        self._apply: Optional[Callable[[TokenTable], bool]] = None

    def bind(self, apply: Callable[[TokenTable], bool]) -> None:
        """Call ``apply`` with the whole table after every change."""
        self._apply = apply

    def start(self) -> "TokenStore":
        return self

    def stop(self) -> None:
        pass

    # -- reads ----------------------------------------------------------------
    def table(self) -> TokenTable:
        """Every token this server accepts now."""
        with self._lock:
            return TokenTable({**self._issued, **self._file})

    def tokens(self, covers: Callable[[str], bool]) -> list[TokenInfo]:
        """The tokens of the tenants ``covers`` accepts, file tokens first."""
        with self._lock:
            found = [TokenInfo(d.hex(), g, "file") for d, g in self._file.items()]
            found += [TokenInfo(d.hex(), g, self.source) for d, g in self._issued.items() if d not in self._file]
        return [t for t in found if covers(t.grant.tenant)]

    # -- changes --------------------------------------------------------------
    def create(self, grant: Grant) -> tuple[str, TokenInfo]:
        """Issue a token with ``grant``: kept first, then applied. Returns
        the token and what the API shows of it."""
        token = new_token()
        digest = token_sha256(token)
        self._add(digest, grant)
        self._publish()
        return token, TokenInfo(digest.hex(), grant, self.source)

    def revoke(self, sha256: str, name: str, covers: Callable[[str], bool]) -> list[TokenInfo]:
        """Revoke the token whose SHA-256 is ``sha256`` (hex), or every
        token named ``name``, among those ``covers`` accepts. ``UnknownId``
        when none matches, ``InvalidState`` when one cannot be revoked here
        or none would be left; nothing changes then."""
        chosen = [t for t in self.tokens(covers) if (t.sha256 == sha256 if sha256 else t.grant.name == name)]
        if not chosen:
            what = f"sha256 {sha256}" if sha256 else f"name {name!r}"
            raise UnknownId(f"no token with {what} among the tokens this token may manage")
        self._refuse_file_tokens(chosen)
        digests = {bytes.fromhex(t.sha256) for t in chosen}
        with self._lock:
            if not (set(self._file) | set(self._issued)) - digests:
                raise InvalidState("revoking these would leave the server no token at all")
        self._remove(digests)
        self._publish()
        return chosen

    def reload_file(self, table: TokenTable) -> None:
        """The token file was read again (SIGHUP): its tokens from now on."""
        with self._lock:
            self._file = dict(table.items())
        self._publish()

    # -- for subclasses -----------------------------------------------------------
    def _refuse_file_tokens(self, chosen: Iterable[TokenInfo]) -> None:
        pass

    def _add(self, digest: bytes, grant: Grant) -> None:
        with self._lock:
            self._issued[digest] = grant

    def _remove(self, digests: set[bytes]) -> None:
        with self._lock:
            for d in digests:
                self._issued.pop(d, None)
                self._file.pop(d, None)

    def _publish(self) -> None:
        if self._apply is not None:
            self._apply(self.table())


class FileTokenStore(TokenStore):
    """The token file at ``path`` is the store: issued tokens are lines of
    it, and every token in it may be revoked by API."""

    source = "file"

    def __init__(self, path: str, file_table: TokenTable) -> None:
        super().__init__(file_table)
        self.path = path
        self._write_lock = threading.Lock()  # one rewrite of the file at a time

    def _add(self, digest: bytes, grant: Grant) -> None:
        with self._write_lock:
            lines = self._read()
            lines.append(digest_line(digest, grant).encode())
            self._write(lines)
            with self._lock:
                self._file[digest] = grant

    def _remove(self, digests: set[bytes]) -> None:
        with self._write_lock:
            self._write([ln for ln in self._read() if _line_digest(ln) not in digests])
            with self._lock:
                for d in digests:
                    self._file.pop(d, None)

    def _read(self) -> list[bytes]:
        try:
            with open(self.path, "rb") as f:
                lines = f.read().splitlines()
        except OSError as exc:
            raise InvalidState(f"cannot read token file {self.path!r}: {exc.strerror}") from None
        parse_token_lines(lines, f"token file {self.path!r}")  # as it is now: refuse to build on a broken file
        return lines

    def _write(self, lines: list[bytes]) -> None:
        """Replace the file by ``lines``: a temporary file next to it,
        flushed to disk, renamed over it (same permissions)."""
        directory = os.path.dirname(os.path.abspath(self.path))
        try:
            mode = os.stat(self.path).st_mode & 0o7777
            fd, tmp = tempfile.mkstemp(prefix=".ccroute-tokens-", dir=directory)
        except OSError as exc:
            raise InvalidState(f"cannot write token file {self.path!r}: {exc.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(b"".join(ln + b"\n" for ln in lines))
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, self.path)
        except OSError as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise InvalidState(f"cannot write token file {self.path!r}: {exc.strerror}") from None


class RedisTokenStore(TokenStore):
    """Issued tokens in Redis, shared by every server of the database;
    ``file_table`` (this server's token file) beside them."""

    VERSION = "#version"

    def __init__(self, redis_client: Any, file_table: TokenTable, key: str = "ccroute:tokens") -> None:
        super().__init__(file_table)
        self.redis = redis_client
        self.key = key
        self._version: Optional[bytes] = None
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._failing = False

    def start(self) -> "RedisTokenStore":
        self._refresh()  # tokens issued before this server started work at once
        self._thread = threading.Thread(target=self._run, name="ccroute-tokens", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)

    def _run(self) -> None:
        while not self._stop.wait(POLL_EVERY):
            try:
                self._refresh()
                if self._failing:
                    log.info("issued tokens: Redis answers again")
                    self._failing = False
            except Exception as exc:  # Redis away: keep the tokens known, say it once
                if not self._failing:
                    log.warning("issued tokens: cannot read them from Redis (%s); the known ones stay in force", exc)
                    self._failing = True

    def _refresh(self) -> None:
        version = self.redis.hget(self.key, self.VERSION)
        if version == self._version:
            return
        fields = self.redis.hgetall(self.key)
        lines = [v for k, v in fields.items() if k != self.VERSION.encode()]
        issued = dict(parse_token_lines(lines, f"Redis {self.key}").items()) if lines else {}
        with self._lock:
            self._issued = issued
            self._version = fields.get(self.VERSION.encode())
        self._publish()

    def _refuse_file_tokens(self, chosen: Iterable[TokenInfo]) -> None:
        files = [t for t in chosen if t.source == "file"]
        if files:
            raise InvalidState(f"token {files[0].sha256[:12]}... is in this server's token file, not issued by API: "
                               "remove its line there and send SIGHUP")

    # The change, then the version: a server that reads the new version
    # reads the change with it (one key, so also on a Redis Cluster).
    def _add(self, digest: bytes, grant: Grant) -> None:
        self.redis.hset(self.key, digest.hex(), digest_line(digest, grant))
        self.redis.hincrby(self.key, self.VERSION, 1)
        super()._add(digest, grant)

    def _remove(self, digests: set[bytes]) -> None:
        self.redis.hdel(self.key, *(d.hex() for d in digests))
        self.redis.hincrby(self.key, self.VERSION, 1)
        super()._remove(digests)


def _line_digest(line: bytes) -> Optional[bytes]:
    """The digest a token file line holds (``None`` for a blank line or a
    comment)."""
    text = line.strip()
    if not text or text.startswith(b"#"):
        return None
    first = text.split()[0]
    if first.startswith(b"sha256:"):
        try:
            return bytes.fromhex(first[len(b"sha256:"):].decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            return None
    return token_sha256(text)  # the old form: a bare token


def check_sha256(value: str) -> str:
    """``value`` as 64 lower-case hex digits, else ``InvalidInput``."""
    text = value.strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise InvalidInput(f"sha256 must be the 64 hex digits of a token's SHA-256 (found {len(value)} characters)")
    return text
