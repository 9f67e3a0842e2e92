"""The feedback and search-log tables as they were before migrations existed.

A database created by an earlier release has exactly these tables and no ``alembic_version``:
``kb db upgrade`` stamps it at this revision instead of running it (see kb.migrate).

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("article_id", sa.String(200), nullable=False),
        sa.Column("locale", sa.String(35), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("query", sa.String(500), nullable=True),
        sa.Column("comment", sa.String(2000), nullable=True),
    )
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"])
    op.create_index("ix_feedback_article", "feedback", ["article_id", "locale"])
    op.create_table(
        "search_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("query_normalized", sa.String(500), nullable=False),
        sa.Column("locale", sa.String(35), nullable=False),
        sa.Column("intent", sa.String(32), nullable=True),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.Column("top_article", sa.String(200), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=True),
        sa.Column("fallback_locale", sa.String(35), nullable=True),
    )
    op.create_index("ix_search_log_created_at", "search_log", ["created_at"])
    op.create_index("ix_search_log_session", "search_log", ["session_id", "created_at"])


def downgrade() -> None:
    op.drop_table("search_log")
    op.drop_table("feedback")
