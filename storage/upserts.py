"""INSERT ... ON CONFLICT for either backend: PostgreSQL and SQLite spell it alike, in their own dialect modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite


def conflict_insert(dialect: str, model: type[Any]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``model``'s table with ``on_conflict_do_update``/``on_conflict_do_nothing``."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
