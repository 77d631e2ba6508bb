"""The query worker pool and the answer cache (:mod:`qkg.server_runner`), without HTTP:
refusing when full, deadlines for queued work, the ``kill_after`` watchdog, the cache's
byte budget."""
from __future__ import annotations

import asyncio
import threading

import pytest


def test_runner_refuses_when_full():
    """One worker, no queue: a second query while the first runs is a 503, not a wait."""
    from qkg.server import Problem
    from qkg.server_runner import QueryRunner

    runner, release = QueryRunner(1, 0, stack=0), threading.Event()

    async def scenario():
        first = asyncio.ensure_future(runner.run(lambda deadline: release.wait(5), 5))
        await asyncio.sleep(0.05)
        with pytest.raises(Problem) as refused:
            await runner.run(lambda deadline: 1, 5)
        release.set()
        return await first, refused.value

    result, refused = asyncio.run(scenario())
    runner.close()
    assert (result, refused.status) == (True, 503) and "busy" in refused.message


def test_runner_times_out_and_skips_work_past_its_deadline():
    from qkg.server import QueryTimeout
    from qkg.server_runner import QueryRunner

    runner, release, ran = QueryRunner(1, 4, stack=0), threading.Event(), []

    async def scenario():
        blocker = asyncio.ensure_future(runner.run(lambda deadline: release.wait(5), 5))
        await asyncio.sleep(0.05)
        with pytest.raises(QueryTimeout):
            await runner.run(lambda deadline: ran.append(1), 0.05)  # queued behind the blocker
        release.set()
        await blocker
        return await runner.run(lambda deadline: "after", 5)

    assert asyncio.run(scenario()) == "after"
    runner.close()
    assert ran == []


def test_watchdog_reports_a_query_past_kill_after():
    from qkg.server_runner import QueryRunner

    overruns, release = [], threading.Event()
    runner = QueryRunner(1, 0, stack=0, kill_after=0.2, on_overrun=overruns.append)

    async def scenario():
        return await runner.run(lambda deadline: release.wait(5), 5)

    threading.Timer(1.0, release.set).start()
    assert asyncio.run(scenario()) is True
    runner.close()
    assert len(overruns) == 1 and 0.2 < overruns[0] < 1.0


@pytest.mark.parametrize("budget,sizes,kept", [
    (8000, [100, 100, 100], [0, 1, 2]),
    (3200, [200] * 10, [2, 3, 4, 5, 6, 7, 8, 9]),
    (8000, [1000, 100], [1]),
    (0, [10], []),
], ids=["fits", "oldest-out", "too-big-for-an-eighth", "off"])
def test_result_cache_budget(budget, sizes, kept):
    from qkg.server_runner import ResultCache
    from qkg.server_protocol import Payload

    cache = ResultCache(budget)
    for i, size in enumerate(sizes):
        cache.put(i, Payload(b"x" * size, "json"))
    assert [i for i in range(len(sizes)) if cache.get(i) is not None] == kept
    assert cache.size <= max(budget, 0)
