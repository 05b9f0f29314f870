"""surveys and admissions: questionnaires, items, responses (HK-23); quota allocations, entry outcomes (HK-21, HK-22)

Revision ID: m5b_surveys_admissions
Revises: t4b_teacher_development
Create Date: 2026-11-24 16:00:55
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "m5b_surveys_admissions"
down_revision: str | None = "t4b_teacher_development"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questionnaires",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("conducted_on", sa.Date(), nullable=False),
        sa.Column("respondent_kinds", sa.JSON(), nullable=False),
        sa.Column("scale_min", sa.SmallInteger(), nullable=False),
        sa.Column("scale_max", sa.SmallInteger(), nullable=False),
        sa.Column("satisfied_values", sa.JSON(), nullable=False),
        sa.Column("scale_labels", sa.JSON(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_questionnaires_district_id_districts")
        ),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_questionnaires_group_id_groups")),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_questionnaires_region_id_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaires")),
    )
    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaires_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_questionnaires_group_id"), ["group_id"], unique=False)
        batch_op.create_index("ix_questionnaires_region_date", ["region_id", "conducted_on"], unique=False)

    op.create_table(
        "entry_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.SmallInteger(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("graduates", sa.Integer(), nullable=False),
        sa.Column("quality_entries", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_entry_outcomes_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_entry_outcomes_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_outcomes")),
        sa.UniqueConstraint("school_id", "school_year", name=op.f("uq_entry_outcomes_school_id_school_year")),
    )
    with op.batch_alter_table("entry_outcomes", schema=None) as batch_op:
        batch_op.create_index("ix_entry_outcomes_region_year", ["region_id", "school_year"], unique=False)

    op.create_table(
        "questionnaire_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("is_overall", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_questionnaire_items_questionnaire_id_questionnaires"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_items")),
        sa.UniqueConstraint(
            "questionnaire_id", "code", name=op.f("uq_questionnaire_items_questionnaire_id_code")
        ),
    )
    with op.batch_alter_table("questionnaire_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_questionnaire_items_questionnaire_id"), ["questionnaire_id"], unique=False
        )

    op.create_table(
        "quota_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.SmallInteger(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("senior_school_id", sa.Integer(), nullable=True),
        sa.Column("senior_school_name", sa.String(length=100), nullable=False),
        sa.Column("planned", sa.Integer(), nullable=False),
        sa.Column("filled", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_quota_allocations_region_id_regions")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_quota_allocations_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["senior_school_id"], ["schools.id"], name=op.f("fk_quota_allocations_senior_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_allocations")),
        sa.UniqueConstraint(
            "school_id",
            "school_year",
            "senior_school_name",
            name=op.f("uq_quota_allocations_school_id_school_year_senior_school_name"),
        ),
    )
    with op.batch_alter_table("quota_allocations", schema=None) as batch_op:
        batch_op.create_index("ix_quota_allocations_region_year", ["region_id", "school_year"], unique=False)
        batch_op.create_index(batch_op.f("ix_quota_allocations_school_id"), ["school_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_quota_allocations_senior_school_id"), ["senior_school_id"], unique=False
        )

    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column(
            "respondent_kind",
            sa.Enum("parent", "teacher", "student", name="respondentkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("respondent_code", sa.String(length=64), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("overall_answer", sa.SmallInteger(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_survey_responses_questionnaire_id_questionnaires"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_survey_responses_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint(
            "questionnaire_id", "respondent_kind", "respondent_code", name="uq_survey_responses_respondent"
        ),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_responses_questionnaire_id"), ["questionnaire_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_survey_responses_school_id"), ["school_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_responses_school_id"))
        batch_op.drop_index(batch_op.f("ix_survey_responses_questionnaire_id"))

    op.drop_table("survey_responses")
    with op.batch_alter_table("quota_allocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quota_allocations_senior_school_id"))
        batch_op.drop_index(batch_op.f("ix_quota_allocations_school_id"))
        batch_op.drop_index("ix_quota_allocations_region_year")

    op.drop_table("quota_allocations")
    with op.batch_alter_table("questionnaire_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_items_questionnaire_id"))

    op.drop_table("questionnaire_items")
    with op.batch_alter_table("entry_outcomes", schema=None) as batch_op:
        batch_op.drop_index("ix_entry_outcomes_region_year")

    op.drop_table("entry_outcomes")
    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.drop_index("ix_questionnaires_region_date")
        batch_op.drop_index(batch_op.f("ix_questionnaires_group_id"))
        batch_op.drop_index(batch_op.f("ix_questionnaires_district_id"))

    op.drop_table("questionnaires")
