"""A real TCP proxy that can go silent, like a hall's Wi-Fi dropping out.

While ``dropped``, bytes in both directions are read and thrown away and nothing is
closed: neither end gets a FIN or a close frame, exactly as when a phone walks out of
range. The proxy records when each end gives up on a connection (closes its socket).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from tests.harness import free_port


@dataclass
class Link:
    opened_at: float
    client_gave_up_at: float | None = None  # the phone's side closed the TCP connection
    server_gave_up_at: float | None = None  # hostkit's side closed the TCP connection


@dataclass
class SilentProxy:
    upstream_port: int
    port: int = field(default_factory=free_port)
    dropped: bool = False
    dropped_at: float = 0.0
    links: list[Link] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)
    _server_gave_up: asyncio.Event = field(default_factory=asyncio.Event)
    _closing: bool = False
    _accepting: set[asyncio.Task[None]] = field(default_factory=set)

    async def __aenter__(self) -> SilentProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._closing = True  # a connection still being accepted closes itself
        self._server.close()
        # A connection the listening socket took just before closing has its _accept task
        # only scheduled: let it start (connection_made, then the task's first step), so it
        # is awaited below and closes its socket, instead of being cancelled unstarted when
        # the loop ends, leaving the socket open.
        for _ in range(3):
            await asyncio.sleep(0)
        for task in list(self._accepting):  # each closes what it opened, seeing _closing
            if task is not asyncio.current_task():
                with contextlib.suppress(BaseException):
                    await task
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        for writer in self._writers:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
        await self._server.wait_closed()

    def drop(self) -> None:
        self.dropped, self.dropped_at = True, time.monotonic()

    def restore(self) -> None:
        self.dropped = False

    async def server_gave_up(self, link: Link, within: float) -> float:
        """When hostkit closed this link's connection, waiting up to within seconds."""
        async with asyncio.timeout(within):
            while link.server_gave_up_at is None:
                self._server_gave_up.clear()
                await self._server_gave_up.wait()
        return link.server_gave_up_at

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepting = asyncio.current_task()
        if accepting is not None:  # waited for (not cancelled) when the proxy closes
            self._accepting.add(accepting)
            accepting.add_done_callback(self._accepting.discard)
        link = Link(time.monotonic())
        self.links.append(link)
        self._writers.append(writer)
        if self._closing:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        self._writers.append(up_writer)
        if self._closing:  # the proxy closed while this one was connecting upstream
            up_writer.close()
            writer.close()
            return

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter, up: bool) -> None:
            try:
                while data := await source.read(65536):
                    if not self.dropped:
                        sink.write(data)
                        await sink.drain()
            except (ConnectionError, OSError):
                pass
            if up:
                link.server_gave_up_at = time.monotonic()
                self._server_gave_up.set()
            else:
                link.client_gave_up_at = time.monotonic()
            if not self.dropped:  # pass a close on only while the network is up
                sink.close()

        for task in (
            asyncio.create_task(pump(reader, up_writer, up=False)),
            asyncio.create_task(pump(up_reader, writer, up=True)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
