"""Which fan-out bus a URL names: ``memory`` (one node, the default) or ``redis://...``.

An engine other than memory lives in its own module, ``hostkit.fanout.<engine>``,
exposing ``from_url(url, *, store) -> Fanout``; the store is where a node backfills
events the bus did not bring it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from hostkit.fanout.base import Fanout
from hostkit.fanout.memory import MemoryFanout
from hostkit.store.base import EventStore

Engine = Callable[..., Fanout]
_SCHEMES = {"redis": "redis", "rediss": "redis"}


class UnknownBus(Exception):
    """The URL names no bus this hostkit has."""


def _memory(url: str, *, store: EventStore) -> Fanout:
    return MemoryFanout()


def engine_for(url: str) -> Engine:
    """The factory of the bus a URL names; UnknownBus, in words, if there is none."""
    if url == "memory":
        return _memory
    scheme = url.partition("://")[0]
    if scheme not in _SCHEMES or "://" not in url:
        raise UnknownBus(f"unknown bus {url!r}: use memory or redis://HOST:PORT/DB")
    try:
        module = importlib.import_module(f"hostkit.fanout.{_SCHEMES[scheme]}")
    except ImportError as error:
        raise UnknownBus(f"the {scheme} bus is not available in this hostkit: {error}") from None
    factory: Engine = module.from_url
    return factory


def fanout_for(url: str, store: EventStore) -> Fanout:
    """The bus a URL names, ready to subscribe to and publish on."""
    return engine_for(url)(url, store=store)
