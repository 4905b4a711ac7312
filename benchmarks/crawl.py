"""Benchmark: newsmon's end-to-end crawl against plain single-process ``trafilatura.extract``.

    .venv/bin/python benchmarks/crawl.py [--pages 2000] [--rounds 3] [--seed 1] [--concurrency 16] [--profile]

1. Serves a generated site (``benchmarks/synthetic_site.py``: N articles listed in four outlets'
   feeds and sitemaps, in pages built like real news pages) from its own process on 127.0.0.1, and
   checks that it is fast: every page is fetched once over 8 keep-alive connections (which also
   gives this benchmark its copy of the pages), and the server's own CPU time per page is reported.
2. Times plain ``trafilatura.extract(html)`` over those N pages in this process, then runs ROUNDS
   rounds of: the crawl of the site as a user would run it, ``newsmon --config X crawl`` into a
   fresh SQLite file, with a config like the sample site's (no delay, no autothrottle) and
   CONCURRENCY requests in flight, then plain extraction again. The crawl samples the memory and
   the CPU time of the processes the command starts (the CLI, the crawler, the extraction pool's
   fork server and workers), not of the server or this process. The fork server outlives the
   crawler by a moment: this process adopts it (a subreaper), so that its CPU time counts.
3. Times, for comparison, plain extraction in one forked process per core (the ceiling of any
   crawler on this machine), newsmon's own per-page work (``pipeline.ingest.process_page``:
   extraction, tagging, signature) in this process, and the crawl's own extraction pool (one worker
   per core) fed as fast as it takes pages: what the crawl would reach if fetching and storing cost
   no CPU.

Crawl pages/s are stored pages per second of wall time twice over: from starting the command to its
exit (start-up included), and from the crawler's "crawl run N started" log line to its "finished"
one, as this benchmark receives them (start-up and shut-down left out). Each crawl is compared with
the mean of the plain extractions just before and just after it: this machine's speed drifts by tens
of per cent over minutes (a virtual machine's cores slow down with its neighbours' load), and
bracketing cancels a steady drift. The verdict is the median of the rounds' ratios; a round whose two
plain extractions differ by more than 15 % is flagged. Memory is the peak over the rounds of the sum
over the processes of PSS (proportional set size: a page shared by n processes counts 1/n in each,
so shared libraries are not counted twice), every 0.5 s, and of RSS, every 50 ms. CPU time is read
from /proc, so each round also says what the crawl could reach on an idle machine, and warns when
other processes were busy.
Exit status 1 when a crawl did not store every page.
--profile runs ``python -m crawler`` under cProfile instead of the CLI and prints where the
crawler's main thread spends its CPU time (its figures include the profiler's overhead).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import multiprocessing
import os
import pstats
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura
from sqlalchemy import func, select

import synthetic_site
from pipeline.config import Settings, load_config, to_toml
from pipeline.extract import extraction_options
from pipeline.extraction_pool import ExtractionPool
from pipeline.ingest import process_page
from pipeline.pages import Dropped, Page
from pipeline.tagging import Tagger
from storage.db import open_database
from storage.models import Article
from storage.runs import SourceFigures, load_run

SAMPLE_SECONDS = 0.05  # summed RSS
PSS_EVERY = 10  # samples: summed PSS every 0.5 s
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
LOAD_CHECK_CONNECTIONS = 8
LOAD_CHECK_TIME_LIMIT = 60.0
CRAWL_TIME_LIMIT = 1800.0
TARGET_RATIO = 1.2
TARGET_PEAK_MB = 400
DRIFT_TOLERANCE = 0.15  # plain extraction that much slower or faster after a crawl than before: the machine drifted
BUSY_MACHINE_CORES = 0.25  # other processes' load during the crawl above which its timing is not trusted
TICK = os.sysconf("SC_CLK_TCK")
RUN_LINE = re.compile(r"crawl run (\d+) (started|finished|interrupted)")


# --- the site's server ------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[str]
    base_url: str

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)


def start_server(pages: int, seed: int) -> Server:
    script = Path(__file__).with_name("synthetic_site.py")
    command = [sys.executable, str(script), "--pages", str(pages), "--seed", str(seed)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline() if process.stdout else ""
    if not line.startswith("ready "):
        process.kill()
        raise SystemExit(f"the site's server did not start: {line!r}")
    return Server(process, line.split()[1])


async def fetch_all(base_url: str, paths: list[str], connections: int) -> list[bytes]:
    """Every path over ``connections`` keep-alive connections, in order (raw HTTP/1.1, no gzip)."""
    host, port = base_url.removeprefix("http://").split(":")
    bodies: list[bytes] = [b""] * len(paths)

    async def worker(indexes: range) -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        for index in indexes:
            writer.write(f"GET {paths[index]} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise SystemExit(f"load check: {paths[index]}: {head.splitlines()[0]!r}")
            length = re.search(rb"content-length: *(\d+)", head, re.IGNORECASE)
            bodies[index] = await reader.readexactly(int(length.group(1)))  # type: ignore[union-attr]
        writer.close()

    await asyncio.gather(*(worker(range(n, len(paths), connections)) for n in range(connections)))
    return bodies


def load_check(server: Server, paths: list[str]) -> tuple[list[bytes], float]:
    """Fetch every page once, bounded in time; print the throughput. Returns the pages and the server's
    CPU seconds per page."""
    cpu, started = server.cpu_seconds(), time.perf_counter()
    fetching = fetch_all(server.base_url, paths, LOAD_CHECK_CONNECTIONS)
    bodies = asyncio.run(asyncio.wait_for(fetching, LOAD_CHECK_TIME_LIMIT))
    seconds, cpu = time.perf_counter() - started, server.cpu_seconds() - cpu
    per_page = max(cpu, 1 / TICK) / len(paths)  # at least one clock tick, the resolution of /proc's CPU times
    print(f"server load check: {len(paths)} pages ({sum(map(len, bodies)) / len(paths) / 1000:.0f} kB each) in "
          f"{seconds:.2f}s = {len(paths) / seconds:,.0f} pages/s with a Python client on {LOAD_CHECK_CONNECTIONS} "
          f"connections; server CPU {per_page * 1000:.3f} ms/page, i.e. {1 / per_page:,.0f} pages/s per core")
    return bodies, per_page


# --- single-process baselines -----------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # this process's CPU time: the same work on an idle machine would take about this long


def timed(label: str, function: Callable[[], int], pages: int, outcome: str, in_process: bool = True) -> Timing:
    """Run ``function`` (it returns how many pages had ``outcome``) and print pages/s by wall and, when
    the work runs ``in_process``, CPU time."""
    wall, cpu = time.perf_counter(), time.process_time()
    count = function()
    timing = Timing(time.perf_counter() - wall, time.process_time() - cpu)
    cpu_text = f"CPU {timing.cpu / pages * 1000:.2f} ms/page; " if in_process else ""
    print(f"{label:40s} {pages} pages in {timing.wall:.1f}s = {pages / timing.wall:6.1f} pages/s "
          f"({timing.wall / pages * 1000:.2f} ms/page; {cpu_text}{count} {outcome})")
    return timing


def time_plain_extraction(bodies: list[bytes], label: str = "plain trafilatura.extract, 1 process:") -> Timing:
    """``trafilatura.extract`` over every page's bytes, as a user would call it (default options)."""
    return timed(label, lambda: sum(not trafilatura.extract(html) for html in bodies), len(bodies), "without text")


