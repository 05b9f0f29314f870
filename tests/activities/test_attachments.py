import hashlib

import pytest
from tests.activities.conftest import JPEG, MAX_BYTES, PNG, office, pdf, record
from tests.conftest import auth

from edugroup.activities import service, storage
from edugroup.core.errors import InvalidInput


def stored_files(var_dir):
    return sorted(p.name for p in (var_dir / "attachments").rglob("*") if p.is_file())


@pytest.fixture
def activity(world):
    return record(world, group_id=world.groups["tight"], school_ids=[world.schools["A"]])


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("报告.pdf", pdf()),
        ("照片.JPG", JPEG),
        ("照片.jpeg", JPEG),
        ("截图.png", PNG),
        ("方案.docx", office("word/")),
        ("名单.xlsx", office("xl/")),
        ("课件.pptx", office("ppt/")),
        ("记录.txt", "课堂观察记录".encode()),
        ("记录-gbk.txt", "课堂观察记录".encode("gb18030")),
    ],
)
def test_each_allowed_type_is_stored_under_a_random_name(world, activity, var_dir, filename, data):
    attachment = service.add_attachment(world.session, world.scope("bureau"), activity.id, filename, data)
    assert attachment.filename == filename
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert filename not in attachment.stored_name
    path = service.attachment_path(attachment)
    assert path.read_bytes() == data
    assert path.is_relative_to(var_dir / "attachments")


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("程序.exe", b"MZ\x90\x00", "不支持的文件类型「.exe」"),
        ("无扩展名", pdf(), "不支持的文件类型「无扩展名」"),
        ("伪装.pdf", b"MZ\x90\x00 not a pdf", "内容不是PDF"),
        ("伪装.png", JPEG, "内容不是PNG 图片"),
        ("表格.docx", office("xl/"), "内容不是Word 文档"),
        ("压缩包.xlsx", b"PK\x03\x04 broken zip", "内容不是Excel 表格"),
        ("二进制.txt", b"\x00\x01\x02", "内容不是文本文件"),
        ("空.pdf", b"", "是空的"),
        ("太大.pdf", pdf(MAX_BYTES + 1), "超过大小上限 4 KB"),
    ],
)
def test_a_wrong_type_or_too_large_file_is_refused_with_a_chinese_message(
    world, activity, var_dir, filename, data, message
):
    with pytest.raises(InvalidInput, match=message) as refused:
        service.add_attachment(world.session, world.scope("bureau"), activity.id, filename, data)
    assert refused.value.status_code == 422
    assert not (var_dir / "attachments").exists() or stored_files(var_dir) == []


def test_the_api_refuses_a_wrong_type_with_422(world, client, activity):
    headers = auth(world, "bureau")
    url = f"/api/v1/activities/{activity.id}/attachments"
    refused = client.post(url, files={"file": ("a.pdf", b"<html>", "application/pdf")}, headers=headers)
    assert refused.status_code == 422
    assert "内容不是PDF" in refused.json()["message"]
    too_big = client.post(
        url, files={"file": ("a.pdf", pdf(MAX_BYTES * 3), "application/pdf")}, headers=headers
    )
    assert too_big.status_code == 422
    assert "超过大小上限" in too_big.json()["message"]
    missing = client.post(url, headers=headers)
    assert missing.status_code == 422
    assert missing.json()["message"] == "请选择要上传的文件"


def test_evidence_is_uploaded_and_downloaded_by_those_who_see_the_activity(world, client, activity):
    url = f"/api/v1/activities/{activity.id}/attachments"
    uploaded = client.post(
        url, files={"file": ("观察报告.pdf", pdf(), "application/pdf")}, headers=auth(world, "group")
    )
    assert uploaded.status_code == 201, uploaded.text
    attachment = uploaded.json()
    assert attachment["content_type"] == "application/pdf"
    download = f"{url}/{attachment['id']}"
    for role in ("bureau", "group"):
        response = client.get(download, headers=auth(world, role))
        assert response.status_code == 200
        assert response.content == pdf()
        assert response.headers["content-type"] == "application/pdf"
        assert "attachment" in response.headers["content-disposition"]
        assert response.headers["x-content-type-options"] == "nosniff"
    for role in ("school", "teacher", "other-bureau"):  # school B neither organised nor took part
        assert client.get(download, headers=auth(world, role)).status_code == 404
    listed = client.get(f"/api/v1/activities/{activity.id}", headers=auth(world, "group")).json()
    assert [a["filename"] for a in listed["attachments"]] == ["观察报告.pdf"]


