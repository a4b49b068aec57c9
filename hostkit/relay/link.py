"""A venue link, read: where the server is, which session, and the hall laptop's token."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True, slots=True)
class Upstream:
    base: str  # http(s)://host[:port][/prefix]
    session_id: str
    token: str

    @property
    def ws_url(self) -> str:
        scheme = "wss" if self.base.startswith("https://") else "ws"
        return f"{scheme}://{self.base.split('://', 1)[1]}/api/sessions/{self.session_id}/live"

    @property
    def events_url(self) -> str:
        return f"{self.base}/api/sessions/{self.session_id}/events"

    @property
    def photos_url(self) -> str:
        """Where the hall's photos go (as the phones' own uploads do on the server)."""
        return f"{self.base}/s/{self.session_id}/photos"

    def photo_url(self, photo_id: str) -> str:
        return f"{self.photos_url}/{photo_id}"


def read_venue_link(link: str) -> Upstream:
    """``BASE/s/{id}/relay?key=TOKEN`` -> its parts; ValueError says what is wrong."""
    parts = urlsplit(link.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("a venue link starts with http:// or https://")
    head, sep, tail = parts.path.rpartition("/s/")
    session_id, _, page = tail.partition("/")
    token = parse_qs(parts.query).get("key", [""])[0]
    if not sep or page != "relay" or not session_id or not token:
        raise ValueError("that is not a hall laptop link (…/s/SESSION/relay?key=…)")
    return Upstream(f"{parts.scheme}://{parts.netloc}{head}", session_id, token)
