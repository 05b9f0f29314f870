"""The `edugroup` command: set-up, demo data, import/export, serving."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Protocol

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.algorithms.rotation.errors import InvalidInstance
from edugroup.core.errors import EduGroupError, ImportFailed, Unauthorized
from edugroup.core.scope import Scope
from edugroup.web.composition import register_domains

app = typer.Typer(help="EduGroup 学区集团化办学管理与评估平台", no_args_is_help=True, add_completion=False)
import_app = typer.Typer(help="从 .xlsx / .csv 导入 (全部成功或全部不写入)", no_args_is_help=True)
export_app = typer.Typer(help="导出为 .xlsx / .csv", no_args_is_help=True)
user_app = typer.Typer(help="用户与 API 令牌", no_args_is_help=True)
pack_app = typer.Typer(help="政策包: 列出与加载 (区域可复制、修改阈值后加载为新版本)", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(user_app, name="user")
app.add_typer(pack_app, name="pack")


class Kind(StrEnum):
    schools = "schools"
    groups = "groups"
    memberships = "memberships"


TokenOption = Annotated[
    str | None, typer.Option("--token", envvar="EDUGROUP_TOKEN", help="API 令牌 (或环境变量 EDUGROUP_TOKEN)")
]
UserOption = Annotated[
    str | None, typer.Option("--user", envvar="EDUGROUP_USER", help="本机操作员以该用户身份操作 (无令牌时)")
]


def _fail(exc: EduGroupError | InvalidInstance) -> None:
    typer.secho(str(exc.message), fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _scope(session: Session, token: str | None, username: str | None) -> Scope:
    from edugroup.core.auth import bind_actor, user_for_token
    from edugroup.core.models import User
    from edugroup.core.scope import scope_for

    if token:
        user = user_for_token(session, token)
    elif username:
        found = session.scalar(select(User).where(User.username == username))
        if found is None:
            raise Unauthorized(f"没有用户 {username}")
        user = found
    else:
        raise Unauthorized("请用 --token (或 EDUGROUP_TOKEN) 给出 API 令牌, 或用 --user 指定本机操作员")
    scope = scope_for(session, user)
    bind_actor(session, scope)
    return scope


@app.command()
def migrate() -> None:
    """Apply database migrations (alembic upgrade head)."""
    from edugroup.core.migrate import upgrade

    upgrade()
    typer.echo("数据库已迁移到最新版本")


@app.command()
def demo() -> None:
    """Load the demo regions (once) and print the demo users."""
    from edugroup.core.db import transaction
    from edugroup.org.demo import DEMO_PASSWORD
    from edugroup.web.composition import load_demo

    with transaction(actor="demo-loader") as session:
        users = load_demo(session)
    typer.echo(f"示例数据已就绪。示例用户 (密码均为 {DEMO_PASSWORD}):")
    for user in users:
        typer.echo(f"  {user.username:<14} {user.role.value:<13} {user.scope}")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the web app and API."""
    import uvicorn

    uvicorn.run("edugroup.web.app:create_app", factory=True, host=host, port=port, workers=workers)


class _Report(Protocol):
    def summary(self) -> str: ...