def test_an_attachment_of_another_activity_is_not_reached_through_this_one(world, client, activity):
    other = record(world, group_id=world.groups["pair"])
    attachment = service.add_attachment(world.session, world.scope("bureau"), other.id, "a.pdf", pdf())
    response = client.get(
        f"/api/v1/activities/{activity.id}/attachments/{attachment.id}", headers=auth(world, "group")
    )
    assert response.status_code == 404


def test_a_report_attachment_marks_the_observation_as_reported(world, client):
    observation = record(
        world, kind="classroom_observation", group_id=world.groups["tight"], observer_name="外部专家"
    )
    assert observation.has_report is False
    url = f"/api/v1/activities/{observation.id}/attachments"
    response = client.post(
        url,
        files={"file": ("报告.docx", office("word/"), "application/octet-stream")},
        data={"is_report": "true"},
        headers=auth(world, "bureau"),
    )
    assert response.status_code == 201
    assert response.json()["is_report"] is True
    assert client.get(f"/api/v1/activities/{observation.id}", headers=auth(world, "bureau")).json()[
        "has_report"
    ]
    client.delete(f"{url}/{response.json()['id']}", headers=auth(world, "bureau"))
    assert not client.get(f"/api/v1/activities/{observation.id}", headers=auth(world, "bureau")).json()[
        "has_report"
    ]


def test_a_deleted_attachment_leaves_the_disk_once_the_deletion_commits(world, client, activity, var_dir):
    headers = auth(world, "bureau")
    url = f"/api/v1/activities/{activity.id}/attachments"
    attachment = client.post(url, files={"file": ("a.png", PNG, "image/png")}, headers=headers).json()
    assert len(stored_files(var_dir)) == 1
    assert client.delete(f"{url}/{attachment['id']}", headers=headers).status_code == 204
    assert stored_files(var_dir) == []
    assert client.get(f"{url}/{attachment['id']}", headers=headers).status_code == 404


def test_deleting_an_activity_removes_its_files(world, client, activity, var_dir):
    headers = auth(world, "bureau")
    client.post(
        f"/api/v1/activities/{activity.id}/attachments", files={"file": ("a.png", PNG)}, headers=headers
    )
    assert len(stored_files(var_dir)) == 1
    assert client.delete(f"/api/v1/activities/{activity.id}", headers=headers).status_code == 204
    assert stored_files(var_dir) == []


def test_files_follow_the_transaction(world, activity, var_dir):
    session, bureau = world.session, world.scope("bureau")
    kept = service.add_attachment(session, bureau, activity.id, "kept.pdf", pdf())
    savepoint = session.begin_nested()
    service.add_attachment(session, bureau, activity.id, "undone.pdf", pdf())
    service.delete_attachment(session, bureau, activity.id, kept.id)
    savepoint.rollback()
    assert stored_files(var_dir) == [kept.stored_name]  # the rolled-back upload is gone, the kept file stays
    savepoint = session.begin_nested()
    service.delete_attachment(session, bureau, activity.id, kept.id)
    savepoint.commit()
    assert stored_files(var_dir) == [kept.stored_name]  # released savepoint: removed only when all commits
    session.commit()
    assert stored_files(var_dir) == []


def test_a_stored_name_cannot_climb_out_of_the_folder():
    with pytest.raises(InvalidInput):
        storage.path_of("../../etc/passwd")


def test_uploaded_names_are_cleaned_of_paths(world, activity):
    attachment = service.add_attachment(
        world.session, world.scope("bureau"), activity.id, "C:\\tmp\\..\\证明.pdf", pdf()
    )
    assert attachment.filename == "证明.pdf"
