"""Rate limits and connection caps, keyed by participant and by session, never by address.

Everyone in a village hall shares one public IP address, so a limit per address would
let one flooding phone throttle the whole room. hostkit counts instead per participant
(their signed token names them) and per session, with the ``limits`` library's
in-memory storage: counters live only in this process and nothing about callers is
written anywhere.
"""

from __future__ import annotations

from collections import Counter

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from hostkit.domain.rejections import Rejection

# Generous for a person (a busy phone sends a few commands a second at most), tight
# enough that one script cannot fill the log.
COMMANDS_PER_PARTICIPANT = "600/minute"
JOINS_PER_SESSION = "600/minute"  # a full hall scanning the QR code at once
# Join codes are short enough to type, so guessing them is throttled. The one place
# hostkit counts by address (in memory only): a wrong code has no token or session to
# count by, and a hall's 300 phones do not mistype 120 codes a minute.
WRONG_CODES_PER_ADDRESS = "120/minute"
MAX_CONNECTIONS_PER_SESSION = 1000

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
    ) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._per_participant: list[RateLimitItem] = parse_many(commands_per_participant)
        self._joins: list[RateLimitItem] = parse_many(joins_per_session)
        self._wrong_codes: list[RateLimitItem] = parse_many(wrong_codes_per_address)
        self.max_connections = max_connections_per_session
        self._connections: Counter[str] = Counter()

    def _hit(self, items: list[RateLimitItem], *key: str) -> bool:
        # test every window before counting, so a refused request uses up nothing
        if not all(self._limiter.test(item, *key) for item in items):
            return False
        return all([self._limiter.hit(item, *key) for item in items])

    def admit(self, session_id: str, actor_id: str | None, command_type: str) -> Rejection | None:
        """None if the command may go ahead; the rate_limited rejection if not."""
        if actor_id is None:  # only joins arrive without an actor
            allowed = self._hit(self._joins, "join", session_id)
        else:
            allowed = self._hit(self._per_participant, "command", session_id, actor_id)
        return None if allowed else RATE_LIMITED

    def guessing(self, address: str) -> bool:
        """Whether this address has typed too many wrong join codes lately."""
        return not all(self._limiter.test(item, "code", address) for item in self._wrong_codes)

    def wrong_code(self, address: str) -> None:
        for item in self._wrong_codes:
            self._limiter.hit(item, "code", address)

    def open_connection(self, session_id: str) -> bool:
        """Count a live connection in; False if the session already has its maximum."""
        if self._connections[session_id] >= self.max_connections:
            return False
        self._connections[session_id] += 1
        return True

    def close_connection(self, session_id: str) -> None:
        self._connections[session_id] -= 1
        if self._connections[session_id] <= 0:
            del self._connections[session_id]
