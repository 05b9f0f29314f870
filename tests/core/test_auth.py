import re

from tests.conftest import PASSWORD, auth

from edugroup.core.security import hash_password, verify_password


def test_passwords_are_stored_as_argon2_hashes():
    hashed = hash_password("s3cret-password")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "s3cret-password")
    assert not verify_password(hashed, "wrong")


def test_a_token_is_issued_for_a_correct_password_only(world, client):
    good = client.post("/api/v1/auth/token", json={"username": "school", "password": PASSWORD})
    assert good.status_code == 201
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {good.json()['token']}"}).json()
    assert me["role"] == "school_admin"
    assert me["school_ids"] == [world.schools["B"]]
    bad = client.post("/api/v1/auth/token", json={"username": "school", "password": "nope-nope"})
    assert bad.status_code == 401
    assert bad.json()["message"] == "用户名或密码错误"


def test_the_api_refuses_callers_without_credentials(world, client):
    response = client.get("/api/v1/schools")
    assert response.status_code == 401
    assert "API 令牌" in response.json()["message"]
    assert client.get("/api/v1/schools", headers={"Authorization": "Bearer eg_forged"}).status_code == 401


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_login_form_needs_its_csrf_token(world, client):
    form = client.get("/login")
    refused = client.post("/login", data={"username": "bureau", "password": PASSWORD, "csrf_token": "forged"})
    assert refused.status_code == 403
    ok = client.post(
        "/login",
        data={"username": "bureau", "password": PASSWORD, "csrf_token": _csrf(form.text)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert "测试区" in client.get("/").text


def test_wrong_password_shows_the_login_form_again(world, client):
    form = client.get("/login")
    page = client.post(
        "/login", data={"username": "bureau", "password": "wrong-one", "csrf_token": _csrf(form.text)}
    )
    assert page.status_code == 401
    assert "用户名或密码错误" in page.text


def test_pages_send_anonymous_visitors_to_login(world, client):
    response = client.get(f"/groups/{world.groups['tight']}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_session_writes_through_the_api_need_the_csrf_header(world, client):
    form = client.get("/login")
    client.post("/login", data={"username": "bureau", "password": PASSWORD, "csrf_token": _csrf(form.text)})
    school = f"/api/v1/schools/{world.schools['E']}"
    assert client.patch(school, json={"name": "新名"}).status_code == 403
    token = _csrf(client.get("/").text)
    assert client.patch(school, json={"name": "新名"}, headers={"X-CSRF-Token": token}).status_code == 200
    assert client.get(school, headers=auth(world, "bureau")).json()["name"] == "新名"
