"""The commit watch: waiters wake with the commit height; pending ids are bounded."""

from __future__ import annotations

import asyncio

from tonomy.node import commit_watch
from tonomy.node.commit_watch import CommitWatch


def test_waiters_wake_on_commit_and_pending_clears() -> None:
    async def scenario() -> None:
        watch = CommitWatch()
        watch.admitted(b"a" * 32)
        first, second = watch.waiter(b"a" * 32), watch.waiter(b"a" * 32)
        other = watch.waiter(b"b" * 32)
        assert first is not None and second is not None and other is not None
        assert watch.is_pending(b"a" * 32) and watch.pending_count == 1
        watch.committed(7, [b"a" * 32])
        assert await first == 7 and await second == 7
        assert not other.done()
        assert not watch.is_pending(b"a" * 32)
        watch.forget(b"b" * 32, other)
        watch.committed(8, [b"b" * 32])
        assert not other.done()  # forgotten waiters are not woken

    asyncio.run(scenario())


def test_release_wakes_waiters_with_none() -> None:
    async def scenario() -> None:
        watch = CommitWatch()
        future = watch.waiter(b"a" * 32)
        assert future is not None
        watch.release_all()
        assert await future is None

    asyncio.run(scenario())


def test_limits() -> None:
    async def scenario() -> None:
        watch = CommitWatch()
        for i in range(commit_watch.MAX_WAITERS):
            assert watch.waiter(i.to_bytes(32, "big")) is not None
        assert watch.waiter(b"x" * 32) is None
        waiting = watch.waiter(b"y" * 32)
        assert waiting is None  # still full
        watch.release_all()
        late = watch.waiter(b"x" * 32)
        assert late is not None and late.done() and late.result() is None  # stopping: answer at once

    asyncio.run(scenario())
    watch = CommitWatch()
    for i in range(commit_watch.MAX_PENDING + 10):
        watch.admitted(i.to_bytes(32, "big"))
    assert watch.pending_count == commit_watch.MAX_PENDING
    assert not watch.is_pending((0).to_bytes(32, "big"))
    assert watch.is_pending((commit_watch.MAX_PENDING + 9).to_bytes(32, "big"))


def test_committed_blocks_are_remembered_by_height_with_their_ids_in_order() -> None:
    watch = CommitWatch()
    ids = [bytes([i]) * 32 for i in (3, 1, 2)]
    watch.admitted(ids[0])
    watch.committed(7, iter(ids))  # any iterable: the ids are kept and still wake/forget
    assert watch.recent.get(7) == b"".join(ids)
    assert not watch.is_pending(ids[0])
    watch.committed(8, [])
    assert watch.recent.get(8) == b"" and watch.recent.get(6) is None
