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
import contextlib
import logging
import resource
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter as SharedLimiter
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

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
RETRY_REDIS_S = 2.0  # after Redis failed to answer, count on this node this long

RATE_LIMITED = Rejection("rate_limited", "Too many requests at once: wait a moment and try again.")


def _client_options() -> dict[str, object]:
    """One try per call, a second at most: a command must not wait on a Redis that is
    down (redis-py's default retries with back-off for seconds); the node counts alone."""
    return {
        "socket_timeout": 1,
        "socket_connect_timeout": 1,
        "retry": Retry(NoBackoff(), 0),
    }


class _Outage:
    """Whether Redis is worth asking: after a failure, not for ``RETRY_REDIS_S``, so a
    Redis that is down costs one warning and one failed try per interval, not one per
    command."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._until = 0.0
        self._down = False

    def up(self) -> bool:
        return time.monotonic() >= self._until

    def failed(self, error: Exception) -> None:
        if not self._down:
            log.warning("shared %s unavailable (%s): counting on this node", self._what, error)
        self._down = True
        self._until = time.monotonic() + RETRY_REDIS_S

    def answered(self) -> None:
        if self._down:
            log.warning("shared %s available again: counting across nodes", self._what)
        self._down = False


class LocalCounts(MemoryStorage):
    """``limits``' in-memory storage, its old entries dropped once a second at most.

    The library drops them from a ``threading.Timer`` that it starts again on any hit
    made after the last timer ran out (10 ms): at a phone's pace that is a new thread for
    nearly every command, 0.4 ms of the command's time (bench/README.md), and a pass over
    every key each time. Here the next hit after a second does that pass instead.
    """

    EVERY_S = 1.0

    def __init__(self) -> None:
        super().__init__()
        self._swept = time.monotonic()

    def _MemoryStorage__schedule_expiry(self) -> None:  # the library's hook, per hit
        now = time.monotonic()
        if now - self._swept >= self.EVERY_S:
            self._swept = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


class Guard:
    """Decides whether one more command, join or connection is admitted right now.

    Everything that may ask Redis is a coroutine on the event loop (the asyncio API of
    ``limits`` and of redis-py): a blocking round trip here would stall every
    connection's fan-out on the node.
    """

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
        # in memory: pure computation, no I/O, so it is called synchronously
        self._local = MovingWindowRateLimiter(LocalCounts())
        self._limiter: SharedLimiter | None = None
        self._shared: SharedConnections | None = None
        self._outage = _Outage("rate limits")
        if shared is not None:
            storage = RedisStorage(
                f"async+{shared}",
                implementation="redispy",
                key_prefix=f"{prefix}:limits",
                wrap_exceptions=True,
                **_client_options(),  # type: ignore[arg-type]
            )
            self._limiter = SharedLimiter(storage)
            self._shared = SharedConnections(shared, prefix)
        self._per_participant: list[RateLimitItem] = parse_many(commands_per_participant)
        self._joins: list[RateLimitItem] = parse_many(joins_per_session)
        self._wrong_codes: list[RateLimitItem] = parse_many(wrong_codes_per_address)
        self.max_connections = max_connections_per_session
        self._connections: Counter[str] = Counter()

    async def _hit(self, items: list[RateLimitItem], *key: str) -> bool:
        if self._limiter is not None and self._outage.up():
            try:
                allowed = await self._hit_shared(self._limiter, items, *key)
            except StorageError as error:
                self._outage.failed(error)
            else:
                self._outage.answered()
                return allowed
        return self._hit_local(items, *key)

    @staticmethod
    async def _hit_shared(limiter: SharedLimiter, items: list[RateLimitItem], *key: str) -> bool:
        if len(items) == 1:  # one round trip: acquiring tests and counts atomically
            return await limiter.hit(items[0], *key)
        # test every window before counting, so a refused request uses up nothing
        if not all(await asyncio.gather(*(limiter.test(item, *key) for item in items))):
            return False
        return all(await asyncio.gather(*(limiter.hit(item, *key) for item in items)))

    def _hit_local(self, items: list[RateLimitItem], *key: str) -> bool:
        if not all(self._local.test(item, *key) for item in items):
            return False
        return all([self._local.hit(item, *key) for item in items])

    async def admit(
        self, session_id: str, actor_id: str | None, command_type: str
    ) -> Rejection | None:
        """None if the command may go ahead; the rate_limited rejection if not."""
        if actor_id is None:  # only joins arrive without an actor
            allowed = await self._hit(self._joins, "join", session_id)
        else:
            allowed = await self._hit(self._per_participant, "command", session_id, actor_id)
        return None if allowed else RATE_LIMITED

    def guessing(self, address: str) -> bool:
        """Whether this address has typed too many wrong join codes lately."""
        # kept per node: a guesser's address is held in memory only, never in Redis
        return not all(self._local.test(item, "code", address) for item in self._wrong_codes)

    def wrong_code(self, address: str) -> None:
        for item in self._wrong_codes:
            self._local.hit(item, "code", address)

    async def open_connection(self, session_id: str) -> bool:
        """Count a live connection in; False if the session already has its maximum."""
        if self._shared is not None:
            async with self._shared.counting():
                admitted = await self._shared.open(session_id, self.max_connections)
                if admitted is not None:
                    if admitted:
                        self._connections[session_id] += 1
                    return admitted
        if self._connections[session_id] >= self.max_connections:
            return False
        self._connections[session_id] += 1
        return True

    async def close_connection(self, session_id: str) -> None:
        if self._shared is None:
            self._uncount(session_id)
            return
        async with self._shared.counting():
            self._uncount(session_id)
            await self._shared.close(session_id)

    def _uncount(self, session_id: str) -> None:
        self._connections[session_id] -= 1
        if self._connections[session_id] <= 0:
            del self._connections[session_id]

    async def renew(self) -> None:
        """Say this node is alive, so its connections keep counting (every few seconds)."""
        if self._shared is not None:
            await self._shared.renew(self._connections)

    async def close(self) -> None:
        """Let go of the Redis connections (at shutdown)."""
        if self._shared is not None:
            await self._shared.aclose()
        if self._limiter is not None:
            storage = self._limiter.storage
            assert isinstance(storage, RedisStorage)
            with contextlib.suppress(RedisError, AttributeError):
                await storage.bridge.storage.aclose()  # type: ignore[attr-defined]


# Count one more connection of this node to a session, atomically: drop the entries of
# nodes whose key has expired (killed), and back out if that took the session over its
# cap. KEYS: the session's hash, this node's key. ARGV: node, cap, ttl, node key prefix.
_OPEN = """
redis.call('SET', KEYS[2], 1, 'EX', ARGV[3])
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
local counts = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #counts, 2 do
  if redis.call('EXISTS', ARGV[4] .. counts[i]) == 1 then
    total = total + tonumber(counts[i + 1])
  else
    redis.call('HDEL', KEYS[1], counts[i])
  end