_pages: list[bytes] = []  # an extraction process's share of the pages, inherited with fork


def _keep_pages(bodies: list[bytes]) -> None:
    global _pages
    _pages = bodies


def _extract_share(share: tuple[int, int]) -> int:
    start, step = share
    return sum(not trafilatura.extract(html) for html in _pages[start::step])


def time_parallel_extraction(bodies: list[bytes], processes: int) -> Timing:
    """Plain extraction in one process per core: the most any crawler could do on this machine.

    The processes are forked, so that they inherit the pages (and trafilatura, imported) rather than
    receive them; this process has no other thread yet. Its CPU time is the children's, not counted.
    """
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_keep_pages, initargs=(bodies,)) as pool:
        list(pool.map(_extract_share, [(0, len(bodies))] * processes))  # start every process before timing
        shares = [(start, processes) for start in range(processes)]
        return timed(f"plain trafilatura.extract, {processes} processes:",
                     lambda: sum(pool.map(_extract_share, shares)), len(bodies), "without text", in_process=False)


def newsmon_pages(bodies: list[bytes], paths: list[str], base_url: str) -> list[Page]:
    return [Page(url=base_url + path, source="bench", body=body, content_type="text/html; charset=utf-8")
            for path, body in zip(paths, bodies)]


def time_process_page(pages: list[Page], settings: Settings) -> Timing:
    """newsmon's per-page work (what each extraction worker does: extract, tag, normalize) in one process."""
    tagger, options = Tagger(settings.topics), extraction_options(settings)
    return timed("newsmon process_page, 1 process:",
                 lambda: sum(isinstance(process_page(page, tagger, options), Dropped) for page in pages),
                 len(pages), "dropped")


