"""What every command shares: the ``ghgxl`` group, the consoles, the exit codes, and
:func:`friendly`, which turns anything a user could have done wrong into a bilingual
message and an exit code, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click
from rich.console import Console

import ghgxl
from ghgxl.errors import GhgError
from ghgxl.files import Interrupted, interruptible

EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 1, 2, 3
console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def friendly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Report a GhgError (or any crash) as a message and an exit code; SIGINT and SIGTERM
    stop the command cleanly (:func:`ghgxl.files.interruptible`): 130 and 143."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with interruptible():
                return command(*args, **kwargs)
        except Interrupted as exc:  # SIGINT, SIGTERM: the writes have unwound
            err_console.print("已中断 / interrupted", markup=False)
            sys.exit(exc.exit_code)
        except GhgError as exc:
            err_console.print(exc.text(), markup=False)
            sys.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            err_console.print(
                GhgError("E901", problem=f"{type(exc).__name__}: {exc}").text(), markup=False
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(ghgxl.__version__, "-V", "--version", prog_name="ghgxl")
def main() -> None:
    """ghgxl：温室气体盘查清册的计算引擎 / the engine under the GHG inventory workbook."""


#: ``--base-year BOOK``: the base year's workbook (default: the one 基本信息 names).
base_year_option = click.option(
    "--base-year",
    "base_year",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="基准年清册（默认取基本信息“基准年清册文件”）/ the base year's workbook (default: the "
    "one 基本信息 names)",
)
#: ``--library VERSION``: compute with this factor-library version instead of the one the
#: workbook records (基本信息 因子库版本).
library_option = click.option(
    "--library",
    "library_version",
    default=None,
    metavar="VERSION",
    help="因子库版本（默认：清册记录的版本）/ factor library version (default: the one the "
    "workbook records; see ghgxl factors versions)",
)


#: Findings of one code shown in the terminal; the rest are counted (``--json`` has all).
SHOWN_PER_CODE = 20


def print_findings(findings: list[GhgError]) -> None:
    """Each finding in the terminal, at most SHOWN_PER_CODE of one code (the rest counted)."""
    shown: dict[str, int] = {}
    for finding in findings:
        shown[finding.code] = shown.get(finding.code, 0) + 1
        if shown[finding.code] <= SHOWN_PER_CODE:
            err_console.print(finding.text(), markup=False)
    for code, count in shown.items():
        if count > SHOWN_PER_CODE:
            more = count - SHOWN_PER_CODE
            err_console.print(
                f"[{code}] 另有 {more} 处同类问题（--json 列出全部）/ {more} more like this "
                "(--json lists all)",
                markup=False,
            )
