"""Studios (OH-10, SH-09): list, detail with members across schools and activities, edits, scope."""

from datetime import date

from tests.conftest import auth
from tests.development.factories import add_teachers, login, staff_number

from edugroup.activities import service as activities
from edugroup.activities.schemas import ActivityCreate


def studio(client, world, group="tight", members=(), who="bureau", **fields):
    body = {
        "name": "测试名师工作室",
        "group_id": world.groups[group],
        "member_teacher_ids": list(members),
        **fields,
    }
    response = client.post("/api/v1/development/studios", json=body, headers=auth(world, who))
    assert response.status_code == 201, response.text
    return response.json()


def test_a_studio_is_set_up_with_members_across_schools_and_shows_its_activities(world, client):
    a, b = add_teachers(world, "A")[0], world.scope("teacher").teacher_id
    created = studio(client, world, members=[a, b], host_teacher_id=a, founded_on="2024-09-01")
    assert {m["school_id"] for m in created["members"]} == {world.schools["A"], world.schools["B"]}
    for day in (date(2024, 10, 1), date(2025, 10, 1), date(2025, 11, 1)):
        activities.create_activity(
            world.session,
            world.scope("bureau"),
            ActivityCreate(
                kind="studio_activity",
                occurred_on=day,
                title="工作室活动",
                group_id=world.groups["tight"],
                studio_id=created["id"],
            ),
        )
    detail = client.get(f"/api/v1/development/studios/{created['id']}", headers=auth(world, "group")).json()
    assert detail["activities_by_year"] == {"2025": 2, "2024": 1}
    assert detail["host_teacher_id"] == a


def test_the_groups_head_manages_its_studios_members(world, client):
    a, b = add_teachers(world, "A", 2)
    created = studio(client, world, members=[a])
    url = f"/api/v1/development/studios/{created['id']}"
    headers = auth(world, "group")
    added = client.post(f"{url}/members", json={"teacher_id": b, "joined_on": "2025-09-01"}, headers=headers)
    assert added.status_code == 201, added.text
    assert added.json()["staff_number"] == staff_number(world, b)
    twice = client.post(f"{url}/members", json={"teacher_id": b}, headers=headers)
    assert (twice.status_code, twice.json()["field"]) == (409, "teacher_id")
    early = client.patch(f"{url}/members/{b}", json={"left_on": "2025-01-01"}, headers=headers)
    assert (early.status_code, early.json()["field"]) == (422, "left_on")
    left = client.patch(f"{url}/members/{b}", json={"left_on": "2026-01-31"}, headers=headers)
    assert left.json()["left_on"] == "2026-01-31"
    assert client.delete(f"{url}/members/{a}", headers=headers).status_code == 204
    renamed = client.patch(url, json={"name": "改名工作室", "closed_on": "2027-08-31"}, headers=headers)
    assert renamed.json()["name"] == "改名工作室"
    assert [m["teacher_id"] for m in renamed.json()["members"]] == [b]


def test_studios_are_scoped_and_only_the_bureau_sets_one_up(world, client):
    c = add_teachers(world, "C")[0]
    b = world.scope("teacher").teacher_id
    alliance = studio(client, world, group="alliance", members=[c])
    tight = studio(client, world, members=[b], name="集团工作室")
    listed = {
        role: {s["id"] for s in client.get("/api/v1/development/studios", headers=auth(world, role)).json()}
        for role in ("bureau", "group", "school", "teacher", "other-bureau")
    }
    assert listed == {
        "bureau": {alliance["id"], tight["id"]},
        "group": {tight["id"]},
        "school": {tight["id"]},
        "teacher": {tight["id"]},
        "other-bureau": set(),
    }
    hidden = f"/api/v1/development/studios/{alliance['id']}"
    for role in ("group", "school", "teacher", "other-bureau"):
        assert client.get(hidden, headers=auth(world, role)).status_code == 404
        assert client.patch(hidden, json={"name": "x"}, headers=auth(world, role)).status_code == 404
    readable = f"/api/v1/development/studios/{tight['id']}"
    assert client.patch(readable, json={"name": "x"}, headers=auth(world, "school")).status_code == 403
    body = {"name": "新工作室", "group_id": world.groups["tight"]}
    assert (
        client.post("/api/v1/development/studios", json=body, headers=auth(world, "group")).status_code == 403
    )


def test_the_studio_pages_list_show_and_change_a_studio(world, client):
    a = add_teachers(world, "A")[0]
    created = studio(client, world, members=[a], host_teacher_id=a)
    csrf = login(client, "group")
    page = client.get("/development/studios").text
    assert "测试名师工作室" in page
    detail = client.get(f"/development/studios/{created['id']}").text
    assert 'id="studio-name">测试名师工作室<' in detail
    assert staff_number(world, a) in detail
    new = world.scope("teacher").teacher_id
    response = client.post(
        f"/development/studios/{created['id']}/members",
        data={"csrf_token": csrf, "staff_number": staff_number(world, new), "joined_on": "2025-09-01"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    unknown = client.post(
        f"/development/studios/{created['id']}/members", data={"csrf_token": csrf, "staff_number": "NOPE"}
    )
    assert unknown.status_code == 422
    assert "教师工号: 工号「NOPE」不存在" in unknown.text
    ended = client.post(
        f"/development/studios/{created['id']}/members/{new}/end",
        data={"csrf_token": csrf, "left_on": "2026-01-31"},
        follow_redirects=False,
    )
    assert ended.status_code == 303
    assert "2026-01-31" in client.get(f"/development/studios/{created['id']}").text
    login(client, "other-bureau")
    assert client.get(f"/development/studios/{created['id']}").status_code == 404
