"""Connecting Excel to Python: ``ghgxl excel setup`` and ``ghgxl excel doctor``.

The workbook's VBA (xlwings' ``xlwings`` module) starts a Python for the cell functions
and the buttons: the one its settings name (:mod:`ghgxl.xlconfig`), else ``pythonw`` found
on PATH (for the cell functions; ``python`` for the buttons), which on a clean Windows can
be the Microsoft Store stub.

ghgxl's workbook names no interpreter (:data:`ghgxl.workbook.template.MACHINE_KEYS`): the
interpreter belongs to the machine, so a workbook works on every machine it is copied to.
``excel setup`` writes the Python it runs in into the user's config file, keeping the
user's other settings, in the format xlwings reads (``"KEY","VALUE"`` a line, in the ANSI
code page VBA reads text files in); given a workbook, it removes the workbook's own
``Interpreter_Win`` row (made by an older template, or by hand) after a backup, so the
user's config applies. ``excel doctor`` says, a line each, what Excel would start and what
is missing.

Nothing here imports xlwings: the interpreter Excel starts is examined in a subprocess of
its own (:data:`ghgxl.xlconfig.PROBE`), as Excel would start it.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ghgxl import xlconfig
from ghgxl.errors import GhgError
from ghgxl.files import write_bytes_atomic

#: The sheet key of the cell functions' module.
UDF_KEY = "UDF MODULES"
UDF_MODULE = "ghgxl.udfs"


# -- the checks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One line of the report: ``ok`` None when it does not apply on this system."""

    ok: bool | None
    what: str
    todo: str = ""


@dataclass
class Report:
    actions: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok is not False for c in self.checks)


SETUP = "运行 ghgxl excel setup / run ghgxl excel setup"


def _setup_hint(workbook: Path | None) -> str:
    if workbook is None:
        return SETUP
    return f"运行 ghgxl excel setup {workbook.name} / run ghgxl excel setup {workbook.name}"


def doctor(workbook: Path | None = None) -> list[Check]:
    """What Excel would start for ``workbook`` (or for any of ghgxl's workbooks), and
    whether that Python has what the cell functions need."""
    from ghgxl.workbook.conf import read_conf
    from ghgxl.workbook.template import template_path

    conf = read_conf(workbook) if workbook is not None else None
    checks: list[Check] = []
    if xlconfig.on_windows():
        interpreter = _configuration(checks, workbook, conf)
    else:
        interpreter = str(xlconfig.own_interpreter())
        checks.append(
            Check(
                None,
                f"非 Windows：不查 Excel 的设置，检查当前 Python / not Windows: no Excel settings, "
                f"checking this Python {interpreter}",
            )
        )
    if conf is not None:
        checks.append(_udf_modules(conf, workbook))
    if xlconfig.problem_with(interpreter) is not None:
        interpreter = str(xlconfig.own_interpreter())
        checks.append(
            Check(None, f"以下检查当前 Python / checking this Python instead: {interpreter}")
        )
    facts = xlconfig.probe(interpreter)
    if "error" in facts:
        checks.append(Check(False, f"无法运行 / cannot run {interpreter}: {facts['error']}", SETUP))
        return checks
    pinned = (conf or read_conf(template_path())).xlwings_version
    checks += _facts(facts, interpreter, pinned, workbook, conf)
    return checks


