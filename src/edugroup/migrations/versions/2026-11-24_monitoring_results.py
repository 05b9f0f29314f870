"""monitoring: exams and exam results

Revision ID: m5a_monitoring_results
Revises: m5b_surveys_admissions
Create Date: 2026-11-24 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "m5a_monitoring_results"
down_revision: str | None = "m5b_surveys_admissions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum("primary", "junior", "senior", name="examstage", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("score_min", sa.Float(), nullable=False),
        sa.Column("score_max", sa.Float(), nullable=False),
        sa.Column("cut_excellent", sa.Float(), nullable=False),
        sa.Column("cut_good", sa.Float(), nullable=False),
        sa.Column("cut_pass", sa.Float(), nullable=False),
        sa.Column("counts_for_monitoring", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("results_count", sa.Integer(), nullable=False),
        sa.Column("results_file", sa.String(length=255), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name=op.f("fk_exams_region_id_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exams")),
        sa.UniqueConstraint(
            "region_id", "school_year", "name", name=op.f("uq_exams_region_id_school_year_name")
        ),
    )
    with op.batch_alter_table("exams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exams_region_id"), ["region_id"], unique=False)

    op.create_table(
        "exam_results",
        sa.Column("exam_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("student_number", sa.String(length=32), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("level", sa.String(length=4), nullable=True),
        sa.Column("prior", sa.Float(), nullable=True),
        sa.Column("sat", sa.Boolean(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("ses", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("exam_id", "row", name=op.f("pk_exam_results")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("exam_results")
    with op.batch_alter_table("exams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exams_region_id"))
    op.drop_table("exams")
