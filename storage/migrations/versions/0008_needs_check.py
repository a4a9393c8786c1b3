"""Classifications and items carry the model's "perlu dicek" (needs check) flag.

- ``classifications.needs_check``: the model scored the item below its decision threshold but at
  or above its review floor (``classify.pipeline.classification``): not a complaint by the
  threshold, yet too close to call, so the review queue shows it as "perlu dicek" instead of
  dropping it.
- ``items.needs_check``: the newest classification's flag, copied onto the item with its current
  labels (as migration 0006 did for the labels), for the dashboard's and the export's counts.
- ``ix_items_needs_check`` on ``items (needs_check, status, published_at, harvested_at, id)``: the
  queue's "perlu dicek" tab finds its few items among all the new ones (its count at 100,000
  items, SQLite: 33 ms → 7 ms).

Rows classified before this revision had no such verdict: false. Plain ``ADD COLUMN`` with a
server default (no table rebuild), so the triggers on ``items`` (text search, 0006) stay in place.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("classifications", "items")


INDEX_COLUMNS = ["needs_check", "status", "published_at", "harvested_at", "id"]


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("needs_check", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index("ix_items_needs_check", "items", INDEX_COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_items_needs_check", table_name="items")
    for table in reversed(TABLES):
        op.drop_column(table, "needs_check")  # as 0006: no batch rebuild of items and its triggers