def time_extraction_pool(pages: list[Page], settings: Settings) -> Timing:
    """newsmon's extraction pool, as the crawl sizes it, fed as fast as it takes pages: no crawl around it."""
    pool = ExtractionPool.for_settings(settings)
    try:
        pool.process_all(pages[: pool.workers * 4])  # start every worker before timing
        return timed(f"newsmon ExtractionPool, {pool.workers} workers:",
                     lambda: sum(isinstance(result, Dropped) for result in pool.process_all(pages)),
                     len(pages), "dropped", in_process=False)
    finally:
        pool.close()


# --- processes: memory and CPU from /proc -----------------------------------------------------


def _stat_fields(pid: int | str) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (which may hold spaces): [0] is the state."""
    with open(f"/proc/{pid}/stat") as file:
        return file.read().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """CPU time of a process (all its threads), or of one of its threads."""
    fields = _stat_fields(pid) if thread is None else _stat_fields(f"{pid}/task/{thread}")
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def process_tree(root: int, everyone: bool) -> list[int]:
    """``root`` and its descendants, found by their parent ids (this kernel has no .../task/*/children).

    Reading every process's stat takes milliseconds; children have larger pids than their parent
    (unless pids wrap around), so most scans read only those, and every ``everyone`` scan reads all.
    """
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (everyone or int(entry.name) > root):
            try:
                children.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, IndexError):
                continue  # exited meanwhile
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as file:
        return int(file.read().split()[1]) * PAGE_KB


def pss_kb(pid: int) -> int:
    """Proportional set size: costly to read (the kernel walks the page tables), so read less often."""
    with open(f"/proc/{pid}/smaps_rollup") as file:
        for line in file:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise KeyError(f"no Pss in /proc/{pid}/smaps_rollup")


def command_line(pid: int | str) -> bytes:
    with open(f"/proc/{pid}/cmdline", "rb") as file:
        return file.read()


def role(pid: int) -> str:
    """What the process is, from its command line; "" for a process that has exited (a zombie has none)."""
    args = command_line(pid).split(b"\0")
    if args == [b""]:
        return ""
    if b"forkserver" in b" ".join(args):  # the pool's fork server, and the workers it forked (same command line)
        return "extraction worker" if b"forkserver" in command_line(_stat_fields(pid)[1]) else "extraction fork server"
    if b"resource_tracker" in b" ".join(args):
        return "multiprocessing resource tracker"
    if b"crawler" in args:
        return "crawler (python -m crawler)"
    return "newsmon CLI"


@dataclass
class ProcessSeen:
    role: str
    cpu: float = 0.0
    main_thread_cpu: float = 0.0  # the rest is other threads' (the database's, Twisted's thread pool)
    peak_pss_kb: int = 0
    peak_rss_kb: int = 0


@dataclass
class Sampler:
    """Samples a process tree from a thread: peaks of summed RSS (every SAMPLE_SECONDS) and summed PSS
    (every PSS_EVERY samples), and each process's CPU time."""

    root: int
    processes: dict[int, ProcessSeen] = field(default_factory=dict)
    peak_pss_kb: int = 0
    peak_rss_kb: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.sample(with_pss=self.samples % PSS_EVERY == 0)

    def sample(self, with_pss: bool) -> None:
        total_rss = total_pss = 0
        for pid in process_tree(self.root, everyone=with_pss):
            try:
                name = role(pid)  # read each time: a process just forked still has its parent's command line
                rss, pss, cpu = rss_kb(pid), pss_kb(pid) if with_pss else 0, cpu_seconds(pid)
                main_thread = cpu_seconds(pid, thread=pid)
            except (OSError, KeyError, IndexError):
                continue  # exited between the scan and the read
            seen = self.processes.setdefault(pid, ProcessSeen(name))
            seen.role, seen.cpu, seen.main_thread_cpu = name or seen.role, cpu, main_thread
            seen.peak_rss_kb, seen.peak_pss_kb = max(seen.peak_rss_kb, rss), max(seen.peak_pss_kb, pss)
            total_rss, total_pss = total_rss + rss, total_pss + pss
        self.peak_rss_kb, self.peak_pss_kb = max(self.peak_rss_kb, total_rss), max(self.peak_pss_kb, total_pss)
        self.samples += 1

    def stop(self) -> None:
        self._stop.set()


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    with open("/proc/stat") as file:
        values = [int(v) for v in file.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK  # minus idle and iowait


PR_SET_CHILD_SUBREAPER = 36  # prctl(2)


def become_subreaper() -> None:
    """Adopt the crawl's processes that outlive it: the extraction pool's fork server is the crawler's
    child, and ends just after it. Waited for here, its CPU time and its workers' count in rusage."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap_orphans(pids: set[int], timeout: float = 30.0) -> None:
    """Wait for those of ``pids`` this process adopted (see :func:`become_subreaper`)."""
    deadline = time.monotonic() + timeout
    while pids and time.monotonic() < deadline:
        for pid in list(pids):
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    pids.discard(pid)
            except ChildProcessError:  # not adopted: its own parent waited for it
                pids.discard(pid)
        time.sleep(0.01)
    if pids:
        print(f"WARNING: processes {sorted(pids)} of the crawl still ran {timeout:.0f}s after it; their CPU time "
              f"is not counted", file=sys.stderr)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the crawl --------------------------------------------------------------------------------


@dataclass
class Crawl:
    wall: float  # from starting the command to its exit
    started_at: float | None  # seconds from the start to the crawler's "crawl run N started" line
    closed_at: float | None  # ... to its "crawl run N finished" line
    run_id: int | None
    sampler: Sampler
    tree_cpu: float  # CPU seconds of every process the command started, exact (waited-for children and orphans)
    machine_busy: float  # CPU seconds the machine was busy meanwhile, all processes


def write_config(folder: Path, base_url: str, concurrency: int) -> tuple[Path, str]:
    """A newsmon config for the site, as a user would write it for a local crawl: no delays."""
    database_url = f"sqlite:///{folder / 'newsmon.db'}"
    crawl = {"user_agent": "newsmon-bench/0.1 (+https://example.org/newsmon)", "download_delay": 0.0,
             "autothrottle": False, "concurrent_requests": concurrency, "concurrent_requests_per_domain": concurrency}
    path = folder / "newsmon.toml"
    path.write_text(to_toml({"database_url": database_url, "crawl": crawl, "sources": synthetic_site.sources(base_url)}),
                    encoding="utf-8")
    return path, database_url


# Runs ``python -m crawler`` under cProfile with a main-thread CPU clock (so time spent waiting for
# the GIL or for a core on a busy machine is not counted), and reports the garbage collector's time.
PROFILER = """
import cProfile, gc, runpy, sys, time
module, output = sys.argv.pop(1), sys.argv.pop(1)
sys.argv[0] = module
spent, started = [0.0, 0, 0.0], [0.0]
def on_gc(phase, info):
    if phase == "start":
        started[0] = time.thread_time()
    else:
        spent[0] += time.thread_time() - started[0]; spent[1] += 1
        spent[2] += time.thread_time() - started[0] if info["generation"] == 2 else 0
gc.callbacks.append(on_gc)
profiler = cProfile.Profile(time.thread_time)
try:
    profiler.runcall(runpy.run_module, module, run_name="__main__", alter_sys=True)
except SystemExit:
    pass
finally:
    profiler.dump_stats(output)
    print(f"crawler main thread: {time.thread_time():.1f}s CPU, {spent[0]:.1f}s of it in {spent[1]} garbage "
          f"collections ({spent[2]:.1f}s in full ones)", file=sys.stderr)
"""


def crawl_command(config: Path, profile: Path | None) -> list[str]:
    if profile is not None:  # without --run-id, the crawler creates its run itself
        return [sys.executable, "-c", PROFILER, "crawler", str(profile), "--config", str(config)]
    return [str(Path(sys.executable).with_name("newsmon")), "--config", str(config), "crawl"]


def stamped_lines(stream: Iterator[str], started: float, out: list[tuple[float, str]]) -> None:
    """Echo the crawl's output with the seconds since ``started``, and keep it: Scrapy logs whole seconds."""
    for line in stream:
        out.append((time.perf_counter() - started, line.rstrip("\n")))
        print(f"  [{out[-1][0]:6.2f}s] {line}", end="", file=sys.stderr, flush=True)


def run_crawl(config: Path, profile: Path | None) -> Crawl:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
    lines: list[tuple[float, str]] = []
    tree_cpu, busy, started = children_cpu(), busy_seconds(), time.perf_counter()
    child = subprocess.Popen(crawl_command(config, profile), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, env=environment)
    sampler = Sampler(child.pid)
    threads = [threading.Thread(target=sampler.run, daemon=True),
               threading.Thread(target=stamped_lines, args=(child.stdout, started, lines), daemon=True)]
    for thread in threads:
        thread.start()
    try:
        child.wait(timeout=CRAWL_TIME_LIMIT)
    except subprocess.TimeoutExpired:
        print(f"the crawl took over {CRAWL_TIME_LIMIT:.0f}s: stopping it", file=sys.stderr)
        child.terminate()
        child.wait()
    wall = time.perf_counter() - started
    sampler.stop()
    for thread in threads:
        thread.join()
    reap_orphans(set(sampler.processes) - {child.pid})
    return Crawl(wall, *_run_times(lines), sampler, children_cpu() - tree_cpu, busy_seconds() - busy)


def _run_times(lines: list[tuple[float, str]]) -> tuple[float | None, float | None, int | None]:
    started = closed = run_id = None
    for at, line in lines:
        if match := RUN_LINE.search(line):
            run_id = int(match.group(1))
            started, closed = (at, closed) if match.group(2) == "started" else (started, at)
    return started, closed, run_id


# --- report -----------------------------------------------------------------------------------


def totals(figures: dict[str, SourceFigures]) -> SourceFigures:
    out = SourceFigures()
    for name in ("links_found", "fetched", "stored", "dropped", "failed"):
        setattr(out, name, sum(getattr(f, name) for f in figures.values()))
    return out


def report_processes(crawl: Crawl, server_cpu: float, harness_cpu: float) -> None:
    print(f"CPU during the crawl ({crawl.wall:.1f}s wall, {os.cpu_count()} cores):")
    for pid, seen in sorted(crawl.sampler.processes.items()):
        print(f"  pid {pid:>7} {seen.role:34s} {seen.cpu:6.1f}s CPU ({seen.cpu / crawl.wall:4.0%} of a core), "
              f"peak PSS {seen.peak_pss_kb / 1024:5.0f} MB, RSS {seen.peak_rss_kb / 1024:5.0f} MB")
        if seen.cpu - seen.main_thread_cpu >= 0.5:
            print(f"  {'':11} {'':34s} {seen.main_thread_cpu:6.1f}s of it in the main thread, "
                  f"{seen.cpu - seen.main_thread_cpu:.1f}s in other threads")
    print(f"  all of them (exact, from rusage)  {crawl.tree_cpu:6.1f}s CPU = "
          f"{crawl.tree_cpu / crawl.wall:.2f} cores busy")
    print(f"  site server                       {server_cpu:6.1f}s CPU ({server_cpu / crawl.wall:4.0%} of a core)")
    print(f"  this benchmark (sampling)         {harness_cpu:6.1f}s CPU")
    others = crawl.machine_busy - crawl.tree_cpu - server_cpu - harness_cpu
    print(f"  anything else on the machine      {max(others, 0):6.1f}s CPU ({max(others, 0) / crawl.wall:.2f} cores)")


@dataclass(frozen=True)
class Round:
    """A crawl and the plain extractions of every page just before and just after it.

    The crawl is compared with the mean of the two: the machine's speed drifts over minutes (a
    virtual machine's cores slow down with its neighbours' load), and bracketing the crawl cancels a
    steady drift, where comparing with a plain extraction on one side of it would not."""

    before: Timing
    crawl: Crawl
    after: Timing
    figures: SourceFigures
    articles: int

    @property
    def plain_wall(self) -> float:
        return (self.before.wall + self.after.wall) / 2

    @property
    def plain_cpu(self) -> float:
        return (self.before.cpu + self.after.cpu) / 2

    @property
    def drift(self) -> float:
        """How much longer plain extraction took after the crawl than before it."""
        return self.after.wall / self.before.wall - 1

    def complete(self, pages: int) -> bool:
        return self.figures.stored == pages == self.articles

    def ratio(self, pages: int, crawl_seconds: float | None = None) -> float:
        """Against the bracketing plain extractions, over the whole command or ``crawl_seconds``."""
        return speed_ratio(self.plain_wall, crawl_seconds or self.crawl.wall, self.figures.stored, pages)


def speed_ratio(plain_seconds: float, crawl_seconds: float, stored: int, pages: int) -> float:
    """Pages the crawl stored per second against the pages plain extraction did per second."""
    return (stored / crawl_seconds) / (pages / plain_seconds)


def fastest_plain(rounds: list[Round]) -> Timing:
    return min((timing for result in rounds for timing in (result.before, result.after)), key=lambda t: t.wall)


def run_round(server: Server, bodies: list[bytes], args: argparse.Namespace, number: int, before: Timing) -> Round:
    """Crawl once, then time plain extraction again; ``before`` is the plain extraction just done."""
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as folder:
        config, database_url = write_config(Path(folder), server.base_url, args.concurrency)
        profile = Path(folder) / "crawler.prof" if args.profile else None
        print(f"crawling: {' '.join(crawl_command(config, profile))}")
        server_cpu, harness_cpu = server.cpu_seconds(), own_cpu()
        crawl = run_crawl(config, profile)
        server_cpu, harness_cpu = server.cpu_seconds() - server_cpu, own_cpu() - harness_cpu
        figures, articles = stored_articles(database_url, crawl.run_id)
        report_processes(crawl, server_cpu, harness_cpu)
        if profile is not None:
            print_profile(profile)
    result = Round(before, crawl, time_plain_extraction(bodies), figures, articles)
    report_round(number, args.pages, result)
    return result


def report_round(number: int, pages: int, result: Round) -> None:
    crawl, figures = result.crawl, result.figures
    print(f"round {number}: plain extraction took {result.drift:+.0%} longer after the crawl than before it; "
          f"compared with their mean:")
    print(f"crawl run {crawl.run_id}: {figures.links_found} links, {figures.fetched} fetched, {figures.stored} "
          f"stored, {figures.dropped} dropped, {figures.failed} failed; {result.articles} articles in the database"
          f"{'' if result.complete(pages) else '  <-- NOT every page was stored'}")
    print(f"newsmon crawl, command start to exit:   {figures.stored / crawl.wall:7.1f} pages/s ({crawl.wall:.1f}s, "
          f"start-up included)  ratio {result.ratio(pages):.2f}")
    if crawl.started_at is not None and crawl.closed_at is not None:
        seconds = crawl.closed_at - crawl.started_at
        print(f"newsmon crawl, spider open to close:    {figures.stored / seconds:7.1f} pages/s ({seconds:.1f}s; "
              f"start-up {crawl.started_at:.1f}s and shut-down {crawl.wall - crawl.closed_at:.1f}s left out)  "
              f"ratio {result.ratio(pages, seconds):.2f}")
    report_ceiling(pages / result.plain_cpu, crawl, figures.stored)


def report_ceiling(plain_cpu_rate: float, crawl: Crawl, stored: int) -> None:
    """What CPU time allows: wall-clock figures only mean something on an otherwise idle machine."""
    cores, per_page = len(os.sched_getaffinity(0)), crawl.tree_cpu / max(stored, 1)
    print(f"by CPU time: plain extraction {1000 / plain_cpu_rate:.1f} ms/page; the crawl {per_page * 1000:.1f} ms/page "
          f"over all its processes (start-up included), so with {cores} idle cores at most {cores / per_page:.0f} "
          f"pages/s, ratio {cores / per_page / plain_cpu_rate:.2f}")
    others = crawl.machine_busy - crawl.tree_cpu
    if others / crawl.wall > BUSY_MACHINE_CORES:
        print(f"WARNING: other processes kept {others / crawl.wall:.1f} cores busy during the crawl: the wall-clock "
              f"figures above are not representative, the CPU-time line is closer")


def report(pages: int, rounds: list[Round]) -> bool:
    """Print every round and the verdict on the targets; True when every round stored every page.

    The speed verdict is the median of the rounds' ratios, each against the plain extractions that
    bracket its crawl. The best times of each (as ``timeit`` would compare them: noise only adds
    time) are printed too; under drift they may come from phases of different speed."""
    print("\nround  plain before  plain after  crawl pages/s  ratio  cores busy  peak PSS MB")
    for number, result in enumerate(rounds, 1):
        crawl, flag = result.crawl, "  <-- the machine drifted" if abs(result.drift) > DRIFT_TOLERANCE else ""
        print(f"{number:5}  {pages / result.before.wall:12.1f}  {pages / result.after.wall:11.1f}  "
              f"{result.figures.stored / crawl.wall:13.1f}  {result.ratio(pages):5.2f}  "
              f"{crawl.tree_cpu / crawl.wall:10.2f}  {crawl.sampler.peak_pss_kb / 1024:11.0f}{flag}")
    ratio = statistics.median(result.ratio(pages) for result in rounds)
    plain = fastest_plain(rounds).wall
    fastest = min(rounds, key=lambda result: result.crawl.wall / max(result.figures.stored, 1))
    print(f"median of the {len(rounds)} rounds' ratios: {ratio:.2f} (start-up included); best times of each: plain "
          f"{pages / plain:.1f} pages/s, crawl {fastest.figures.stored / fastest.crawl.wall:.1f} pages/s, ratio "
          f"{speed_ratio(plain, fastest.crawl.wall, fastest.figures.stored, pages):.2f}")
    peak = max(result.crawl.sampler.peak_pss_kb for result in rounds) / 1024
    peak_rss = max(result.crawl.sampler.peak_rss_kb for result in rounds) / 1024
    print(f"peak memory, CLI + crawler + workers:   {peak:7.0f} MB summed PSS (sampled every "
          f"{SAMPLE_SECONDS * PSS_EVERY:.1f}s); {peak_rss:.0f} MB summed RSS (every {SAMPLE_SECONDS * 1000:.0f} ms; "
          "shared pages counted in each process, so an upper bound)")
    complete = all(result.complete(pages) for result in rounds)
    print(f"targets: ratio >= {TARGET_RATIO} (start-up included) {'met' if ratio >= TARGET_RATIO else 'NOT met'}; "
          f"peak < {TARGET_PEAK_MB} MB {'met' if peak < TARGET_PEAK_MB else 'NOT met'}; "
          f"all pages stored: {'yes' if complete else 'NO'}")
    return complete


def print_profile(path: Path) -> None:
    stats = pstats.Stats(str(path))
    print("\ncrawler main thread, by cumulative CPU time (profiled):")
    stats.sort_stats("cumulative").print_stats(30)
    print("crawler main thread, by own CPU time (profiled):")
    stats.sort_stats("tottime").print_stats(30)


def stored_articles(database_url: str, run_id: int | None) -> tuple[SourceFigures, int]:
    engine = open_database(database_url)
    try:
        figures = totals(load_run(engine, run_id).figures) if run_id is not None else SourceFigures()
        with engine.connect() as connection:
            articles = connection.execute(select(func.count()).select_from(Article)).scalar_one()
    finally:
        engine.dispose()
    return figures, articles


def report_extraction(server: Server, bodies: list[bytes], server_cpu_per_page: float, plain: Timing) -> None:
    """How the crawl's parts compare with plain extraction (its best round): the server's share, the
    ceiling of any crawler on this machine, newsmon's own per-page work and its extraction pool alone."""
    pages = len(bodies)
    print(f"\nthe server needs {server_cpu_per_page / (plain.cpu / pages):.1%} of the CPU time plain extraction "
          f"takes per page")
    cores = len(os.sched_getaffinity(0))
    parallel = time_parallel_extraction(bodies, cores)
    print(f"  {cores} processes extract {plain.wall / parallel.wall:.2f} times as fast as one did in its best round: the "
          f"ceiling of any crawl's ratio on this machine")
    paths = synthetic_site.article_paths(pages)
    newsmon, settings = newsmon_pages(bodies, paths, server.base_url), load_config(env={}).settings
    time_process_page(newsmon, settings)
    pool = time_extraction_pool(newsmon, settings)
    print(f"  newsmon's extraction pool alone is {plain.wall / pool.wall:.2f} times as fast as plain extraction: what "
          f"the crawl would reach if fetching and storing cost no CPU")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="articles on the site")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated prose")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight per site")
    parser.add_argument("--rounds", type=int, default=3, help="crawls, each followed by plain extraction")
    parser.add_argument("--profile", action="store_true", help="profile the crawler's main thread (cProfile)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    print(f"load average before the run: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    become_subreaper()
    server = start_server(args.pages, args.seed)
    try:
        bodies, server_cpu_per_page = load_check(server, synthetic_site.article_paths(args.pages))
        rounds: list[Round] = []
        plain = time_plain_extraction(bodies)
        for number in range(1, args.rounds + 1):
            print(f"\nround {number} of {args.rounds}: crawl, then plain extraction again")
            rounds.append(run_round(server, bodies, args, number, plain))
            plain = rounds[-1].after
        report_extraction(server, bodies, server_cpu_per_page, fastest_plain(rounds))
        complete = report(args.pages, rounds)
    finally:
        server.process.terminate()
        server.process.wait()
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
