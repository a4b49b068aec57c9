"""Rate limits and connection caps, keyed by participant and by session, never by address.

Everyone in a village hall shares one public IP address, so a limit per address would
let one flooding phone throttle the whole room. hostkit counts instead per participant
(their signed token names them) and per session, with the ``limits`` library. On one
node the counters live in memory; with several nodes (``shared`` is a Redis URL) they
live in Redis, so a limit or a session's cap counts every node's traffic. Nothing about
callers is written anywhere else. If Redis cannot answer, a node falls back to its own
counts rather than refuse everyone: Redis is never the authority for anything.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import uuid
from collections import Counter

import redis
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from hostkit.domain.rejections import Rejection

log = logging.getLogger(__name__)

# Generous for a person (a busy phone sends a few commands a second at most), tight
# enough that one script cannot fill the log.
COMMANDS_PER_PARTICIPANT = "600/minute"
JOINS_PER_SESSION = "600/minute"  # a full hall scanning the QR code at once
# Join codes are short enough to type, so guessing them is throttled. The one place
# hostkit counts by address (in memory only): a wrong code has no token or session to
# count by, and a hall's 300 phones do not mistype 120 codes a minute.
WRONG_CODES_PER_ADDRESS = "120/minute"
MAX_CONNECTIONS_PER_SESSION = 5000
NODE_TTL_S = 15  # a node that stops renewing (killed) stops counting after this

RATE_LIMITED = Rejection("rate_limited", "Too many requests at once: wait a moment and try again.")


class Guard:
    """Decides whether one more command, join or connection is admitted right now."""

    def __init__(
        self,
        *,
        commands_per_participant: str = COMMANDS_PER_PARTICIPANT,
        joins_per_session: str = JOINS_PER_SESSION,
        max_connections_per_session: int = MAX_CONNECTIONS_PER_SESSION,
        wrong_codes_per_address: str = WRONG_CODES_PER_ADDRESS,
        shared: str | None = None,
        prefix: str = "hostkit",
    ) -> None:
        storage: Storage = MemoryStorage()
        self._fallback = MovingWindowRateLimiter(storage)
        self._shared: SharedConnections | None = None
        if shared is not None:
            storage = RedisStorage(
                shared, key_prefix=f"{prefix}:limits", wrap_exceptions=True, socket_timeout=1
            )
            self._shared = SharedConnections(shared, prefix)
        self._limiter = MovingWindowRateLimiter(storage)
        self._per_participant: list[RateLimitItem] = parse_many(commands_per_participant)
        self._joins: list[RateLimitItem] = parse_many(joins_per_session)
        self._wrong_codes: list[RateLimitItem] = parse_many(wrong_codes_per_address)
        self.max_connections = max_connections_per_session
        self._connections: Counter[str] = Counter()

    def _hit(self, items: list[RateLimitItem], *key: str) -> bool:
        try:
            return self._hit_in(self._limiter, items, *key)
        except StorageError as error:
            log.warning("shared rate limits unavailable (%s): counting on this node", error)
            return self._hit_in(self._fallback, items, *key)

    @staticmethod
    def _hit_in(limiter: MovingWindowRateLimiter, items: list[RateLimitItem], *key: str) -> bool:
        # test every window before counting, so a refused request uses up nothing
        if not all(limiter.test(item, *key) for item in items):
            return False
        return all([limiter.hit(item, *key) for item in items])

    def admit(self, session_id: str, actor_id: str | None, command_type: str) -> Rejection | None:
        """None if the command may go ahead; the rate_limited rejection if not."""
        if actor_id is None:  # only joins arrive without an actor
            allowed = self._hit(self._joins, "join", session_id)
        else:
            allowed = self._hit(self._per_participant, "command", session_id, actor_id)
        return None if allowed else RATE_LIMITED

    def guessing(self, address: str) -> bool:
        """Whether this address has typed too many wrong join codes lately."""
        # kept per node: a guesser's address is held in memory only, never in Redis
        return not all(self._fallback.test(item, "code", address) for item in self._wrong_codes)

    def wrong_code(self, address: str) -> None:
        for item in self._wrong_codes:
            self._fallback.hit(item, "code", address)

    async def open_connection(self, session_id: str) -> bool:
        """Count a live connection in; False if the session already has its maximum.

        Redis is asked from a thread: its round trips must never stall the event loop,
        least of all while a restarted node's people all reconnect to the others at once.
        """
        if self._shared is not None:
            admitted = await asyncio.to_thread(self._shared.open, session_id, self.max_connections)
            if admitted is not None:
                if admitted:
                    self._connections[session_id] += 1
                return admitted
        if self._connections[session_id] >= self.max_connections:
            return False
        self._connections[session_id] += 1
        return True

    async def close_connection(self, session_id: str) -> None:
        self._connections[session_id] -= 1
        if self._connections[session_id] <= 0:
            del self._connections[session_id]
        if self._shared is not None:
            await asyncio.to_thread(self._shared.close, session_id)

    def renew(self) -> None:
        """Say this node is alive, so its connections keep counting (every few seconds)."""
        if self._shared is not None:
            self._shared.renew(self._connections)


class SharedConnections:
    """Live connections per session counted across nodes in Redis.

    Per session a hash holds each node's count; a node's counts only count while its
    own key, renewed every few seconds, has not expired, so a node killed outright
    stops holding places after ``NODE_TTL_S``. A node counts itself in first and backs
    out if that took the session over its cap: two nodes racing for the last place may
    both back out, never both get in.
    """

    def __init__(self, url: str, prefix: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._prefix = prefix
        self.node = uuid.uuid4().hex
        self._alive_key = f"{prefix}:node:{self.node}"

    def _key(self, session_id: str) -> str:
        return f"{self._prefix}:connections:{session_id}"

    def open(self, session_id: str, cap: int) -> bool | None:
        """Whether one more connection fits; None if Redis cannot say."""
        key = self._key(session_id)
        try:
            self._redis.set(self._alive_key, 1, ex=NODE_TTL_S)
            self._redis.hincrby(key, self.node, 1)
            if self.count(session_id) <= cap:
                return True
            self._redis.hincrby(key, self.node, -1)
            return False
        except redis.RedisError as error:
            log.warning("shared connection counts unavailable (%s): counting on this node", error)
            return None

    def count(self, session_id: str) -> int:
        """Connections to the session on every node still alive."""
        counts: dict[bytes, bytes] = self._redis.hgetall(self._key(session_id))  # type: ignore[assignment]
        if not counts:
            return 0
        nodes = list(counts)
        alive = self._redis.mget([f"{self._prefix}:node:{n.decode()}" for n in nodes])
        gone = [n for n, up in zip(nodes, alive, strict=True) if up is None]
        if gone:
            self._redis.hdel(self._key(session_id), *gone)
        return sum(int(counts[n]) for n, up in zip(nodes, alive, strict=True) if up is not None)

    def close(self, session_id: str) -> None:
        try:
            self._redis.hincrby(self._key(session_id), self.node, -1)
        except redis.RedisError as error:
            log.warning("shared connection counts unavailable (%s)", error)

    def renew(self, connections: Counter[str]) -> None:
        """Renew this node's key; after an outage, put its counts back as they are here."""
        try:
            if not self._redis.set(self._alive_key, 1, ex=NODE_TTL_S, xx=True):
                self._redis.set(self._alive_key, 1, ex=NODE_TTL_S)
                for session_id, count in connections.items():
                    self._redis.hset(self._key(session_id), self.node, count)
        except redis.RedisError as error:
            log.warning("shared connection counts unavailable (%s)", error)


def raise_open_file_limit() -> int:
    """Raise this process's open-file limit to the hard limit; return the new soft limit.

    Every live connection holds a file descriptor, and the usual soft limit (1,024) is
    far below a session's cap of connections.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            return wanted
        except (ValueError, OSError):
            return soft
    return soft
