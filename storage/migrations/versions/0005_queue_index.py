"""An index in review-queue order, so the queue stays fast with 100,000 items.

``ix_items_queue`` on ``items (status, published_at, harvested_at, id)``: the queue asks for
status ``new`` ordered by publication time, harvest time and id (storage/queue.py); with this index
both databases walk it in order instead of sorting every waiting item (SQLite, 100,000 items: the
first item and the next one from ~100–150 ms to ~2 ms).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

"""

from typing import Sequence, Union

from alembic import op

revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_items_queue", "items", ["status", "published_at", "harvested_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_items_queue", table_name="items")
