"""The base URL that goes into the room's QR code and join links.

Phones in the hall scan that code, so it must name an address they can reach: never
localhost, 127.x or ::1, which on a phone means the phone itself. Interface
addresses are read locally through ``ifaddr``; nothing here sends network traffic.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

import ifaddr

_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - recognised, not bound
_LOCALHOST_NAMES = frozenset(
    {
        "localhost",
        "localhost.localdomain",
        "localhost4",
        "localhost6",
        "ip6-localhost",
        "ip6-loopback",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}

# Home and venue Wi-Fi is nearly always 192.168/16 or 10/8; 172.16/12 is also where
# Docker and similar put their bridges, which phones cannot reach, so it comes after.
_PREFERRED_NETWORKS = (
    ipaddress.IPv4Network("192.168.0.0/16"),
    ipaddress.IPv4Network("10.0.0.0/8"),
    ipaddress.IPv4Network("172.16.0.0/12"),
)


class NoReachableAddress(Exception):
    """This machine has no address that other devices could use to reach it."""


def lan_addresses() -> list[str]:
    """Return this machine's IPv4 addresses that other devices could use, best first.

    Loopback, link-local, unspecified and multicast addresses are left out. Private
    ranges come before anything else, so a laptop on venue Wi-Fi offers its Wi-Fi
    address ahead of, say, a public address of a VPN.
    """
    ipv4 = (
        ip.ip
        for adapter in ifaddr.get_adapters()
        for ip in adapter.ips
        if isinstance(ip.ip, str)  # IPv6 entries are tuples
    )
    return _best_first(ipv4)


def base_url(*, host: str, port: int, public_url: str | None) -> str:
    """Return the URL, without trailing slash, that devices in the room should open.

    ``public_url`` (the operator's ``--public-url``, e.g. behind a reverse proxy) wins;
    then the address the server is bound to, if it is a specific non-loopback one;
    then this machine's best LAN address; then its fully qualified domain name.

    Raises ValueError for a malformed ``public_url`` or port, and NoReachableAddress
    when nothing but loopback is available.
    """
    if public_url is not None:
        return _normalise_public_url(public_url)
    if not 0 < port < 65536:
        raise ValueError(f"port must be between 1 and 65535, got {port}")
    url_host = _specific_host(host)
    if url_host is None:
        candidates = lan_addresses()
        url_host = candidates[0] if candidates else _usable_fqdn(socket.getfqdn())
    netloc = url_host if port == _DEFAULT_PORTS["http"] else f"{url_host}:{port}"
    return f"http://{netloc}"


def _normalise_public_url(public_url: str) -> str:
    text = public_url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - parsing the port is what validates it
    except ValueError as error:
        raise ValueError(f"--public-url {public_url!r} is not a valid URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"--public-url must start with http:// or https://, got {public_url!r}")
    if not parts.hostname:
        raise ValueError(f"--public-url {public_url!r} has no host name")
    if parts.query or parts.fragment:
        raise ValueError(
            f"--public-url {public_url!r} must not have a query or fragment; "
            "join paths are added after it"
        )
    if _is_localhost(parts.hostname):
        raise ValueError(
            f"--public-url {public_url!r} points at this machine's loopback address, "
            "which phones cannot reach; give an address or name they can"
        )
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _specific_host(host: str) -> str | None:
    """Return the bind host as it goes in a URL, or None if it is wildcard or loopback."""
    bare = host.strip().removeprefix("[").removesuffix("]")
    if bare in _WILDCARD_HOSTS or _is_localhost(bare):
        return None
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return bare  # a host name the operator chose to bind to
    if address.is_unspecified:
        return None
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


def _usable_fqdn(name: str) -> str:
    """Return this machine's name if other devices might resolve it to us."""
    if not name or _is_localhost(name) or _is_unreachable_ip(name):
        raise NoReachableAddress(
            "cannot find an address of this machine that phones in the room could reach "
            f"(no LAN address; host name {name!r} is local only). Connect to the venue "
            "network, or pass --public-url with the address people should open."
        )
    return name


def _is_localhost(host: str) -> bool:
    name = host.lower().rstrip(".")
    if name in _LOCALHOST_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_unreachable_ip(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return address.is_loopback or address.is_link_local or address.is_unspecified


def _best_first(candidates: Iterable[str]) -> list[str]:
    """Return the usable IPv4 addresses among ``candidates``, deduplicated, best first."""
    found: list[ipaddress.IPv4Address] = []
    for text in candidates:
        address = ipaddress.IPv4Address(text)
        if _usable(address) and address not in found:
            found.append(address)
    found.sort(key=_preference)  # stable: keeps interface order within a rank
    return [str(address) for address in found]


def _usable(address: ipaddress.IPv4Address) -> bool:
    return not (
        address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
    )


def _preference(address: ipaddress.IPv4Address) -> int:
    for rank, network in enumerate(_PREFERRED_NETWORKS):
        if address in network:
            return rank
    if address.is_private:
        return len(_PREFERRED_NETWORKS)
    # A public address may be reachable over mobile data; shared (carrier-grade NAT,
    # often VPN) and reserved ones hardly ever are.
    return len(_PREFERRED_NETWORKS) + (1 if address.is_global else 2)