def _configuration(checks: list[Check], workbook: Path | None, conf) -> str:
    """The lines on the settings (user config, the workbook's sheet, a config file beside
    it) and the interpreter they give; appended to ``checks``."""
    user_path = xlconfig.user_config_path()
    user = xlconfig.read_settings(user_path)
    value = (user or {}).get(xlconfig.KEY, "")
    if value:
        usable = xlconfig.problem_with(xlconfig.expand(value))
        checks.append(
            Check(
                usable is None,
                f"用户配置 / user config {user_path}: {xlconfig.KEY} = {value}"
                + (f"（{usable[0]} / {usable[1]}）" if usable else ""),
                SETUP,
            )
        )
    else:
        why = "文件不存在 / no such file" if user is None else f"没有 / no {xlconfig.KEY}"
        checks.append(Check(False, f"用户配置 / user config {user_path}: {why}", SETUP))
    layers: list[tuple[str, Mapping[str, object] | None]] = []
    if conf is not None:
        sheet = {s.key.upper(): s.value for s in conf.settings or ()}
        layers.append((f"清册 / workbook {workbook.name} xlwings.conf:", sheet))
        pinned = conf.get(xlconfig.KEY)
        if pinned is None:
            checks.append(
                Check(
                    True,
                    f"清册 / workbook {workbook.name}: 未指定解释器，用户配置生效 / names no "
                    "interpreter, the user config applies",
                )
            )
        else:
            checks.append(
                Check(
                    False,
                    f"清册 / workbook {workbook.name}: xlwings.conf 表的 {pinned.key} = "
                    f"'{pinned.value}' 优先于用户配置 / overrides the user config",
                    _setup_hint(workbook),
                )
            )
        beside = xlconfig.read_settings(workbook.parent / "xlwings.conf")
        if beside is not None and xlconfig.KEY in beside:
            usable = xlconfig.problem_with(xlconfig.expand(beside[xlconfig.KEY]))
            checks.append(
                Check(
                    usable is None,
                    f"{workbook.parent / 'xlwings.conf'}: {xlconfig.KEY} = {beside[xlconfig.KEY]}，优先于用户配置 / "
                    "overrides the user config",
                    "删除该文件中的这一行 / delete this line of that file",
                )
            )
        layers.append(("xlwings.conf:", beside))
    layers.append((f"{user_path}:", user))
    interpreter, source = xlconfig.interpreter_source(layers)
    usable = xlconfig.problem_with(interpreter)
    line = f"Excel 启动的 Python / the Python Excel starts: {interpreter}（{source}）"
    if usable:
        line += f"：{usable[0]} / {usable[1]}"
    checks.append(Check(usable is None, line, _setup_hint(workbook)))
    return interpreter


def _udf_modules(conf, workbook: Path) -> Check:
    setting = conf.get(UDF_KEY)
    value = "" if setting is None else str(setting.value)
    return Check(
        value == UDF_MODULE,
        f"清册 / workbook {workbook.name}: UDF Modules = {value or '（无 / none）'}",
        f"把 xlwings.conf 表的 UDF Modules 设为 {UDF_MODULE}，或用 ghgxl workbook new 新建清册 / "
        f"set UDF Modules on the sheet xlwings.conf to {UDF_MODULE}, or make a new workbook "
        "with ghgxl workbook new",
    )


def _facts(
    facts: Mapping[str, object], interpreter: str, pinned: str | None, workbook, conf
) -> list[Check]:
    import ghgxl

    checks = []
    need = xlconfig.required_python()
    have = tuple(facts["python"])  # type: ignore[arg-type]
    shown = ".".join(map(str, have))
    checks.append(
        Check(
            have[:2] >= need,
            f"Python {shown}（需要 / needs ≥ {need[0]}.{need[1]}）",
            "从 python.org 安装新版 Python，再安装 ghgxl / install a newer Python from "
            "python.org, then ghgxl",
        )
    )
    install = f'"{interpreter}" -m pip install ghgxl=={ghgxl.__version__}'
    if "ghgxl" in facts:
        checks.append(Check(True, f"ghgxl {facts['ghgxl']}"))
    else:
        checks.append(Check(False, f"ghgxl: {facts.get('ghgxl_error')}", install))
    whose = "清册的 VBA / the workbook's VBA" if conf is not None else "模板 / the template"
    installed = facts.get("xlwings")
    if pinned is None:
        checks.append(
            Check(
                False,
                f"xlwings {installed}: 清册未记录其 VBA 的 xlwings 版本（旧模板生成）/ the "
                "workbook does not record its VBA's xlwings version (an older template)",
                "用 ghgxl workbook new 新建清册，把数据复制过去 / make a new workbook with "
                "ghgxl workbook new and copy the data into it",
            )
        )
    else:
        checks.append(
            Check(
                installed == pinned,
                f"xlwings {installed or facts.get('xlwings_error')}（{whose}: {pinned}）",
                f'"{interpreter}" -m pip install xlwings=={pinned}',
            )
        )
    if xlconfig.on_windows():
        checks.append(_dll(interpreter, pinned or str(installed)))
        checks.append(
            Check(
                facts.get("pywin32") is True,
                "pywin32" + (f": {facts['pywin32_error']}" if "pywin32_error" in facts else ""),
                f'"{interpreter}" -m pip install pywin32',
            )
        )
    checks.append(
        Check(
            facts.get("udfs") is True,
            "import ghgxl.udfs" + (f": {facts['udfs_error']}" if "udfs_error" in facts else ""),
            install,
        )
    )
    return checks


