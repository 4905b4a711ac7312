"""The errors newsmon raises on purpose, turned into one line at the CLI edge.

    NewsmonError            base: a problem the user can fix; its message says how
    ├── ConfigError         the config file, an environment variable or a flag is wrong
    ├── UsageError          a command-line value is wrong (a bad date, an unknown source)
    └── Locked              another process is doing this work (pipeline/locks.py), so this one did not
        └── CrawlLocked     another crawl is running, so this one was not started

Storage raises its own :class:`storage.errors.StorageError` family (the database is unreachable or
broken); the CLI reports both the same way. A page that cannot be extracted is not an error: extraction
returns a reason and the crawl goes on.
"""


class NewsmonError(Exception):
    """A problem the user can fix; ``str(error)`` is one line that says how."""


class ConfigError(NewsmonError):
    """The configuration is missing, unreadable or invalid."""


class UsageError(NewsmonError):
    """A value given on the command line is invalid."""


class Locked(NewsmonError):
    """Another process holds the lock of this work (on any machine); nothing was done."""


class CrawlLocked(Locked):
    """Another crawl (scheduled or by hand, on any machine) holds the crawl lock; nothing was started."""
