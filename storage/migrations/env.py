"""Alembic environment: runs on the connection storage.db hands over, or on sqlalchemy.url."""

import os

from alembic import context
from storage.db import include_in_autogenerate as include_object
from storage.db import make_engine
from storage.models import Base


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:  # storage.db.upgrade(), i.e. every newsmon command
    run_migrations(connection)
else:  # the alembic CLI, for developers: alembic -c storage/alembic.ini revision --autogenerate -m "..."
    engine = make_engine(os.environ.get("NEWSMON_DATABASE_URL", "sqlite:///newsmon.db"))
    with engine.begin() as conn:
        run_migrations(conn)
    engine.dispose()