def _run_import(
    file: Path, token: str | None, user: str | None, load: Callable[[Session, Scope], _Report]
) -> None:
    """Run one import as the caller, in one transaction: all rows or none; exit 1 listing every bad row."""
    from edugroup.core.db import transaction

    if not file.is_file():
        typer.secho(f"{file}: 文件不存在", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)
    try:
        with transaction() as session:
            report = load(session, _scope(session, token, user))
    except ImportFailed as failure:
        typer.secho(str(failure), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None
    except EduGroupError as exc:
        _fail(exc)
    typer.echo(report.summary())


def _import(kind: Kind, file: Path, token: str | None, user: str | None) -> None:
    from edugroup.org import io

    _run_import(
        file,
        token,
        user,
        lambda session, scope: io.import_table(session, scope, kind.value, file.read_bytes(), file.name),
    )


@import_app.command("schools")
def import_schools(file: Path, token: TokenOption = None, user: UserOption = None) -> None:
    """Import schools."""
    _import(Kind.schools, file, token, user)


@import_app.command("groups")
def import_groups(file: Path, token: TokenOption = None, user: UserOption = None) -> None:
    """Import groups."""
    _import(Kind.groups, file, token, user)


@import_app.command("memberships")
def import_memberships(file: Path, token: TokenOption = None, user: UserOption = None) -> None:
    """Import memberships."""
    _import(Kind.memberships, file, token, user)


@import_app.command("activities")
def import_activities(file: Path, token: TokenOption = None, user: UserOption = None) -> None:
    """Import activity records (活动记录); as a group head or school administrator, for its own only."""
    from edugroup.activities.io import import_activities_file

    _run_import(file, token, user, lambda session, scope: import_activities_file(session, scope, file))


@import_app.command("survey-responses")
def import_survey_responses(
    file: Path,
    survey: Annotated[int, typer.Option("--survey", help="问卷编号 (questionnaire id)")],
    token: TokenOption = None,
    user: UserOption = None,
) -> None:
    """Import the responses of one questionnaire (满意度调查答卷); all rows or none."""
    from edugroup.surveys.io import import_responses_file

    _run_import(file, token, user, lambda session, scope: import_responses_file(session, scope, survey, file))


def _import_admissions(kind: str, file: Path, token: str | None, user: str | None) -> None:
    from edugroup.admissions.io import import_file

    _run_import(file, token, user, lambda session, scope: import_file(session, scope, kind, file))


@import_app.command("quota-allocations")
def import_quota_allocations(file: Path, token: TokenOption = None, user: UserOption = None) -> None:
    """Import quota allocations (名额分配到校: planned and filled places); bureau administrators."""
    _import_admissions("quota-allocations", file, token, user)


@import_app.command("entry-outcomes")
def import_entry_outcomes(file: Path, token: TokenOption = None, user: UserOption = None) -> None:
    """Import entry outcomes (毕业生数, 进入优质高中人数); bureau administrators."""
    _import_admissions("entry-outcomes", file, token, user)


@import_app.command("teachers")
def import_teachers(file: Path, token: TokenOption = None, user: UserOption = None) -> None:
    """Import teacher records (教师); matched by staff number, all rows or none."""
    from edugroup.teachers.io import import_teachers_file

    _run_import(file, token, user, lambda session, scope: import_teachers_file(session, scope, file))


@export_app.command("teachers")
def export_teachers(
    output: Annotated[Path, typer.Option("--output", "-o")],
    token: TokenOption = None,
    user: UserOption = None,
) -> None:
    """Export the teachers the user may see, in the import layout (.xlsx or .csv by the output's suffix)."""
    from edugroup.core.db import transaction
    from edugroup.teachers import io as teacher_io

    fmt = "csv" if output.suffix.lower() == ".csv" else "xlsx"
    try:
        with transaction() as session:
            output.write_bytes(teacher_io.export_file(session, _scope(session, token, user), fmt))
    except EduGroupError as exc:
        _fail(exc)
    typer.echo(f"已导出到 {output}")


@import_app.command("results")
def import_results(
    file: Path,
    exam: Annotated[int, typer.Option("--exam", help="考试编号 (成绩导入该考试, 替换其原有成绩)")],
    token: TokenOption = None,
    user: UserOption = None,
) -> None:
    """Import an exam's results (.csv / .xlsx / .parquet) with a progress bar; all rows or none."""
    from edugroup.core.db import transaction
    from edugroup.monitoring import service as monitoring

    if not file.is_file():
        typer.secho(f"{file}: 文件不存在", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)
    try:
        with typer.progressbar(length=1000, label="导入成绩") as bar:
            done = [0]

            def progress(fraction: float, _stage: str) -> None:
                step = int(fraction * 1000) - done[0]
                if step > 0:
                    bar.update(step)
                    done[0] += step

            with transaction() as session:
                scope = _scope(session, token, user)
                report = monitoring.import_results(session, scope, exam, file, file.name, progress=progress)
    except ImportFailed as failure:
        typer.secho(str(failure), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None
    except EduGroupError as exc:
        _fail(exc)
    typer.echo(report.summary())


class DevelopmentKind(StrEnum):
    training = "training"
    certificates = "certificates"
    mentoring = "mentoring"
    dispatches = "dispatches"
    assignments = "assignments"


@import_app.command("development")
def import_development(
    kind: DevelopmentKind, file: Path, token: TokenOption = None, user: UserOption = None
) -> None:
    """Import teacher development records (培训学分, 示范课证书, 师徒结对, 教师派遣, 专家与观察员); all rows or none."""
    from edugroup.development.io import import_file

    _run_import(file, token, user, lambda session, scope: import_file(session, scope, kind.value, file))


@export_app.command("development")
def export_development(
    kind: DevelopmentKind,
    output: Annotated[Path, typer.Option("--output", "-o")],
    year: Annotated[int | None, typer.Option("--year", help="学年, 如 2025")] = None,
    token: TokenOption = None,
    user: UserOption = None,
) -> None:
    """Export the teacher development records the user may see (.xlsx or .csv, in the import layout)."""
    from edugroup.core.db import transaction
    from edugroup.development.io import export_file

    fmt = "csv" if output.suffix.lower() == ".csv" else "xlsx"
    try:
        with transaction() as session:
            data = export_file(session, _scope(session, token, user), kind.value, fmt, year=year)
    except EduGroupError as exc:
        _fail(exc)
    output.write_bytes(data)
    typer.echo(f"已导出到 {output}")


@export_app.command("table")
def export_table(
    kind: Kind,
    output: Annotated[Path, typer.Option("--output", "-o")],
    token: TokenOption = None,
    user: UserOption = None,
) -> None:
    """Export schools, groups or memberships (format from the output's suffix: .xlsx or .csv)."""
    from edugroup.core.db import transaction
    from edugroup.org import io

    fmt = "csv" if output.suffix.lower() == ".csv" else "xlsx"
    try:
        with transaction() as session:
            scope = _scope(session, token, user)
            output.write_bytes(io.export_file(session, scope, kind.value, fmt))
    except EduGroupError as exc:
        _fail(exc)
    typer.echo(f"已导出到 {output}")


@export_app.command("template")
def export_template(kind: Kind, output: Annotated[Path, typer.Option("--output", "-o")]) -> None:
    """Write an empty import template (.xlsx or .csv)."""
    from edugroup.org import io

    output.write_bytes(io.template_file(kind.value, "csv" if output.suffix.lower() == ".csv" else "xlsx"))
    typer.echo(f"模板已写入 {output}")


@user_app.command("token")
def user_token(username: str, name: str = "cli") -> None:
    """Create an API token for a user (asks for the password)."""
    from edugroup.core.auth import authenticate, issue_token
    from edugroup.core.db import transaction

    password = os.environ.get("EDUGROUP_PASSWORD") or getpass.getpass("密码: ")
    try:
        with transaction(actor=username) as session:
            token = issue_token(session, authenticate(session, username, password), name=name)
    except EduGroupError as exc:
        _fail(exc)
    typer.echo(token)


@app.command("value-added")
def value_added(
    file: Path,
    score: Annotated[str, typer.Option(help="成绩列")],
    school: Annotated[str, typer.Option(help="学校列")],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出 JSON 文件")],
    prior: Annotated[str | None, typer.Option(help="前测成绩列 (省略则只含截距)")] = None,
    covariate: Annotated[list[str] | None, typer.Option(help="协变量列, 可重复; 文本列按类别处理")] = None,
    groups: Annotated[Path | None, typer.Option(help="学校与集团对照表 (含 --school 列和 group 列)")] = None,
) -> None:
    """Value-added by a random-intercept model fitted by REML (score ~ prior + covariates + (1 | school))."""
    from edugroup.monitoring.value_added import read_group_of, value_added_file

    try:
        group_of = read_group_of(groups, school=school, group="group") if groups else None
        result = value_added_file(
            file,
            score=score,
            prior=prior,
            school=school,
            covariates=covariate or [],
            output=output,
            group_of=group_of,
        )
    except EduGroupError as exc:
        _fail(exc)
    typer.echo(f"{result['n']} 名学生, {result['n_schools']} 所学校; 结果已写入 {output}")
    warnings = result.get("warnings") or []
    for warning in warnings if isinstance(warnings, list) else []:
        typer.secho(str(warning), fg=typer.colors.YELLOW, err=True)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


RegionOption = Annotated[
    str | None,
    typer.Option("--region", help="区代码 (无令牌/用户时由本机操作员评估该区; 默认: 采用该政策包的区)"),
]


def _operator_scope(
    session: Session, token: str | None, user: str | None, region: str | None, pack: str | None
) -> Scope:
    """The caller's scope; without a token or user, the local operator's read-only view of one region."""
    from edugroup.core.auth import bind_actor
    from edugroup.core.models import Role
    from edugroup.org.models import Region

    if token or user:
        return _scope(session, token, user)
    regions = list(session.scalars(select(Region).order_by(Region.id)))
    if region:
        chosen = next((r for r in regions if r.code == region), None)
    elif len(regions) == 1:
        chosen = regions[0]
    else:
        chosen = next((r for r in regions if pack and r.policy_pack == pack), None)
    if chosen is None:
        codes = ", ".join(f"{r.code} ({r.name})" for r in regions) or "(尚无)"
        raise Unauthorized(f"请用 --region 指定区: {codes}")
    scope = Scope(user_id=None, username="本机操作员", role=Role.bureau_admin, region_id=chosen.id)
    bind_actor(session, scope)
    return scope


@app.command()
def compliance(
    pack: Annotated[str, typer.Option("--pack", help="政策包 id, 如 hongkou-2025")],
    year: Annotated[int, typer.Option("--year", help="学年 (按起始年份, 2025 = 2025-09-01..2026-08-31)")],
    semester: Annotated[
        int | None, typer.Option("--semester", min=1, max=2, help="只评估该学期的学期规则")
    ] = None,
    group: Annotated[int | None, typer.Option("--group", help="只评估该集团 (id) 及其成员校")] = None,
    format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写入文件 (xlsx 必须)")] = None,
    region: RegionOption = None,
    token: TokenOption = None,
    user: UserOption = None,
) -> None:
    """Evaluate every rule of a pack for every entity in scope: value, threshold, verdict, evidence."""
    from edugroup.core.db import transaction
    from edugroup.policy import output as out
    from edugroup.policy.service import run_compliance

    try:
        with transaction() as session:
            scope = _operator_scope(session, token, user, region, pack)
            evaluation = run_compliance(session, scope, pack, year=year, semester=semester, group_id=group)
    except EduGroupError as exc:
        _fail(exc)
    if format is OutputFormat.xlsx:
        target = output or Path(f"compliance-{pack}-{year}.xlsx")
        target.write_bytes(out.to_xlsx(evaluation))
        typer.echo(f"已写入 {target} ({len(evaluation.rows)} 行)")
        return
    text = out.to_json(evaluation) if format is OutputFormat.json else out.to_table(evaluation)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"已写入 {output} ({len(evaluation.rows)} 行)")
    else:
        typer.echo(text)


@pack_app.command("list")
def pack_list(region: RegionOption = None, token: TokenOption = None, user: UserOption = None) -> None:
    """Packs and editions available to a region."""
    from edugroup.core.db import transaction
    from edugroup.policy.service import library

    try:
        with transaction() as session:
            scope = _operator_scope(session, token, user, region, None)
            packs = list(library(session, scope.region_id))
    except EduGroupError as exc:
        _fail(exc)
    for p in packs:
        typer.echo(f"{p.id:<24} {p.edition}  {len(p.clauses):>3} 条  {p.title}")


@pack_app.command("load")
def pack_load(
    file: Path, region: RegionOption = None, token: TokenOption = None, user: UserOption = None
) -> None:
    """Validate a pack file and load it as a new edition for the region (no code change)."""
    from edugroup.core.db import transaction
    from edugroup.policy.service import load_pack_edition

    if not file.is_file():
        typer.secho(f"{file}: 文件不存在", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)
    try:
        with transaction() as session:
            scope = _operator_scope(session, token, user, region, None)
            pack = load_pack_edition(session, scope, file.read_text(encoding="utf-8"), source_name=file.name)
    except EduGroupError as exc:
        _fail(exc)
    typer.echo(f"已加载政策包 {pack.id} ({pack.edition} 版, {len(pack.clauses)} 条条款)")


@app.command("plan-rotation")
def plan_rotation(
    instance: Annotated[Path, typer.Option("--instance", help="JSON 实例文件")],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出 JSON 文件")],
) -> None:
    """Plan who rotates where (HiGHS): every quota holds and total commute is least."""
    from edugroup.algorithms.rotation.planner import plan_rotation_file

    try:
        result = plan_rotation_file(instance, output)
    except InvalidInstance as exc:
        _fail(exc)
    typer.echo(f"状态: {result['status']}; 总通勤 {result.get('objective')} km; 已写入 {output}")
    if result["status"] == "infeasible":
        typer.secho(str(result.get("explanation", "")), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2)


def main() -> None:
    register_domains()
    app()


if __name__ == "__main__":
    main()
