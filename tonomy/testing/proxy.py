"""A TCP proxy per peer link, for partition tests with real sockets.

Each :class:`Link` listens on a loopback port and forwards every connection to one
target address, byte for byte. :meth:`Link.cut` closes the connections it carries and
refuses new ones (accepted, then closed at once: a dial fails fast, as on a network that
resets); :meth:`Link.heal` lets them through again. All links of a :class:`Proxy` run on
one asyncio loop in a daemon thread, so a test drives them from plain synchronous code.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterable

CHUNK = 64 * 1024


class Link:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.cut_now = False
        self.connections = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut_now:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.connections += 1
        self._writers |= {writer, up_writer}
        try:
            await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))
        finally:
            for end in (writer, up_writer):
                self._writers.discard(end)
                end.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while not self.cut_now:
                data = await reader.read(CHUNK)
                if not data or self.cut_now:
                    break
                writer.write(data)
                await writer.drain()
        except (OSError, ConnectionError):
            pass
        finally:
            writer.transport.abort()

    def _cut(self) -> None:
        self.cut_now = True
        for writer in list(self._writers):
            writer.transport.abort()

    async def _close(self) -> None:
        self._cut()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()


class Proxy:
    """Owns the links and the thread their loop runs on."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="test-proxy", daemon=True)
        self._thread.start()
        self.links: list[Link] = []

    def _call(self, coro: object) -> object:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)  # type: ignore[arg-type]

    def link(self, target: tuple[str, int]) -> Link:
        """A new link to ``target``; dial ``127.0.0.1:link.port`` to reach it."""
        link = Link(target)
        self._call(link._start())
        self.links.append(link)
        return link

    def cut(self, links: Iterable[Link]) -> None:
        for link in links:
            self._loop.call_soon_threadsafe(link._cut)

    def heal(self, links: Iterable[Link]) -> None:
        for link in links:
            link.cut_now = False

    def close(self) -> None:
        for link in self.links:
            self._call(link._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


__all__ = ["Link", "Proxy"]
