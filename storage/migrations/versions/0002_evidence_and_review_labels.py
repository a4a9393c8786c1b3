"""Classification evidence and the before → after of every review action.

- ``classifications.evidence``: what the classifier based its verdict on (place spans with
  character offsets, the cue words that pushed towards complaint and category, the OPD cue),
  for the review UI to highlight.
- ``review_actions.before`` / ``after``: the labels (is_complaint, category, kecamatan, desa,
  in_jurisdiction, opd, reason) as they were and as the reviewer left them — the audit trail's
  before → after, and the training examples of ``pantau train --with-reviews``.

Plain ``ADD COLUMN`` (nullable, no table rebuild), so the review trail's append-only triggers
stay in place on SQLite and PostgreSQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("classifications", sa.Column("evidence", sa.JSON(), nullable=True))
    op.add_column("review_actions", sa.Column("before", sa.JSON(), nullable=True))
    op.add_column("review_actions", sa.Column("after", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("review_actions", "after")
    op.drop_column("review_actions", "before")
    op.drop_column("classifications", "evidence")
