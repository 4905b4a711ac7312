"""Where a crawl's pending requests wait: a directory of its own, on disk rather than in memory.

The news spider sets Scrapy's ``JOBDIR`` to such a directory, so the scheduler keeps pending requests
in its disk queues: memory stays flat however many links the sources list (an undated sitemap of
100,000 URLs would otherwise hold 100,000 requests in memory, a few kB each). The queue is of no use
to the next crawl, which asks its sources afresh, so it is removed when the crawl ends, and the
directories of crawls that were killed are removed when the next one starts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "newsmon-requests-"


def make_queue_dir() -> str:
    """A new directory named after this process; first remove those left by processes that are gone."""
    root = Path(tempfile.gettempdir())
    for left in root.glob(f"{PREFIX}*"):
        pid = left.name.removeprefix(PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(left, ignore_errors=True)
    return tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=root)


def remove_queue_dir(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