def _dll(interpreter: str, version: str) -> Check:
    names = [f"xlwings64-{version}.dll", f"xlwings32-{version}.dll"]
    found = [f / n for f in xlconfig.dll_folders(interpreter) for n in names if (f / n).is_file()]
    where = ", ".join(str(p) for p in found) if found else f"{names[0]}: 未找到 / not found"
    return Check(
        bool(found),
        f"xlwings DLL: {where}",
        f'"{interpreter}" -m pip install --force-reinstall --no-deps xlwings=={version}'
        "（不要用 --user / not with --user）",
    )


# -- setup ------------------------------------------------------------------------------------


def setup(workbook: Path | None = None) -> Report:
    """Write this Python into the user's xlwings config; with ``workbook``, remove the
    workbook's own interpreter row (after a backup), so that config applies; then the
    checks of :func:`doctor`. E701 off Windows, E702/E703 for a Python Excel cannot start."""
    from ghgxl.workbook.conf import read_conf, without_keys

    if not xlconfig.on_windows():
        raise GhgError("E701", system=platform.system() or sys.platform)
    interpreter = str(xlconfig.own_interpreter())
    if xlconfig.is_store_python(interpreter):
        raise GhgError("E702", path=interpreter)
    try:
        interpreter.encode(xlconfig.ansi_encoding())
    except UnicodeEncodeError:
        raise GhgError("E703", path=interpreter, encoding=xlconfig.ansi_encoding()) from None
    report = Report()
    if workbook is not None:
        conf = read_conf(workbook)  # a damaged workbook stops here, before anything is written
        original = workbook.read_bytes()
        changed = without_keys(original, conf, [xlconfig.KEY])
        if changed is None:
            report.actions.append(
                f"清册 / workbook {workbook}: 未指定解释器，无需改动 / names no interpreter, "
                "unchanged"
            )
        else:
            backup = _replace_with_backup(workbook, original, changed)
            removed = conf.get(xlconfig.KEY)
            report.actions.append(
                f"清册 / workbook {workbook}: 已删除 xlwings.conf 表的 / removed from the sheet "
                f"xlwings.conf {removed.key} = '{removed.value}'（备份 / backup: {backup}）"
            )
    config = xlconfig.user_config_path()
    old = xlconfig.write_setting(config, xlconfig.KEY, interpreter)
    if old == interpreter:
        report.actions.append(
            f"用户配置已是 / the user config already has {xlconfig.KEY} = {interpreter}"
        )
    else:
        was = f"（原为 / was {old}）" if old else ""
        report.actions.append(f"已写入 / wrote {config}: {xlconfig.KEY} = {interpreter}{was}")
    report.checks = doctor(workbook)
    return report


def _replace_with_backup(path: Path, original: bytes, changed: bytes) -> Path:
    """A complete backup of ``path`` first (a new file, never over one), then ``changed``
    atomically in its place; returns the backup."""
    from ghgxl.files import backup_paths, write_new

    backup = write_new(backup_paths(path), original, path.stat().st_mode & 0o777)
    write_bytes_atomic(path, changed)
    return backup


# -- output -----------------------------------------------------------------------------------


def marks(encoding: str | None) -> tuple[str, str]:
    """✓ and ✗ where the output can show them; √ and × (in GBK, the Chinese ticks)
    where it cannot (a Chinese Windows console redirected to a file)."""
    try:
        "✓✗".encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return "√", "×"
    return "✓", "✗"


def lines(checks: list[Check], encoding: str | None) -> list[tuple[str, str, str]]:
    """(mark, text, style) for each line to print: a check, and under a failed one what to
    do."""
    good, bad = marks(encoding)
    out = []
    for check in checks:
        mark, style = {True: (good, "green"), False: (bad, "red"), None: ("–", "dim")}[check.ok]
        out.append((mark, check.what, style))
        if check.ok is False and check.todo:
            out.append(("  →", check.todo, "yellow"))
    return out