end
if total > tonumber(ARGV[2]) then
  redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
  return 0
end
return 1
"""

# Counting out: a node's field goes once it holds no connection, and with the last field
# the session's hash goes too (Redis drops an empty hash), so an ended session leaves
# nothing behind. One script, so a count in on the same node cannot fall in between.
_CLOSE = """
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
"""


class SharedConnections:
    """Live connections per session counted across nodes in Redis.

    Per session a hash holds each node's count; a node's counts only count while its
    own key, renewed every few seconds, has not expired, so a node killed outright
    stops holding places after ``NODE_TTL_S``. Counting in is one Lua script, so two
    nodes racing for the last place never both get it (nor both lose it). Everything
    runs on the event loop; a renewal that has to put this node's counts back (Redis
    restarted, or the key expired) waits until no count is on its way, so the counts it
    writes are exactly this node's.
    """

    def __init__(self, url: str, prefix: str) -> None:
        self._redis = aioredis.Redis.from_url(url, **_client_options())  # type: ignore[arg-type]
        self._open = self._redis.register_script(_OPEN)
        self._close = self._redis.register_script(_CLOSE)
        self._prefix = prefix
        self.node = uuid.uuid4().hex
        self._alive_key = f"{prefix}:node:{self.node}"
        self._outage = _Outage("connection counts")
        self._astray: set[str] = set()  # sessions whose counts in or out missed Redis
        self._busy = 0
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._restoring = asyncio.Lock()

    def _key(self, session_id: str) -> str:
        return f"{self._prefix}:connections:{session_id}"

    @contextlib.asynccontextmanager
    async def counting(self) -> AsyncIterator[None]:
        """Around one count in or out, here and in Redis: not while counts are restored."""
        while self._restoring.locked():
            async with self._restoring:
                pass
        self._busy += 1
        self._quiet.clear()
        try:
            yield
        finally:
            self._busy -= 1
            if not self._busy:
                self._quiet.set()

    async def open(self, session_id: str, cap: int) -> bool | None:
        """Whether one more connection fits; None if Redis cannot say."""
        if not self._outage.up():
            self._astray.add(session_id)
            return None
        try:
            keys = [self._key(session_id), self._alive_key]
            admitted = await self._open(
                keys=keys, args=[self.node, cap, NODE_TTL_S, f"{self._prefix}:node:"]
            )
        except RedisError as error:
            self._astray.add(session_id)
            self._outage.failed(error)
            return None
        self._outage.answered()
        return bool(admitted)

    async def count(self, session_id: str) -> int:
        """Connections to the session on every node still alive."""
        found = await self._redis.hgetall(self._key(session_id))
        counts = {_text(n): int(c) for n, c in found.items()}
        if not counts:
            return 0
        alive = await self._redis.mget([f"{self._prefix}:node:{n}" for n in counts])
        return sum(c for c, up in zip(counts.values(), alive, strict=True) if up is not None)

    async def close(self, session_id: str) -> None:
        if not self._outage.up():
            self._astray.add(session_id)  # put right by the renewal once Redis is back
            return
        try:
            await self._close(keys=[self._key(session_id)], args=[self.node])
        except RedisError as error:
            self._astray.add(session_id)
            self._outage.failed(error)

    async def renew(self, connections: Counter[str]) -> None:
        """Renew this node's key; after an outage, put its counts back as they are here."""
        try:
            renewed = await self._redis.set(self._alive_key, 1, ex=NODE_TTL_S, xx=True)
            if renewed and not self._astray:
                self._outage.answered()
                return
            async with self._restoring:  # new counts wait; those under way finish
                await self._quiet.wait()
                astray, self._astray = self._astray, set()
                pipe = self._redis.pipeline(transaction=True)
                pipe.set(self._alive_key, 1, ex=NODE_TTL_S)
                for session_id in astray | set(connections):
                    if connections.get(session_id, 0) > 0:
                        pipe.hset(self._key(session_id), self.node, connections[session_id])
                    else:
                        pipe.hdel(self._key(session_id), self.node)
                try:
                    await pipe.execute()
                except RedisError:
                    self._astray |= astray
                    raise
            self._outage.answered()
        except RedisError as error:
            self._outage.failed(error)

    async def aclose(self) -> None:
        with contextlib.suppress(RedisError):
            await self._redis.aclose()


def _text(name: bytes | str) -> str:
    return name.decode() if isinstance(name, bytes) else name


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
