"""Database fixtures: every database test runs on SQLite and, when EDUGROUP_TEST_POSTGRES_URL is set, on
PostgreSQL too (and fails if that server is unreachable). The schema is built by the Alembic migrations;
each test runs inside a transaction that is rolled back at its end."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from edugroup.core.auth import create_user, issue_token
from edugroup.core.db import make_engine
from edugroup.core.migrate import upgrade
from edugroup.core.models import Role
from edugroup.core.scope import Scope, scope_for
from edugroup.core.settings import normalise_database_url
from edugroup.org import service
from edugroup.org.models import City, GroupMode, QualityTier, Region, Stage
from edugroup.org.schemas import DistrictCreate, GroupCreate, MembershipCreate, SchoolCreate
from edugroup.teachers.models import Teacher
from edugroup.web.composition import register_domains

register_domains()

POSTGRES_URL = os.environ.get("EDUGROUP_TEST_POSTGRES_URL")
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(not POSTGRES_URL, reason="EDUGROUP_TEST_POSTGRES_URL is not set"),
    ),
]
PASSWORD = "correct-horse-1"


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database of each backend, shared by the session's tests."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        eng = make_engine(f"sqlite:///{path}")
        with eng.begin() as connection:
            upgrade(connection)
        yield eng
        eng.dispose()
        return
    assert POSTGRES_URL
    schema = f"eg_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(normalise_database_url(POSTGRES_URL))
    with admin.begin() as connection:  # fails loudly when the server is unreachable
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = make_engine(
        normalise_database_url(POSTGRES_URL), connect_args={"options": f"-csearch_path={schema}"}
    )
    try:
        with eng.begin() as connection:
            upgrade(connection)
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back when the test ends (services' commits become savepoints)."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    session.info["actor"] = "test"
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@dataclass
class World:
    """A small region: two districts, a tight group, an alliance with a co-build pair, users of every role."""

    session: Session
    region_id: int
    other_region_id: int
    schools: dict[str, int]
    groups: dict[str, int]
    users: dict[str, int]
    tokens: dict[str, str]

    def scope(self, name: str) -> Scope:
        from edugroup.core.models import User

        user = self.session.get(User, self.users[name])
        assert user is not None
        return scope_for(self.session, user)


def build_world(session: Session) -> World:
    city = City(code="t-city", name="测试市")
    session.add(city)
    session.flush()
    region = Region(city_id=city.id, code="t-region", name="测试区", policy_pack="hongkou-2025")
    other = Region(city_id=city.id, code="t-other", name="另一区")
    session.add_all([region, other])
    session.flush()
    admin = create_user(
        session,
        username="bureau",
        password=PASSWORD,
        display_name="局管理员",
        role=Role.bureau_admin,
        region_id=region.id,
    )
    other_admin = create_user(
        session,
        username="other-bureau",
        password=PASSWORD,
        display_name="外区管理员",
        role=Role.bureau_admin,
        region_id=other.id,
    )
    bureau = scope_for(session, admin)
    d1 = service.create_district(session, bureau, DistrictCreate(code="D1", name="测试第一学区"))
    schools: dict[str, int] = {}
    specs = [
        ("A", "测试甲小学", Stage.primary, QualityTier.quality),
        ("B", "测试乙小学", Stage.primary, QualityTier.weaker),
        ("C", "测试丙初中", Stage.junior, QualityTier.ordinary),
        ("D", "测试丁初中", Stage.junior, QualityTier.weaker),
        ("E", "测试戊小学", Stage.primary, QualityTier.ordinary),
    ]
    for code, name, stage, tier in specs:
        school = service.create_school(
            session,
            bureau,
            SchoolCreate(
                code=code,
                name=name,
                stage=stage,
                quality_tier=tier,
                district_id=d1.id,
                lat=31.2,
                lon=121.5,
                student_count=500,
                teacher_count=40,
            ),
        )
        schools[code] = school.id
    outsider = service.create_school(
        session, scope_for(session, other_admin), SchoolCreate(code="X", name="外区学校", stage=Stage.primary)
    )
    schools["X"] = outsider.id
    groups: dict[str, int] = {}
    groups["tight"] = service.create_group(
        session, bureau, GroupCreate(code="G1", name="测试第一教育集团", mode=GroupMode.tight)
    ).id
    groups["alliance"] = service.create_group(
        session, bureau, GroupCreate(code="AL", name="测试联盟", mode=GroupMode.alliance)
    ).id
    groups["pair"] = service.create_group(
        session,
        bureau,
        GroupCreate(code="P1", name="测试共建体", mode=GroupMode.co_build, parent_id=groups["alliance"]),
    ).id
    start = date(2024, 9, 1)
    for code, group, leader in [
        ("A", "tight", True),
        ("B", "tight", False),
        ("C", "pair", True),
        ("D", "pair", False),
        ("C", "alliance", True),
        ("D", "alliance", False),
    ]:
        service.add_membership(
            session,
            bureau,
            MembershipCreate(
                group_id=groups[group], school_id=schools[code], start_date=start, is_leader=leader
            ),
        )
    teacher = Teacher(
        region_id=region.id, school_id=schools["B"], staff_number="T-B-1", name="测试教师", subject="数学"
    )
    session.add(teacher)
    session.flush()
    users = {
        "bureau": admin.id,
        "other-bureau": other_admin.id,
        "group": create_user(
            session,
            username="group",
            password=PASSWORD,
            display_name="总校长",
            role=Role.group_head,
            group_id=groups["tight"],
        ).id,
        "school": create_user(
            session,
            username="school",
            password=PASSWORD,
            display_name="学校管理员",
            role=Role.school_admin,
            school_id=schools["B"],
        ).id,
        "teacher": create_user(
            session,
            username="teacher",
            password=PASSWORD,
            display_name="测试教师",
            role=Role.teacher,
            teacher_id=teacher.id,
        ).id,
    }
    from edugroup.core.models import User

    tokens = {name: issue_token(session, session.get(User, uid), name="test") for name, uid in users.items()}  # type: ignore[arg-type]
    session.flush()
    return World(session, region.id, other.id, schools, groups, users, tokens)


@pytest.fixture
def world(db: Session) -> World:
    return build_world(db)


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    """The app on the test's session (its commits stay inside the test's transaction)."""
    from edugroup.core.deps import get_db
    from edugroup.web.app import create_app

    app = create_app()

    def override() -> Iterator[Session]:
        yield db
        db.commit()

    app.dependency_overrides[get_db] = override
    with TestClient(app) as test_client:
        yield test_client


def auth(world: World, name: str) -> dict[str, str]:
    """Authorization header of one of the world's users."""
    return {"Authorization": f"Bearer {world.tokens[name]}"}


SHARED = Path(__file__).resolve().parents[1].parent / "shared"
"""The policy documents (POLICY-CLAUSES.md, seeds/) in the folder beside the repository, not part of it."""
SHARED_MISSING = "../shared is not beside the repository"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """`../shared` for the tests marked `shared`: skipped when it is absent, failed when CI=true asks for it."""
    if SHARED.is_dir():
        return SHARED
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{SHARED_MISSING} ({SHARED}), and CI=true requires it", pytrace=False)
    pytest.skip(SHARED_MISSING)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test reads ../shared through `shared_dir` and is marked `shared`, both or neither."""
    for item in items:
        marked = item.get_closest_marker("shared") is not None
        if marked != ("shared_dir" in getattr(item, "fixturenames", ())):
            raise pytest.UsageError(
                f"{item.nodeid}: mark it 'shared' and give it the shared_dir fixture, or neither"
            )


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 with the smallest cost, so building worlds is quick; the algorithm stays the same."""
    from argon2 import PasswordHasher

    from edugroup.core import security

    original = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._hasher = original
