"""The extraction pool: :func:`pipeline.ingest.process_page` in one worker process per core, awaited
from the crawler's event loop.

Each worker has a socket pair to the pool, and the event loop itself writes pages to it and reads
results from it (``loop.sock_sendall``, ``loop.sock_recv_into``): a page costs the crawler two
pickles and a few system calls. ``concurrent.futures.ProcessPoolExecutor``, used before, hands every
page through two threads of its own (a queue feeder and a result reader) and a queue lock: 0.63 to
0.70 ms of the feeding process's CPU a page, against 0.33 to 0.35 ms now (the crawl benchmark's pages,
16 at a time).

Each worker holds up to :data:`PAGES_IN_FLIGHT` pages, so that it starts the next one while the loop is
busy elsewhere; it extracts them in the order sent. When a worker dies (killed, out of memory, or
crashed by a page in a C library) the first page it had not answered is the one that killed it: that
page is tried again on a new worker, and dropped if it kills that one too; the pages behind it were
not started and simply go to the next free worker.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import signal
import socket
import struct
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING

from pipeline.extract_options import ExtractionOptions, extraction_options
from pipeline.pages import Dropped, Page
from pipeline.tagging import Tagger
from storage.records import ArticleRecord

if TYPE_CHECKING:  # the workers never load the config module
    from pipeline.config import Settings

logger = logging.getLogger(__name__)

# Workers run this much nicer than the process feeding them. Extraction keeps every core busy, and the
# feeder is one thread: at equal priority, the scheduler shares the cores evenly between the three
# processes, so pages reach the workers late and the cores idle. A nicer worker yields its core the
# moment the feeder needs it (the crawler's reactor, which also answers servers before they time out).
# On the crawl benchmark's 2,000 pages it took the crawl from 33 s to 29 s, and 30 to 26 ms of CPU a page.
WORKER_NICENESS = 5
PAGES_IN_FLIGHT = 2  # per worker: the one it extracts, and the next, already in its socket
CRASHED = "crashed the extraction worker"
_LENGTH = struct.Struct("!Q")  # each message: its length, then the pickle


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


# --- in the worker process ------------------------------------------------------------------------


def _serve_pages(connection: socket.socket, tagger: Tagger, options: ExtractionOptions) -> None:
    """A worker's life: read a page, answer with its result, until the pool closes its end.

    Ctrl-C in a terminal reaches the whole process group: the crawl stops gracefully, and its workers
    must finish the pages it still waits for, so they ignore it and end when the pool closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(WORKER_NICENESS)
    with connection, connection.makefile("rb") as incoming:
        while header := incoming.read(_LENGTH.size):
            size = _LENGTH.unpack(header)[0]
            if len(message := incoming.read(size)) < size:  # the pool closed mid-message
                return
            page = pickle.loads(message)
            try:
                connection.sendall(_message(_extract(page, tagger, options)))
            except (BrokenPipeError, ConnectionResetError):  # the pool closed while this page was extracted
                return


def _extract(page: Page, tagger: Tagger, options: ExtractionOptions) -> ArticleRecord | Dropped:
    # Imported here, in the worker (the fork server has loaded it): the crawler feeding the pool never
    # loads extraction's libraries, 0.1 s of its start-up.
    from pipeline.ingest import process_page

    try:
        return process_page(page, tagger, options)
    except Exception as exc:  # a page must never take the worker down; report it as a drop with its cause
        logger.exception("%s: extraction failed", page.url)
        return Dropped(page.url, page.source, f"extraction error ({type(exc).__name__})")


def _message(value: object) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


# --- in the process feeding the pool ---------------------------------------------------------------


@dataclass(eq=False)
class _Job:
    page: Page
    result: asyncio.Future[ArticleRecord | Dropped]
    message: bytes = field(init=False)
    crashes: int = 0

    def __post_init__(self) -> None:
        self.message = _message(self.page)


class _WorkerDied(Exception):
    pass


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    connection: socket.socket  # the pool's end, non-blocking
    in_flight: deque[_Job] = field(default_factory=deque)

    def stop(self) -> None:
        """Close the pool's end (a live worker then finishes its page and exits) and reap the process."""
        self.connection.close()
        self.process.join(timeout=5)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()


