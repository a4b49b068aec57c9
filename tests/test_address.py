"""The room's base URL: phones must never be sent to localhost."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import pytest

from hostkit.joining.address import (
    NoReachableAddress,
    _best_first,
    _usable_fqdn,
    base_url,
    lan_addresses,
)

LOOPBACK_HOSTS = ["127.0.0.1", "127.1.2.3", "localhost", "LocalHost", "::1", "[::1]"]
WILDCARD_HOSTS = ["0.0.0.0", "::", ""]


def assert_reachable_host(url: str) -> None:
    hostname = urlsplit(url).hostname
    assert hostname
    assert hostname != "localhost"
    assert not hostname.endswith(".localhost")
    try:
        assert not ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        pass  # a name, not an address


def url_or_no_address(*, host: str, port: int) -> str | None:
    """base_url, or None where this machine truly has nothing reachable."""
    try:
        return base_url(host=host, port=port, public_url=None)
    except NoReachableAddress:
        return None


def test_lan_addresses_are_ipv4_and_never_loopback_or_link_local() -> None:
    addresses = lan_addresses()
    assert len(addresses) == len(set(addresses))
    for text in addresses:
        address = ipaddress.ip_address(text)
        assert address.version == 4
        assert not address.is_loopback
        assert not address.is_link_local
        assert not address.is_unspecified


def test_lan_addresses_list_private_ranges_first() -> None:
    private = [ipaddress.ip_address(a).is_private for a in lan_addresses()]
    assert private == sorted(private, reverse=True)


@pytest.mark.parametrize("host", WILDCARD_HOSTS + LOOPBACK_HOSTS)
def test_base_url_never_yields_a_loopback_host(host: str) -> None:
    url = url_or_no_address(host=host, port=8000)
    if url is not None:
        assert_reachable_host(url)


def test_wildcard_bind_uses_the_best_lan_address() -> None:
    addresses = lan_addresses()
    if not addresses:
        pytest.skip("this machine has no LAN address")
    assert base_url(host="0.0.0.0", port=8000, public_url=None) == f"http://{addresses[0]}:8000"


def test_specific_bind_address_is_used_as_given() -> None:
    assert base_url(host="192.168.1.20", port=8000, public_url=None) == "http://192.168.1.20:8000"
    assert base_url(host="hall-pi.local", port=8000, public_url=None) == "http://hall-pi.local:8000"


def test_specific_ipv6_bind_address_is_bracketed() -> None:
    url = base_url(host="fd00::2", port=8000, public_url=None)
    assert url == "http://[fd00::2]:8000"
    assert urlsplit(url).port == 8000


def test_default_http_port_is_left_out() -> None:
    assert base_url(host="10.0.0.5", port=80, public_url=None) == "http://10.0.0.5"


@pytest.mark.parametrize("port", [0, -1, 65536])
def test_impossible_ports_are_refused(port: int) -> None:
    with pytest.raises(ValueError, match="port"):
        base_url(host="10.0.0.5", port=port, public_url=None)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://hall.example.org", "https://hall.example.org"),
        ("https://hall.example.org/", "https://hall.example.org"),
        ("  HTTPS://hall.example.org/hosting//  ", "https://hall.example.org/hosting"),
        ("http://192.168.1.20:8080/", "http://192.168.1.20:8080"),
    ],
)
def test_public_url_wins_and_is_normalised(given: str, expected: str) -> None:
    for host in ["0.0.0.0", "127.0.0.1", "10.0.0.5"]:
        assert base_url(host=host, port=8000, public_url=given) == expected


@pytest.mark.parametrize(
    "public_url",
    ["ftp://hall.example.org", "hall.example.org", "//hall.example.org", "javascript:alert(1)"],
)
def test_public_url_must_be_http_or_https(public_url: str) -> None:
    with pytest.raises(ValueError, match=r"http:// or https://"):
        base_url(host="0.0.0.0", port=8000, public_url=public_url)


@pytest.mark.parametrize(
    "public_url",
    ["http://localhost:8000", "https://127.0.0.1/", "http://[::1]:8000", "http://app.localhost"],
)
def test_public_url_pointing_at_loopback_is_refused(public_url: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        base_url(host="0.0.0.0", port=8000, public_url=public_url)


@pytest.mark.parametrize(
    "public_url",
    ["https://", "https://hall.example.org/?a=1", "https://hall.example.org/#x", "http://h:99999"],
)
def test_malformed_public_url_is_refused_with_a_message(public_url: str) -> None:
    with pytest.raises(ValueError, match="--public-url"):
        base_url(host="0.0.0.0", port=8000, public_url=public_url)


@pytest.mark.parametrize(
    "name", ["localhost", "localhost.localdomain", "ip6-localhost", "127.0.1.1", "::1", ""]
)
def test_local_only_machine_names_raise_with_advice(name: str) -> None:
    with pytest.raises(NoReachableAddress, match="--public-url"):
        _usable_fqdn(name)


def test_a_real_machine_name_is_an_acceptable_last_resort() -> None:
    assert _usable_fqdn("hall-laptop.lan") == "hall-laptop.lan"


def test_addresses_are_ranked_wifi_ranges_first_and_bridges_after() -> None:
    interfaces = [
        "127.0.0.1",
        "172.17.0.1",  # a Docker bridge
        "81.2.69.160",  # a public address
        "169.254.10.1",  # link-local
        "100.64.3.4",  # carrier-grade NAT / VPN
        "10.1.2.3",
        "192.168.1.20",
        "192.168.1.20",
    ]
    assert _best_first(interfaces) == [
        "192.168.1.20",
        "10.1.2.3",
        "172.17.0.1",
        "81.2.69.160",
        "100.64.3.4",
    ]
