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
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

from ..errors import InvalidInput, InvalidState, UnknownId
from .errors import ServiceUnavailable
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
    (the tokens it was given) and the tokens issued since, in memory.

    Every change (an API call, a SIGHUP reload, a refresh from Redis)
    runs under one lock from its check to the table it applies, so two
    changes never apply their tables out of order and a revoked token
    never comes back."""

    #: Where the tokens this store issues are kept.
    source = "api"
    #: Whether a token of the file may be revoked by API.
    file_revocable = True

    def __init__(self, file_table: TokenTable) -> None:
        self._lock = threading.RLock()
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

    def has(self, sha256: str) -> bool:
        """Whether the token whose SHA-256 is ``sha256`` (hex) is accepted."""
        digest = bytes.fromhex(sha256)
        with self._lock:
            return digest in self._file or digest in self._issued

    # -- changes --------------------------------------------------------------
    def create(self, grant: Grant) -> tuple[str, TokenInfo]:
        """Issue a token with ``grant``: kept first, then applied. Returns
        the token and what the API shows of it."""
        token = new_token()
        digest = token_sha256(token)
        with self._lock:
            self._add(digest, grant)
            self._publish()
        return token, TokenInfo(digest.hex(), grant, self.source)

    def revoke(self, sha256: str, name: str, covers: Callable[[str], bool]) -> list[TokenInfo]:
        """Revoke the token whose SHA-256 is ``sha256`` (hex), or every
        token named ``name``, among those ``covers`` accepts (by name,
        tokens of this server's file only where the API may revoke them).
        ``UnknownId`` when none matches, ``InvalidState`` when one cannot
        be revoked here or none would be left; nothing changes then."""
        with self._lock:
            chosen = [t for t in self.tokens(covers) if (t.sha256 == sha256 if sha256 else t.grant.name == name)]
            if name and not self.file_revocable and any(t.source != "file" for t in chosen):
                chosen = [t for t in chosen if t.source != "file"]
            if not chosen:
                what = f"sha256 {sha256}" if sha256 else f"name {name!r}"
                raise UnknownId(f"no token with {what} among the tokens this token may manage")
            files = [t for t in chosen if t.source == "file"]
            if files and not self.file_revocable:
                raise InvalidState(f"token {files[0].sha256[:12]}... is in this server's token file, not issued "
                                   "by API: remove its line there and send SIGHUP")
            digests = {bytes.fromhex(t.sha256) for t in chosen}
            if not (set(self._file) | set(self._issued)) - digests:
                raise InvalidState("revoking these would leave the server no token at all")
            self._remove(digests)
            self._publish()
        return chosen

    def revoke_tenant(self, tenant: str) -> list[TokenInfo]:
        """Revoke the tokens the API issued for ``tenant`` (its tenant was
        deleted: a new tenant of that name must not inherit them; those an
        operator wrote in a token file stay the operator's). Keeps them,
        and says so, when none would be left."""
        with self._lock:
            chosen = [t for t in self.tokens(lambda name: name == tenant) if t.source == "api"]
            if not chosen:
                return []
            digests = {bytes.fromhex(t.sha256) for t in chosen}
            if not (set(self._file) | set(self._issued)) - digests:
                log.warning("tenant %r deleted: its tokens are kept, they are the server's only ones", tenant)
                return []
            self._remove(digests)
            self._publish()
        return chosen

    def reload_file(self, table: TokenTable) -> None:
        """The token file was read again (SIGHUP): its tokens from now on."""
        with self._lock:
            self._file = dict(table.items())
            self._publish()

    # -- for subclasses (called under the lock) -------------------------------------
    def _add(self, digest: bytes, grant: Grant) -> None:
        self._issued[digest] = grant

    def _remove(self, digests: set[bytes]) -> None:
        for d in digests:
            self._issued.pop(d, None)
            self._file.pop(d, None)

    def _publish(self) -> None:
        if self._apply is not None:
            self._apply(self.table())


#: The comment a token file store writes above each token it issues.
ISSUED_MARK = b"# issued by CreateToken"


class FileTokenStore(TokenStore):
    """The token file at ``path`` is the store: an issued token is a line
    of it under a ``# issued by CreateToken`` comment (shown as ``api``),
    and every token in it may be revoked by API."""

    def __init__(self, path: str, file_table: TokenTable) -> None:
        super().__init__(file_table)
        self.path = path
        self._split(self._read())

    def reload_file(self, table: TokenTable) -> None:
        with self._lock:  # read again under the lock: never a table older than a rewrite
            self._split(self._read())
            self._publish()

    def _split(self, lines: list[bytes]) -> None:
        """The file's tokens: those under the mark (issued) and the others."""
        grants = dict(parse_token_lines(lines, f"token file {self.path!r}").items())
        self._file, self._issued = {}, {}
        marked = False
        for line in lines:
            digest = _line_digest(line)
            if digest is not None:
                (self._issued if marked else self._file)[digest] = grants[digest]
            marked = line.strip().startswith(ISSUED_MARK)

    def _add(self, digest: bytes, grant: Grant) -> None:
        lines = self._read()
        lines += [ISSUED_MARK + time.strftime(" %Y-%m-%dT%H:%M:%SZ", time.gmtime()).encode(),
                  digest_line(digest, grant).encode()]
        self._write(lines)
        self._split(lines)

    def _remove(self, digests: set[bytes]) -> None:
        lines = self._read()
        kept: list[bytes] = []
        for line in lines:
            if _line_digest(line) in digests:
                if kept and kept[-1].strip().startswith(ISSUED_MARK):
                    kept.pop()  # its mark goes with it
                continue
            kept.append(line)
        if not any(_line_digest(ln) is not None for ln in kept):  # the file as it is now, edits included
            raise InvalidState("revoking these would leave the server no token at all")
        self._write(kept)
        self._split(kept)

    def _read(self) -> list[bytes]:
        try:
            with open(self.path, "rb") as f:
                lines = f.read().splitlines()
        except OSError as exc:
            raise InvalidState(f"cannot read token file {self.path!r}: {exc.strerror}") from None
        try:  # as it is now: never build on a broken file
            parse_token_lines(lines, f"token file {self.path!r}")
        except InvalidInput as exc:
            raise InvalidState(f"{exc}; fix the file first") from None
        return lines

    def _write(self, lines: list[bytes]) -> None:
        """Replace the file by ``lines``: a temporary file next to the
        real file (through symbolic links), flushed to disk with the same
        mode and owner, renamed over it, and the directory flushed."""
        real = os.path.realpath(self.path)
        directory = os.path.dirname(real)
        try:
            st = os.stat(real)
            fd, tmp = tempfile.mkstemp(prefix=".ccroute-tokens-", dir=directory)
        except OSError as exc:
            raise InvalidState(f"cannot write token file {self.path!r}: {exc.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(b"".join(ln + b"\n" for ln in lines))
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, st.st_mode & 0o7777)
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except PermissionError:  # not ours to give away: the server's own user keeps it
                pass
            os.replace(tmp, real)
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise InvalidState(f"cannot write token file {self.path!r}: {exc.strerror}") from None


#: One change of the issued tokens and its version, atomically (one key:
#: also on a Redis Cluster). KEYS[1]: the hash; ARGV[1]: "add" with a
#: digest and its line, or "del" with digests. Returns the new version.
_CHANGE = """
if ARGV[1] == 'add' then
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
else
  for i = 2, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return redis.call('HINCRBY', KEYS[1], '#version', 1)
"""


class RedisTokenStore(TokenStore):
    """Issued tokens in Redis, shared by every server of the database;
    ``file_table`` (this server's token file) beside them."""

    VERSION = "#version"
    file_revocable = False

    def __init__(self, redis_client: Any, file_table: TokenTable, key: str = "ccroute:tokens") -> None:
        super().__init__(file_table)
        self.redis = redis_client
        self.key = key
        self._version = -1  # of the issued tokens held; never replaced by an older one
        self._change: Any = redis_client.register_script(_CHANGE)
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
                    log.warning("issued tokens: cannot read them from Redis (%s); the known ones stay in force "
                                "until it answers", exc)
                    self._failing = True

    def _refresh(self) -> None:
        with self._lock:
            version = int(self.redis.hget(self.key, self.VERSION) or 0)
            if version <= self._version:
                return
            fields = self.redis.hgetall(self.key)
            issued: dict[bytes, Grant] = {}
            for field, line in fields.items():
                if field == self.VERSION.encode():
                    continue
                try:  # one bad entry must not hide the others (nor their revocations)
                    issued.update(parse_token_lines([line], f"Redis {self.key} entry {field.decode(errors='replace')}").items())
                except InvalidInput as exc:
                    log.error("issued tokens: %s; entry ignored", exc)
            self._issued = issued
            self._version = int(fields.get(self.VERSION.encode(), 0))
            self._publish()

    def _add(self, digest: bytes, grant: Grant) -> None:
        self._changed(["add", digest.hex(), digest_line(digest, grant)])
        super()._add(digest, grant)

    def _remove(self, digests: set[bytes]) -> None:
        self._changed(["del", *(d.hex() for d in digests)])
        super()._remove(digests)

    def _changed(self, args: list[str]) -> None:
        try:
            version = int(self._change(keys=[self.key], args=args))
        except Exception as exc:  # nothing changed: say why, as UNAVAILABLE
            raise ServiceUnavailable(f"cannot change the issued tokens in Redis: {exc}") from None
        if version == self._version + 1:  # else another server changed them too: the next refresh reads all
            self._version = version


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
