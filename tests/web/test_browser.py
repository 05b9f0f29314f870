"""Drives Debian's Chromium (installed by `make test` when missing) through login and the group page."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from tests.conftest import PASSWORD, World, build_world

from edugroup.core import db as core_db

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(engine: Engine) -> Iterator[tuple[str, World]]:
    """The real app on a real port, over a committed world in the test database."""
    from edugroup.web.app import create_app

    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    world = build_world(session)
    session.commit()
    outer.commit()
    session.close()
    connection.close()
    core_db.set_engine(engine)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "the app did not start"
    try:
        yield f"http://127.0.0.1:{port}", world
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        _delete_world(engine)


def _delete_world(engine: Engine) -> None:
    from edugroup.models import Base

    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    assert chromium, "Debian's chromium is needed: run `make chromium`"
    assert driver_path, "Debian's chromium-driver is needed: run `make chromium`"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="edugroup-chromium-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_a_group_head_logs_in_and_reads_the_group_page(live_server, browser):
    from selenium.webdriver.common.by import By

    base, world = live_server
    browser.get(f"{base}/groups/{world.groups['tight']}")
    assert "/login" in browser.current_url
    browser.find_element(By.ID, "username").send_keys("group")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login-submit").click()
    assert browser.find_element(By.ID, "group-name").text == "测试第一教育集团"
    assert browser.find_element(By.ID, "group-mode").text == "紧密型(融合型)"
    browser.get(f"{base}/groups/{world.groups['tight']}?on=2025-01-01")
    members = browser.find_element(By.ID, "members").text
    assert "测试甲小学" in members
    assert "测试乙小学" in members
    assert browser.find_element(By.ID, "leader-tag").text == "牵头校"
    assert "2024-09-01" in browser.find_element(By.ID, "history").text
    browser.find_element(By.LINK_TEXT, "测试乙小学").click()
    assert browser.find_element(By.ID, "school-name").text == "测试乙小学"
    browser.get(f"{base}/groups/{world.groups['pair']}")
    assert "不存在或无权查看" in browser.page_source


def test_a_wrong_password_keeps_the_visitor_out(live_server, browser):
    from selenium.webdriver.common.by import By

    base, _ = live_server
    browser.get(f"{base}/login")
    browser.find_element(By.ID, "username").send_keys("group")
    browser.find_element(By.ID, "password").send_keys("not-the-password")
    browser.find_element(By.ID, "login-submit").click()
    assert browser.find_element(By.ID, "login-error").text == "用户名或密码错误"
