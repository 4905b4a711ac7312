"""Initial schema: articles, tags, crawl runs, fetch state, and full-text search.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from storage.fts import PG_FTS, PG_FTS_DROP, SQLITE_FTS, SQLITE_FTS_DROP

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False, unique=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("authors", sa.JSON, nullable=False),
        sa.Column("published_at", _utc()),
        sa.Column("fetched_at", _utc(), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("description", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("html_gz", sa.LargeBinary),
    )
    for column in ("source", "published_at", "fetched_at", "language", "content_hash"):
        op.create_index(f"ix_articles_{column}", "articles", [column])
    op.create_table(
        "article_tags",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("topic", sa.String(200), primary_key=True),
        sa.Column("in_title", sa.Boolean, nullable=False),
        sa.Column("in_body", sa.Boolean, nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
        sa.Column("sentence", sa.Text, nullable=False),
        sa.Column("tagged_at", _utc(), nullable=False),
    )
    op.create_index("ix_article_tags_topic", "article_tags", ["topic", "article_id"])
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("finished_at", _utc()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("message", sa.Text),
    )
    op.create_index("ix_crawl_runs_started_at", "crawl_runs", ["started_at"])
    op.create_table(
        "crawl_run_sources",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("crawl_runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("source", sa.String(200), primary_key=True),
        *(
            sa.Column(name, sa.Integer, nullable=False)
            for name in (
                "feeds_read", "not_modified", "links_found", "skipped_known",
                "fetched", "stored", "dropped", "failed",
            )
        ),
        sa.Column("drop_reasons", sa.JSON, nullable=False),
        sa.Column("errors", sa.JSON, nullable=False),
    )
    op.create_table(
        "seen_urls",
        sa.Column("url", sa.String(2048), primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE")),
        sa.Column("outcome", sa.String(100), nullable=False),
        sa.Column("seen_at", _utc(), nullable=False),
        sa.Column("retry_after", _utc()),
    )
    op.create_index("ix_seen_urls_article_id", "seen_urls", ["article_id"])
    op.create_table(
        "fetch_state",
        sa.Column("url", sa.String(2048), primary_key=True),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("checked_at", _utc(), nullable=False),
    )
    for statement in SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else PG_FTS:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_FTS_DROP if op.get_bind().dialect.name == "sqlite" else PG_FTS_DROP:
        op.execute(statement)
    for table in ("fetch_state", "seen_urls", "crawl_run_sources", "crawl_runs", "article_tags", "articles"):
        op.drop_table(table)
