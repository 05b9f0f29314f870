"""The `edugroup` command: set-up, demo data, import/export, serving."""

from __future__ import annotations

import getpass
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.core.errors import EduGroupError, ImportFailed, Unauthorized

app = typer.Typer(help="EduGroup 学区集团化办学管理与评估平台", no_args_is_help=True, add_completion=False)
import_app = typer.Typer(help="从 .xlsx / .csv 导入 (全部成功或全部不写入)", no_args_is_help=True)
export_app = typer.Typer(help="导出为 .xlsx / .csv", no_args_is_help=True)
user_app = typer.Typer(help="用户与 API 令牌", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(user_app, name="user")


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


def _fail(exc: EduGroupError) -> None:
    typer.secho(str(exc.message), fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def _scope(session: Session, token: str | None, username: str | None):  # type: ignore[no-untyped-def]
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
    from edugroup.demo import DEMO_PASSWORD, load_demo

    with transaction(actor="demo-loader") as session:
        users = load_demo(session)
    typer.echo(f"示例数据已就绪。示例用户 (密码均为 {DEMO_PASSWORD}):")
    for user in users:
        typer.echo(f"  {user.username:<14} {user.role.value:<13} {user.scope}")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the web app and API."""
    import uvicorn

    uvicorn.run("edugroup.app:create_app", factory=True, host=host, port=port, workers=workers)


def _import(kind: Kind, file: Path, token: str | None, user: str | None) -> None:
    from edugroup.core.db import transaction
    from edugroup.org import io

    if not file.is_file():
        typer.secho(f"{file}: 文件不存在", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)
    try:
        with transaction() as session:
            scope = _scope(session, token, user)
            report = io.import_table(session, scope, kind.value, file.read_bytes(), file.name)
    except ImportFailed as failure:
        typer.secho(str(failure), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None
    except EduGroupError as exc:
        _fail(exc)
    typer.echo(report.summary())


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
