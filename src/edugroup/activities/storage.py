"""Evidence files on disk: checked by extension and content, stored under var/attachments with a random name.

Files follow the transaction of the session that records them: a file written for a change that is rolled
back is removed, and a file whose record is deleted is removed only once the deletion commits.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from edugroup.core.errors import InvalidInput
from edugroup.core.settings import get_settings

_PENDING = "activities.files"


def _zip_with(folder: str) -> Callable[[bytes], bool]:
    def check(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)

    return check


def _plain_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    check: Callable[[bytes], bool]


_PDF = FileType("PDF", "application/pdf", lambda data: data.startswith(b"%PDF-"))
_JPEG = FileType("JPEG 图片", "image/jpeg", lambda data: data.startswith(b"\xff\xd8\xff"))
FILE_TYPES: dict[str, FileType] = {
    ".pdf": _PDF,
    ".jpg": _JPEG,
    ".jpeg": _JPEG,
    ".png": FileType("PNG 图片", "image/png", lambda data: data.startswith(b"\x89PNG\r\n\x1a\n")),
    ".docx": FileType(
        "Word 文档",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _zip_with("word/"),
    ),
    ".xlsx": FileType(
        "Excel 表格", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _zip_with("xl/")
    ),
    ".pptx": FileType(
        "PowerPoint 演示文稿",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _zip_with("ppt/"),
    ),
    ".txt": FileType("文本文件", "text/plain; charset=utf-8", _plain_text),
}
ALLOWED = "pdf、jpg、png、docx、xlsx、pptx、txt"


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    """The upload size limit (EDUGROUP_UPLOAD_MAX_BYTES)."""
    return get_settings().upload_max_bytes


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def check_file(filename: str, data: bytes) -> FileType:
    """The type of an upload; refuses (422) an empty or too large file, a type not allowed, or a mismatch."""
    suffix = Path(filename).suffix.lower()
    file_type = FILE_TYPES.get(suffix)
    if file_type is None:
        raise InvalidInput(
            f"不支持的文件类型「{suffix or '无扩展名'}」: 证明材料只能是 {ALLOWED}", field="file"
        )
    if not data:
        raise InvalidInput(f"文件「{filename}」是空的", field="file")
    limit = max_bytes()
    if len(data) > limit:
        raise InvalidInput(f"文件「{filename}」超过大小上限 {_megabytes(limit)}", field="file")
    if not file_type.check(data):
        raise InvalidInput(
            f"文件「{filename}」的内容不是{file_type.label}, 与扩展名 {suffix} 不符; 请上传真实的 {ALLOWED} 文件",
            field="file",
        )
    return file_type


def root() -> Path:
    """The folder holding every attachment."""
    return get_settings().var_dir / "attachments"


def path_of(stored_name: str) -> Path:
    """Where a stored file lives (sharded by the first two characters of its random name)."""
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise InvalidInput("无效的文件名")
    return root() / stored_name[:2] / stored_name


def save(session: Session, filename: str, data: bytes) -> StoredFile:
    """Checks and writes an upload under a random name; the file goes away if the session rolls back."""
    file_type = check_file(filename, data)
    stored_name = secrets.token_hex(16) + Path(filename).suffix.lower()
    target = path_of(stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_bytes(data)
    partial.replace(target)
    _register(session, target, written=True)
    return StoredFile(stored_name, file_type.content_type, len(data), hashlib.sha256(data).hexdigest())


def discard(session: Session, stored_name: str) -> None:
    """Removes a stored file once the session commits (kept if it rolls back)."""
    _register(session, path_of(stored_name), written=False)


# --- files follow the transaction ----------------------------------------------------------------


@dataclass
class _Pending:
    path: Path
    written: bool  # True: written in this transaction; False: to remove when it commits
    owner: SessionTransaction | None  # the savepoint open when registered; None for the outer transaction


def _register(session: Session, path: Path, *, written: bool) -> None:
    session.info.setdefault(_PENDING, []).append(_Pending(path, written, session.get_nested_transaction()))


def _inside(owner: SessionTransaction | None, transaction: SessionTransaction) -> bool:
    while owner is not None:
        if owner is transaction:
            return True
        owner = owner.parent
    return False


@event.listens_for(Session, "after_commit")
def _on_commit(session: Session) -> None:
    pending: list[_Pending] = session.info.get(_PENDING, [])
    if not pending:
        return
    savepoint = session.get_nested_transaction()
    if savepoint is not None:  # a released savepoint hands its files to the enclosing transaction
        parent = savepoint.parent if savepoint.parent is not None and savepoint.parent.nested else None
        for item in pending:
            if item.owner is savepoint:
                item.owner = parent
        return
    session.info.pop(_PENDING)
    for item in pending:
        if not item.written:
            item.path.unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _on_rollback(session: Session) -> None:
    pending: list[_Pending] = session.info.get(_PENDING, [])
    if not pending:
        return
    savepoint = session.get_nested_transaction()
    kept: list[_Pending] = []
    for item in pending:
        if savepoint is not None and not _inside(item.owner, savepoint):
            kept.append(item)
        elif item.written:
            item.path.unlink(missing_ok=True)
    session.info[_PENDING] = kept
