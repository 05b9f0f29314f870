"""Pack editions a region loaded (`edugroup pack load FILE`); the shipped packs live in packs/*.yaml."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from edugroup.core.db import Base, utcnow


class PackEdition(Base):
    """One loaded edition of a pack: its YAML text, validated when loaded, kept verbatim."""

    __tablename__ = "policy_pack_editions"
    __table_args__ = (UniqueConstraint("region_id", "pack_id", "edition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    pack_id: Mapped[str] = mapped_column(String(80))
    edition: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    source_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
