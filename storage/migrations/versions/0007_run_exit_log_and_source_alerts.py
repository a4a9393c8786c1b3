"""Crawl runs keep their exit code and log file; source health incidents for alerts.

- ``crawl_runs.exit_code``: the crawl process's exit code (``pantau schedule`` records the real
  one, including a crash or a kill); ``crawl_runs.log_file``: where the run's Scrapy log is.
- ``source_alerts``: an incident about a source that fails run after run or brings nothing new
  for days, so staff are alerted once per incident (storage/health.py, pantau/alerts.py).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("crawl_runs", sa.Column("exit_code", sa.Integer(), nullable=True))
    op.add_column("crawl_runs", sa.Column("log_file", sa.Text(), nullable=True))
    op.create_table("source_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("opened_at", TIMESTAMP, nullable=False),
        sa.Column("notified_at", TIMESTAMP, nullable=True),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint("kind IN ('failing', 'silent')", name=op.f("ck_source_alerts_kind")),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name=op.f("fk_source_alerts_source_id_sources")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_alerts")),
    )
    op.create_index("ix_source_alerts_source_id_kind", "source_alerts", ["source_id", "kind"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_source_alerts_source_id_kind", table_name="source_alerts")
    op.drop_table("source_alerts")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("log_file")
        batch.drop_column("exit_code")
