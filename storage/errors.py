"""Errors from the storage layer; messages are one line a user can act on.

    StorageError            base
    ├── DatabaseUnavailable the server cannot be reached or the file cannot be opened
    └── SchemaError         the database schema cannot be brought up to date
"""


class StorageError(Exception):
    """The database failed; ``str(error)`` is one line naming the database and the fix."""


class DatabaseUnavailable(StorageError):
    """Cannot connect to the database."""


class SchemaError(StorageError):
    """Migrating the database to the current schema failed."""
