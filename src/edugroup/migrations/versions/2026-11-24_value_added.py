"""monitoring: the region's science-literacy index configuration (虹优指数, HK-26)

Revision ID: m5c_value_added
Revises: m5a_monitoring_results
Create Date: 2026-11-24 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "m5c_value_added"
down_revision: str | None = "m5a_monitoring_results"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "science_index_configs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("scale_max", sa.Float(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_science_index_configs_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_science_index_configs")),
        sa.UniqueConstraint("region_id", name=op.f("uq_science_index_configs_region_id")),
    )


def downgrade() -> None:
    op.drop_table("science_index_configs")
