"""Where an API source resumes, and how many posts the X API was asked for.

- ``source_state.cursor``: JSON the crawler keeps per source to resume an API search (for X:
  the newest post id read, and the part of an interrupted search still to read; see
  ``spiders/x.py``).
- ``x_usage``: posts each X source read in each crawl run, per calendar month (UTC), so the
  per-run and per-month caps on the paid X API hold across runs and processes.

Plain ``ADD COLUMN`` and a new table: no table rebuild, so the review trail's triggers stay.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("source_state", sa.Column("cursor", sa.JSON(), nullable=True))
    op.create_table("x_usage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("posts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_read_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name=op.f("fk_x_usage_source_id_sources")),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], name=op.f("fk_x_usage_run_id_crawl_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_x_usage")),
        sa.UniqueConstraint("source_id", "run_id", "month", name=op.f("uq_x_usage_source_id_run_id_month")),
    )
    op.create_index(op.f("ix_x_usage_month"), "x_usage", ["month"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_x_usage_month"), table_name="x_usage")
    op.drop_table("x_usage")
    op.drop_column("source_state", "cursor")
