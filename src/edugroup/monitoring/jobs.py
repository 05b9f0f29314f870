"""Background imports with a progress bar: the upload is saved, a job runs the import, pages poll its status.

A job is a small JSON file under `EDUGROUP_VAR_DIR/jobs/` (written atomically: temporary file, then rename),
and its upload lies beside it until the job ends. The status lives in a file, not in the database, because on
SQLite the import's own transaction holds the only write lock until it commits, so no progress could be
written to the database meanwhile. With several app machines, `EDUGROUP_VAR_DIR` is on shared storage (as for
every upload), so any machine answers the status of a job another one runs.

Who sees a job: the bureau administrators of the exam's region (the only users who may import).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from edugroup.core.auth import bind_actor
from edugroup.core.errors import EduGroupError, ImportFailed, NotFound
from edugroup.core.models import User
from edugroup.core.scope import Scope, scope_for
from edugroup.core.settings import get_settings
from edugroup.monitoring import service

SessionScope = Callable[[], AbstractContextManager[Session]]
KEPT_FOR = 7 * 86_400  # seconds a finished job's status stays readable
STALE_AFTER = 30 * 60  # a job whose file has not changed for this long has lost its process
_ID_CHARS = set("0123456789abcdef")


def jobs_dir() -> Path:
    path = get_settings().var_dir / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _path(job_id: str) -> Path:
    if len(job_id) != 32 or not set(job_id) <= _ID_CHARS:
        raise NotFound(f"导入任务 {job_id} 不存在或无权查看")
    return jobs_dir() / f"{job_id}.json"


def _write(job: dict[str, Any]) -> None:
    directory = jobs_dir()
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(job, handle, ensure_ascii=False)
    os.replace(tmp, directory / f"{job['id']}.json")


def _read(job_id: str) -> dict[str, Any]:
    path = _path(job_id)
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound(f"导入任务 {job_id} 不存在或无权查看") from None
    return data


def prune(now: float | None = None) -> None:
    """Forget jobs older than a week, and uploads left behind by a process that died, after a day."""
    now = now or time.time()
    for path in jobs_dir().iterdir():
        age = now - path.stat().st_mtime
        if age > KEPT_FOR or (".upload" in path.name and age > 86_400):
            path.unlink(missing_ok=True)


def start(session: Session, scope: Scope, exam_id: int, upload: IO[bytes], filename: str) -> dict[str, Any]:
    """Save the upload and queue a job for it; the caller runs `run` after answering the request."""
    exam = service.get_exam(session, scope, exam_id)
    scope.require_bureau("导入成绩")
    prune()
    job_id = secrets.token_hex(16)
    suffix = Path(filename).suffix.lower()[:10]
    stored = jobs_dir() / f"{job_id}.upload{suffix}"
    with stored.open("wb") as out:
        shutil.copyfileobj(upload, out, length=4 * 1024 * 1024)
    job = {
        "id": job_id,
        "exam_id": exam.id,
        "region_id": exam.region_id,
        "user_id": scope.user_id,
        "filename": Path(filename).name or "upload",
        "upload": stored.name,
        "status": "queued",
        "progress": 0.0,
        "stage": "排队",
        "message": None,
        "result": None,
        "errors": [],
        "error_count": 0,
        "started_at": None,
        "finished_at": None,
    }
    _write(job)
    return job


def get(scope: Scope, job_id: str) -> dict[str, Any]:
    """A job the user may see (bureau administrators of its region)."""
    job = _read(job_id)
    if not (scope.is_bureau and scope.region_id == job["region_id"]):
        raise NotFound(f"导入任务 {job_id} 不存在或无权查看")
    if job["status"] in ("queued", "running") and time.time() - _path(job_id).stat().st_mtime > STALE_AFTER:
        job.update(
            status="failed",
            stage="中断",
            message="导入任务已中断 (运行它的进程已退出), 未写入任何数据; 请重新上传",
        )
    return job


def run(job_id: str, transaction: SessionScope) -> None:
    """Run a queued job: the import in one transaction of its own, progress written to the job's file."""
    job = _read(job_id)
    upload = jobs_dir() / job["upload"]
    last = [0.0]

    def progress(fraction: float, stage: str) -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - last[0] < 0.25:
            return
        last[0] = now
        job.update(progress=round(fraction, 3), stage=stage)
        _write(job)

    job.update(status="running", started_at=_now(), stage="读取文件")
    _write(job)
    try:
        with transaction() as session:
            user = session.get(User, job["user_id"])
            if user is None:
                raise NotFound("发起导入的用户已不存在")
            scope = scope_for(session, user)
            bind_actor(session, scope)
            report = service.import_results(
                session, scope, job["exam_id"], upload, job["filename"], progress=progress
            )
        job.update(
            status="done", progress=1.0, stage="完成", result=report.to_dict(), message=report.summary()
        )
    except ImportFailed as failure:
        body = failure.to_dict()
        errors: list[dict[str, object]] = body["errors"]  # type: ignore[assignment]
        job.update(status="failed", stage="校验未通过", message=str(body["message"]), errors=errors)
        job["error_count"] = len(errors)
    except EduGroupError as exc:
        job.update(status="failed", stage="失败", message=exc.message)
    except Exception as exc:  # the job must end with a status whatever went wrong
        job.update(status="failed", stage="失败", message=f"导入出错: {exc}")
    finally:
        job["finished_at"] = _now()
        _write(job)
        upload.unlink(missing_ok=True)
