"""Crawl runs count the pages they skipped, and each source's run says why.

- ``crawl_runs.skipped``: pages fetched but not stored in the run (not an article, too short,
  too old, ...).
- ``crawl_run_sources.skipped``: the same for one source; ``crawl_run_sources.skipped_reasons``:
  how many for each reason code of ``pipelines.drop_reasons`` (JSON, e.g.
  ``{"listing": 10, "no_text": 2}``), so ``pantau runs`` and the dashboard can say
  "12 halaman dilewati: daftar/indeks (10), teks terlalu pendek (2)".

Runs recorded before this revision did not count skipped pages: 0 and no breakdown (NULL).
Plain ``ADD COLUMN`` with server defaults on both backends (no table rebuild).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("crawl_runs", "crawl_run_sources")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("skipped", sa.Integer(), server_default="0", nullable=False))
    op.add_column("crawl_run_sources", sa.Column("skipped_reasons", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_run_sources") as batch:
        batch.drop_column("skipped_reasons")
        batch.drop_column("skipped")
    with op.batch_alter_table("crawl_runs") as batch:
        batch.drop_column("skipped")
