"""One per-minute count for every process on the same credentials: together they stay inside Google's quota."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from pakt.sync.google._quota import SharedQuota

LIMIT, WINDOW_S, EACH = 6, 1.0, 9


def _take(path: str, stamps: multiprocessing.Queue) -> None:
    quota = SharedQuota(Path(path), "pakt@landkreis.iam.gserviceaccount.com", WINDOW_S)
    limiter = quota.limiter("sheets_read", LIMIT)
    for _ in range(EACH):
        limiter.acquire()
        stamps.put(time.time())
    quota.close()


def test_three_processes_on_one_account_share_one_quota(tmp_path):
    context = multiprocessing.get_context("spawn")
    stamps = context.Queue()
    workers = [context.Process(target=_take, args=(str(tmp_path / "quota.sqlite"), stamps)) for _ in range(3)]
    for worker in workers:
        worker.start()
    seen = sorted(stamps.get(timeout=60) for _ in range(3 * EACH))
    for worker in workers:
        worker.join(timeout=30)
    busiest = max(sum(1 for t in seen if start <= t < start + WINDOW_S) for start in seen)
    assert busiest <= LIMIT, f"{busiest} requests in one window, limit {LIMIT}"
    assert seen[-1] - seen[0] >= (3 * EACH / LIMIT - 1) * WINDOW_S, "they waited for each other"


def test_different_accounts_do_not_count_against_each_other(tmp_path):
    first = SharedQuota(tmp_path / "quota.sqlite", "a@example", WINDOW_S)
    second = SharedQuota(tmp_path / "quota.sqlite", "b@example", WINDOW_S)
    assert all(first.try_take("drive", 2) == 0 for _ in range(2))
    assert first.try_take("drive", 2) > 0
    assert second.try_take("drive", 2) == 0
    first.close()
    second.close()
