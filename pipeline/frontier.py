"""The shared crawl frontier in Redis, seen from outside the workers (no Scrapy here).

Scale-out keeps its state in existing engines only: articles, runs and feed validators in
PostgreSQL; the frontier in Redis, with the key layout of scrapy-redis (which the workers use):

    <prefix>:seeds        list   feeds and sitemaps to read, as JSON (scrapy-redis start URLs)
    <prefix>:requests     zset   the scheduler's request queue (scrapy-redis PriorityQueue)
    <prefix>:dupefilter   set    fingerprints of requests already queued (scrapy-redis RFPDupeFilter)
    <prefix>:generation   string the crawl run that the latest seeding belongs to
    <prefix>:figures:<run> hash  "<source>\\t<figure>" -> count, added up by every worker
    <prefix>:errors:<run>  list  "<source>\\t<message>", the first errors of each source
    <prefix>:busy:<worker> string set while a worker has work in progress (expires on its own)
    <prefix>:workers      hash   worker -> time of its last report; a clean exit removes its entry

A seeding into an idle frontier clears the duplicate filter: pages that a killed worker had taken
but not stored are then requested again, while pages in the archive are still skipped (the spider
asks the database before requesting an article). And when a worker died since the last seeding (its
entry in <prefix>:workers stopped being refreshed), the seeds ask for a full read of every feed and
sitemap: a conditional request answered 304 would hide the pages the dead worker never stored.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import NoReturn

import redis
from sqlalchemy import Engine

from pipeline.config import Settings, SourceSettings
from pipeline.errors import CrawlLocked, NewsmonError
from pipeline.locks import crawl_lock
from storage.db import display_url
from storage.runs import RunSummary, SourceFigures, finish_run, load_run, start_run, unfinished_runs

BUSY_TTL_SECONDS = 30
COUNTED = [f.name for f in fields(SourceFigures) if f.type in ("int", int)]


class FrontierUnavailable(NewsmonError):
    """Redis cannot be reached."""


SETTLE_SECONDS = 3.0  # how long the frontier must stay empty, no worker busy, to count as drained


@dataclass(frozen=True, slots=True)
class FrontierKeys:
    prefix: str

    @property
    def seeds(self) -> str:
        return f"{self.prefix}:seeds"

    @property
    def requests(self) -> str:
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:dupefilter"

    @property
    def generation(self) -> str:
        return f"{self.prefix}:generation"

    def figures(self, run_id: int) -> str:
        return f"{self.prefix}:figures:{run_id}"

    def errors(self, run_id: int) -> str:
        return f"{self.prefix}:errors:{run_id}"

    def busy(self, worker: str) -> str:
        return f"{self.prefix}:busy:{worker}"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"


@dataclass(frozen=True, slots=True)
class FrontierState:
    seeds: int
    queued: int
    busy_workers: int

    @property
    def drained(self) -> bool:
        return not (self.seeds or self.queued or self.busy_workers)


class Frontier:
    def __init__(self, redis_url: str, prefix: str) -> None:
        self.keys = FrontierKeys(prefix)
        self.redis = redis.Redis.from_url(redis_url, socket_connect_timeout=10, socket_timeout=30)
        self._url = display_url(redis_url)  # for messages: no password

    def _call(self, operation: str, function, *args):  # type: ignore[no-untyped-def]
        try:
            return function(*args)
        except redis.RedisError as exc:
            raise FrontierUnavailable(f"Redis at {self._url}: {operation} failed ({exc}); is the server running?") from None

    def state(self) -> FrontierState:
        def read() -> FrontierState:
            busy = sum(1 for _ in self.redis.scan_iter(match=self.keys.busy("*"), count=100))
            return FrontierState(self.redis.llen(self.keys.seeds), self.redis.zcard(self.keys.requests), busy)

        return self._call("reading the frontier", read)

    def seed(self, run_id: int, sources: Iterable[SourceSettings], new_crawl: bool) -> int:
        """Queue every feed and sitemap of ``sources`` for run ``run_id``; returns how many. On a
        ``new_crawl`` (the frontier drained), what a dead worker had taken may be requested again."""
        seeds = [
            {"run": run_id, "source": source.name, "kind": kind, "url": url}
            for source in sources
            for kind, url in source.listings()
        ]

        def push() -> None:
            if new_crawl:
                self.redis.delete(self.keys.dupefilter)
            full = self._forget_dead_workers()  # their pages were listed once: read every listing in full
            with self.redis.pipeline() as pipe:
                pipe.set(self.keys.generation, run_id)
                if seeds:
                    pipe.rpush(self.keys.seeds, *(json.dumps({**seed, "full": True} if full else seed) for seed in seeds))
                pipe.execute()

        self._call("seeding", push)
        return len(seeds)

    def _forget_dead_workers(self) -> bool:
        """Remove workers that stopped reporting without a clean exit; True if there were any."""
        now = time.time()
        dead = [w for w, seen in self.redis.hgetall(self.keys.workers).items() if now - float(seen) > BUSY_TTL_SECONDS]
        if dead:
            self.redis.hdel(self.keys.workers, *dead)
        return bool(dead)

    def wait_until_drained(self, timeout: float, settle: float = SETTLE_SECONDS, poll: float = 0.5) -> bool:
        """True once the frontier stayed empty, with no worker busy, for ``settle`` seconds."""
        deadline = time.monotonic() + timeout
        empty_since: float | None = None
        while time.monotonic() < deadline:
            if self.state().drained:
                empty_since = empty_since or time.monotonic()
                if time.monotonic() - empty_since >= settle:
                    return True
            else:
                empty_since = None
            time.sleep(poll)
        return False

    def figures(self, run_id: int) -> dict[str, SourceFigures]:
        """The figures every worker added up for run ``run_id``, per source."""
        counts = self._call("reading figures", self.redis.hgetall, self.keys.figures(run_id))
        errors = self._call("reading errors", self.redis.lrange, self.keys.errors(run_id), 0, -1)
        out: dict[str, SourceFigures] = {}
        for key, value in counts.items():
            source, figure = key.decode().split("\t", 1)
            figs = out.setdefault(source, SourceFigures())
            if figure.startswith("drop:"):
                figs.drop_reasons[figure[5:]] = int(value)
            elif figure in COUNTED:
                setattr(figs, figure, int(value))
        for entry in errors:
            source, message = entry.decode().split("\t", 1)
            out.setdefault(source, SourceFigures()).errors.append(message)
        return out

    def close(self) -> None:
        self.redis.close()


@dataclass(frozen=True, slots=True)
class SeedOutcome:
    run_id: int
    seeded: int
    run: RunSummary | None  # set when the caller waited for the frontier to drain


def seed_crawl(
    engine: Engine, settings: Settings, sources: list[str], *, wait: bool, timeout: float = 6 * 3600
) -> SeedOutcome:
    """Distributed ``newsmon crawl``: a crawl run, its seeds on the frontier, and (if asked) its figures."""
    assert settings.cluster.redis_url, "seed_crawl needs cluster.redis_url"
    selected = settings.selected_sources(sources)
    frontier = Frontier(settings.cluster.redis_url, settings.cluster.key_prefix)
    try:
        with crawl_lock(engine):  # one seeding at a time: each sees the runs before it closed
            # Drained means empty, no worker busy, for SETTLE_SECONDS, as for --wait: a worker may have
            # taken a seed without being busy yet.
            drained = frontier.wait_until_drained(timeout=2 * SETTLE_SECONDS)
            _close_drained_runs(engine, frontier, drained)
            run_id = start_run(engine)
            seeded = frontier.seed(run_id, selected, new_crawl=drained)
        if not wait:
            return SeedOutcome(run_id, seeded, None)
        drained = frontier.wait_until_drained(timeout)
        status, message = ("finished", None) if drained else ("failed", f"frontier not drained after {timeout:.0f}s")
        finish_run(engine, run_id, status, frontier.figures(run_id), message=message)
        return SeedOutcome(run_id, seeded, load_run(engine, run_id))
    finally:
        frontier.close()


def _close_drained_runs(engine: Engine, frontier: Frontier, drained: bool) -> None:
    """Record the end of earlier runs that nobody waited for (``crawl`` without ``--wait``), with the
    workers' figures; refuse a new run while the workers are still crawling one."""
    running = unfinished_runs(engine)
    if running and not drained:
        raise CrawlLocked(
            f"crawl run {running[0]} is still being crawled by the workers; "
            "wait for it (newsmon crawl --wait) or try again when the frontier is empty"
        )
    for run_id in running:
        finish_run(engine, run_id, "finished", frontier.figures(run_id))


def worker_command(config_path: Path | None, idle_exit: float = 0, log_level: str = "INFO") -> list[str]:
    command = [sys.executable, "-m", "crawler", "--worker", "--idle-exit", str(idle_exit), "--log-level", log_level]
    return command + (["--config", str(config_path)] if config_path is not None else [])


def exec_worker(config_path: Path | None, idle_exit: float = 0, log_level: str = "INFO") -> NoReturn:
    """Become the worker process (``python -m crawler --worker``): signals then reach Scrapy directly."""
    command = worker_command(config_path, idle_exit, log_level)
    sys.stdout.flush()
    os.execv(command[0], command)
