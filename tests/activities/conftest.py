"""Activity test helpers: files go to a temporary folder with a small size limit; small factories."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from tests.conftest import PASSWORD

from edugroup.activities import service, storage
from edugroup.activities.models import Activity
from edugroup.activities.schemas import ActivityCreate
from edugroup.core.settings import Settings
from edugroup.teachers.models import Teacher

MAX_BYTES = 4096


@pytest.fixture(autouse=True)
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Attachments of the test go to its own folder, with a 4 KB limit."""
    settings = Settings(var_dir=tmp_path, upload_max_bytes=MAX_BYTES)
    monkeypatch.setattr(storage, "get_settings", lambda: settings)
    return tmp_path


def record(world, who: str = "bureau", **fields) -> Activity:
    """An activity recorded through the service by one of the world's users."""
    data = {"kind": "joint_research", "occurred_on": date(2025, 10, 10), "title": "联合教研", **fields}
    return service.create_activity(world.session, world.scope(who), ActivityCreate(**data))


HEADER = [
    "活动类型",
    "日期",
    "标题",
    "组织集团代码",
    "组织学校代码",
    "参与学校代码",
    "参与教师工号",
    "级别",
    "观察员",
    "是否有报告",
    "说明",
]


def xlsx(rows):
    """An .xlsx file of these rows."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv(rows):
    """A UTF-8 .csv file of these rows."""
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode("utf-8")


def teacher_id(world):
    """The world's one teacher."""
    return world.session.scalar(select(Teacher.id).where(Teacher.staff_number == "T-B-1"))


def pdf(size: int = 200) -> bytes:
    body = b"%PDF-1.4\n% evidence\n"
    return body + b"0" * max(0, size - len(body))


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def office(folder: str) -> bytes:
    """A minimal Office Open XML package with one part under `folder` (word/, xl/ or ppt/)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
    return buffer.getvalue()


def login(client, username: str) -> str:
    """Logs in through the form; returns the session's CSRF token."""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get("/activities")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