class ExtractionPool:
    """:func:`process_page` in worker processes, awaitable from asyncio code.

    Workers are forked by a fork server (multiprocessing's ``forkserver`` method), started with the
    pool: a clean process that imports extraction (trafilatura, lxml: 0.6 s of CPU) once, while the
    crawler is still reading its feeds, and then forks each worker in milliseconds, sharing those
    modules' memory with it. Forking the crawler itself could copy locks held by its reactor and
    database threads into the child. Workers start at the first page, so a crawl that finds nothing
    new starts none and pays only for the fork server.
    """

    def __init__(self, tagger: Tagger, options: ExtractionOptions, workers: int = 0) -> None:
        """``tagger`` goes to the workers as regex sources, which each worker compiles as its pages need
        them: the configured topics it is built from are the config's pydantic models, whose unpickling
        would load the config module and SQLAlchemy there."""
        self.workers = workers or default_workers()
        self._initargs = (tagger, options)
        _start_fork_server()
        self._context = multiprocessing.get_context("forkserver")
        self._running: list[_Worker] = []
        self._idle: list[_Worker] = []  # running, and fed by no task: left by the loop of an earlier batch
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop the queue and the feeding tasks belong to
        self._queue: asyncio.Queue[_Job] | None = None
        self._feeders: list[asyncio.Task[None]] = []

    @classmethod
    def for_settings(cls, settings: Settings) -> ExtractionPool:
        """The pool a config asks for: its topics, its extraction options, its number of workers."""
        return cls(Tagger(settings.topics), extraction_options(settings), settings.crawl.extract_workers)

    async def process(self, page: Page) -> ArticleRecord | Dropped:
        """Extract a page in a worker; a page that kills two workers is dropped (see the module's docstring)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # the first page, or a new loop (each ``process_all`` runs one)
            self._loop, self._queue = loop, asyncio.Queue()
            self._feeders = [loop.create_task(self._feed()) for _ in range(self.workers)]
        assert self._queue is not None
        job = _Job(page, loop.create_future())
        self._queue.put_nowait(job)
        return await job.result

    def process_all(self, pages: Iterable[Page]) -> list[ArticleRecord | Dropped]:
        """Results in the order of ``pages``, for batch jobs outside an event loop (``newsmon reextract``)."""

        async def process_together() -> list[ArticleRecord | Dropped]:
            return await asyncio.gather(*(self.process(page) for page in pages))

        return asyncio.run(process_together())

    def close(self) -> None:
        """Stop the workers; a page being extracted is finished first."""
        for feeder in self._feeders:
            feeder.cancel()
        for worker in self._running:
            worker.stop()
        self._running.clear()
        self._idle.clear()

    async def _feed(self) -> None:
        """Keep one worker supplied with pages, and start a new one whenever it dies. When the loop ends
        (a batch of ``process_all``), a worker with nothing in flight waits for the next loop's pages."""
        worker = self._idle.pop() if self._idle else None
        try:
            while True:
                if worker is None:
                    worker = await self._new_worker()
                try:
                    await self._exchange(worker)
                except _WorkerDied:
                    self._retire(worker)
                    self._requeue(worker.in_flight)
                    worker = None
        except asyncio.CancelledError:
            if worker is not None and worker.in_flight:  # cut off mid-message: its stream cannot be trusted
                self._retire(worker)
            elif worker is not None and worker in self._running:
                self._idle.append(worker)
            raise

    async def _new_worker(self) -> _Worker:
        """A new worker; while none can start (the system refuses to fork), each page that comes fails with
        the reason, as a page whose extraction raised: it is not stored, and the next crawl fetches it again."""
        assert self._queue is not None
        while True:
            try:
                return self._start_worker()
            except (OSError, EOFError) as exc:
                job = await self._queue.get()
                logger.error("%s: cannot start an extraction worker process (%s)", job.page.url, exc)
                if not job.result.done():
                    job.result.set_exception(RuntimeError(f"cannot start an extraction worker process ({exc})"))

    def _retire(self, worker: _Worker) -> None:
        if worker in self._running:  # not yet stopped by close()
            self._running.remove(worker)
        worker.stop()

    def _start_worker(self) -> _Worker:
        ours, theirs = socket.socketpair()
        with theirs:  # the worker's end: once it is forked, only the worker holds it, and sees it close with us
            process = self._context.Process(target=_serve_pages, args=(theirs, *self._initargs), daemon=True)
            try:
                process.start()
            except BaseException:
                ours.close()
                raise
        ours.setblocking(False)
        worker = _Worker(process, ours)
        self._running.append(worker)
        return worker

    async def _exchange(self, worker: _Worker) -> None:
        """Send pages to the worker while reading its results, until it dies (_WorkerDied)."""
        room = asyncio.Semaphore(PAGES_IN_FLIGHT)
        sending = asyncio.get_running_loop().create_task(self._send(worker, room))
        try:
            while True:
                result = pickle.loads(await _receive(worker.connection))
                job = worker.in_flight.popleft()
                room.release()
                if not job.result.done():
                    job.result.set_result(result)
        finally:
            sending.cancel()

    async def _send(self, worker: _Worker, room: asyncio.Semaphore) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            await room.acquire()
            job = await self._queue.get()
            if job.result.done():  # its caller stopped waiting (cancelled)
                room.release()
                continue
            worker.in_flight.append(job)
            try:
                await loop.sock_sendall(worker.connection, job.message)
            except OSError:  # the worker died: reading from it says so, and its pages go back to the queue
                return

    def _requeue(self, jobs: deque[_Job]) -> None:
        """After a worker died: blame its first unanswered page (it was extracting it), send the others on."""
        assert self._queue is not None
        if jobs:
            suspect = jobs.popleft()
            suspect.crashes += 1
            if suspect.crashes > 1:
                logger.error("%s: extracting it killed the worker process twice; page dropped", suspect.page.url)
                if not suspect.result.done():
                    suspect.result.set_result(Dropped(suspect.page.url, suspect.page.source, CRASHED))
            else:
                logger.warning("%s: an extraction worker process died on this page (killed, out of memory, or a "
                               "crash in a C library); trying it again in a new worker", suspect.page.url)
                self._queue.put_nowait(suspect)
        for job in jobs:
            self._queue.put_nowait(job)
        jobs.clear()


async def _receive(connection: socket.socket) -> bytearray:
    """One message from a worker; _WorkerDied when its end is closed (the worker exited)."""
    size = _LENGTH.unpack(await _read_exactly(connection, _LENGTH.size))[0]
    return await _read_exactly(connection, size)


async def _read_exactly(connection: socket.socket, size: int) -> bytearray:
    loop = asyncio.get_running_loop()
    data = bytearray(size)
    view, done = memoryview(data), 0
    while done < size:
        try:
            received = await loop.sock_recv_into(connection, view[done:])
        except ConnectionError:
            received = 0
        if not received:
            raise _WorkerDied
        done += received
    return data


def _start_fork_server() -> None:
    """Start this process's fork server, unless it runs; it imports extraction before serving forks."""
    multiprocessing.set_forkserver_preload(["pipeline.ingest", __name__])
    multiprocessing.forkserver.ensure_running()
