"""Feedback keeps the widget's per-visit session id (the ``X-KB-Session`` header).

Nullable, so feedback stored before, and feedback from clients that send no session, stay
valid; a release without the column keeps working on an upgraded database.

Revision ID: 0002_feedback_session
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_feedback_session"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("session_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("session_id")
