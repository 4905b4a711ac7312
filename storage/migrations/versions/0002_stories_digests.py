"""Stories (near-duplicate clusters) and digest deliveries.

Every existing article becomes a story of its own, so that each stored article belongs to a story.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from storage.fts import SQLITE_FTS_TRIGGERS

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Plain ADD COLUMN, not a batch copy: rebuilding `articles` on SQLite would drop its FTS triggers.
    if op.get_bind().dialect.name == "sqlite":  # Alembic will not add a column with a foreign key there
        op.execute("ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories (id)")
    else:
        op.add_column("articles", sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), nullable=True))
    op.add_column("articles", sa.Column("minhash", sa.LargeBinary, nullable=True))
    op.create_index("ix_articles_story_id", "articles", ["story_id"])
    op.create_table(
        "story_buckets",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("band", sa.Integer, primary_key=True),
        sa.Column("bucket", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_story_buckets_band_bucket", "story_buckets", ["band", "bucket"])
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("digest", sa.String(200), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL")),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("digest", "recipient", "story_id", name="uq_digest_deliveries_story"),
    )
    op.create_index("ix_digest_deliveries_sent_at", "digest_deliveries", ["sent_at"])
    op.execute("INSERT INTO stories (id, created_at) SELECT id, fetched_at FROM articles")
    op.execute("UPDATE articles SET story_id = id")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('stories', 'id'), coalesce(max(id), 0) + 1, false) FROM stories")


def downgrade() -> None:
    op.drop_table("digest_deliveries")
    op.drop_table("story_buckets")
    op.drop_index("ix_articles_story_id", "articles")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("articles") as batch:  # SQLite rebuilds the table: its triggers go with it
        batch.drop_column("minhash")
        batch.drop_column("story_id")
    if sqlite:
        for statement in SQLITE_FTS_TRIGGERS:
            op.execute(statement)
    op.drop_table("stories")
