"""Connecting Excel to Python: ``ghgxl excel setup`` and ``ghgxl excel doctor``.

The workbook's VBA (xlwings' ``xlwings`` module) starts a Python for the cell functions
and the buttons. Which one, it looks up with ``GetConfig("INTERPRETER_WIN")`` in three
places, the first that has the key winning: the workbook's ``xlwings.conf`` sheet, an
``xlwings.conf`` file in the workbook's folder, the user's
``%USERPROFILE%\\.xlwings\\xlwings.conf``; without one, ``pythonw`` found on PATH (for
the cell functions; ``python`` for the buttons), which on a clean Windows can be the
Microsoft Store stub.

ghgxl's workbook names no interpreter (:data:`ghgxl.workbook.template.MACHINE_KEYS`): the
interpreter belongs to the machine, so a workbook works on every machine it is copied to.
``excel setup`` writes the Python it runs in into the user's config file, keeping the
user's other settings, in the format xlwings reads (``"KEY","VALUE"`` a line, in the ANSI
code page VBA reads text files in); given a workbook, it removes the workbook's own
``Interpreter_Win`` row (made by an older template, or by hand) after a backup, so the
user's config applies. ``excel doctor`` says, a line each, what Excel would start and what
is missing.

Nothing here imports xlwings: the interpreter Excel starts is examined in a subprocess of
its own (:data:`PROBE`), as Excel would start it.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ghgxl.errors import GhgError
from ghgxl.files import write_bytes_atomic

#: The key xlwings' VBA reads for the interpreter on Windows (``XLPyCommand``, ``RunPython``).
KEY = "INTERPRETER_WIN"
#: Read when ``INTERPRETER_WIN`` is empty everywhere (xlwings' "legacy" key).
LEGACY_KEY = "INTERPRETER"
#: What xlwings' VBA starts for the cell functions when no interpreter is configured.
DEFAULT_INTERPRETER = "pythonw"
#: The sheet key of the cell functions' module.
UDF_KEY = "UDF MODULES"
UDF_MODULE = "ghgxl.udfs"
PROBE_TIMEOUT = 180  # seconds: a first import of pandas on a slow disk takes a while
MARKER = "GHGXL-PROBE "

#: Run by the interpreter Excel starts, with ``-B -c`` as xlwings' VBA runs it: what it
#: can import, as JSON after :data:`MARKER` on stdout.
PROBE = f"""
import json, sys
facts = {{"python": list(sys.version_info[:3]), "executable": sys.executable}}
def attempt(name, action):
    try:
        facts[name] = action()
    except BaseException as exc:
        facts[name + "_error"] = (type(exc).__name__ + ": " + str(exc))[:300]
def ghgxl_version():
    import ghgxl
    return ghgxl.__version__
def xlwings_version():
    from importlib.metadata import version
    return version("xlwings")
def pywin32():
    import pythoncom, pywintypes, win32com.client
    return True
def udfs():
    import ghgxl.udfs
    return True
attempt("ghgxl", ghgxl_version)
attempt("xlwings", xlwings_version)
attempt("pywin32", pywin32)
attempt("udfs", udfs)
sys.stdout.write("\\n{MARKER}" + json.dumps(facts) + "\\n")
"""


# -- the seam: which system this is (tests simulate Windows on Linux) -----------------------


def on_windows() -> bool:
    return sys.platform == "win32"


def ansi_encoding() -> str:
    """The code page VBA reads and writes text files in (``Open … For Input``): the system's
    ANSI code page on Windows (cp936 on Chinese Windows), which Python calls ``mbcs``."""
    return "mbcs" if sys.platform == "win32" else "utf-8"


def user_config_path() -> Path:
    """``%USERPROFILE%\\.xlwings\\xlwings.conf``, where xlwings' VBA reads the user's
    settings (``GetConfigFilePath``)."""
    home = os.environ.get("USERPROFILE") or str(Path.home())
    return Path(home) / ".xlwings" / "xlwings.conf"


# -- config files ---------------------------------------------------------------------------

_QUOTED_KEY = re.compile(rb'^\s*"([^"]*)"')
_BARE_KEY = re.compile(rb"^\s*([^,\"\r\n]*?)\s*,")
_PERCENT_VAR = re.compile(r"%([^%]+)%")


def _key_of(line: bytes) -> str:
    found = _QUOTED_KEY.match(line) or _BARE_KEY.match(line)
    return found.group(1).decode("ascii", "replace").strip() if found else ""


def read_settings(path: Path) -> dict[str, str] | None:
    """A config file's settings, keys upper-cased, the first of a key winning (VBA's
    ``GetConfigFromFile`` stops at the first); ``None`` when there is no file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise GhgError("E601", path=str(path), problem=exc.strerror or str(exc)) from None
    settings: dict[str, str] = {}
    text = data.decode(ansi_encoding(), "replace").splitlines()
    for fields in csv.reader(text, skipinitialspace=True):
        if len(fields) >= 2:
            settings.setdefault(fields[0].strip().upper(), fields[1])
    return settings


def with_setting(data: bytes, key: str, value: str) -> bytes:
    """A config file's bytes with ``"KEY","VALUE"`` as xlwings writes it (its ``config
    create`` and VBA's ``Write #``): the first line of that key (any case) replaced in
    place, later ones dropped, else the line added at the end. Every other line is kept
    byte for byte."""
    newline = b"\r\n" if b"\r\n" in data or (not data and on_windows()) else b"\n"
    line = f'"{key}","{value}"'.encode(ansi_encoding())
    out: list[bytes] = []
    placed = False
    for raw in data.splitlines(keepends=True):
        if _key_of(raw).upper() == key.upper():
            if not placed:
                ending = raw[len(raw.rstrip(b"\r\n")) :] or newline
                out.append(line + ending)
                placed = True
            continue
        out.append(raw)
    if not placed:
        if out and not out[-1].endswith((b"\n", b"\r")):
            out[-1] += newline
        out.append(line + newline)
    return b"".join(out)


def write_setting(path: Path, key: str, value: str) -> str | None:
    """Set ``key`` in the config file ``path`` (made if missing), atomically; returns the
    value it had (``None``: none). Nothing is written when it is already ``value``."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    except OSError as exc:
        raise GhgError("E601", path=str(path), problem=exc.strerror or str(exc)) from None
    old = (read_settings(path) or {}).get(key.upper()) if data else None
    new = with_setting(data, key, value)
    if new != data:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise GhgError("E604", path=str(path), problem=exc.strerror or str(exc)) from None
        write_bytes_atomic(path, new)
    return old


def expand(value: str, environ: Mapping[str, str] | None = None) -> str:
    """``%NAME%`` expanded as VBA's ``ExpandEnvironmentStrings`` does (names in any case;
    an unknown one is left as it is)."""
    upper = {k.upper(): v for k, v in (environ if environ is not None else os.environ).items()}
    return _PERCENT_VAR.sub(lambda m: upper.get(m.group(1).upper(), m.group(0)), value)


# -- interpreters ---------------------------------------------------------------------------


def own_interpreter() -> Path:
    """The Python running ghgxl, as Excel should start it: ``python.exe`` (what xlwings'
    own ``xlwings config create`` writes); a ``pythonw.exe`` is swapped for the
    ``python.exe`` beside it. The DLL hides the window of the cell functions' server and
    the buttons run it hidden, so ``python.exe`` shows no console, and its errors reach the
    log file the buttons read."""
    executable = Path(sys.executable)
    if executable.name.lower() == "pythonw.exe":
        console = executable.with_name("python.exe")
        if console.is_file():
            return console
    return executable


def is_store_python(path: str) -> bool:
    """Under a ``WindowsApps`` folder: the Store's ``python.exe`` stub (an app alias that
    opens the Store) or the Store Python itself, whose files other programs cannot reach."""
    return any(part.lower() == "windowsapps" for part in re.split(r"[\\/]", path))


def problem_with(interpreter: str) -> tuple[str, str] | None:
    """Why Excel cannot start ``interpreter`` (Chinese, English), or ``None``."""
    if interpreter.lower() in ("python", "pythonw", "python.exe", "pythonw.exe", ""):
        return (
            f"只写了 '{interpreter}'：由 PATH 决定，可能是 Microsoft Store 占位程序",
            f"only '{interpreter}': PATH decides, maybe the Microsoft Store stub",
        )
    if is_store_python(interpreter):
        error = GhgError("E702", path=interpreter)
        return error.message_zh, error.message_en
    try:
        interpreter.encode(ansi_encoding())
    except UnicodeEncodeError:
        error = GhgError("E703", path=interpreter, encoding=ansi_encoding())
        return error.message_zh, error.message_en
    if not Path(interpreter).is_file():
        return "文件不存在", "no such file"
    return None


def required_python() -> tuple[int, int]:
    """The lowest Python ghgxl and the pinned xlwings both install on (their
    ``Requires-Python``; xlwings 0.37.8 needs 3.11)."""
    from importlib.metadata import PackageNotFoundError, metadata

    lowest = (3, 10)
    for dist in ("ghgxl", "xlwings"):
        try:
            spec = metadata(dist).get("Requires-Python") or ""
        except PackageNotFoundError:
            continue
        found = re.search(r">=\s*(\d+)\.(\d+)", spec)
        if found:
            lowest = max(lowest, (int(found.group(1)), int(found.group(2))))
    return lowest


def probe(interpreter: str) -> dict[str, object]:
    """What ``interpreter`` can import, asked in a subprocess started as xlwings starts it
    (``-B -c``), in a neutral folder; ``{"error": ...}`` when it cannot be run."""
    try:
        done = subprocess.run(
            [interpreter, "-B", "-c", PROBE],
            capture_output=True,
            timeout=PROBE_TIMEOUT,
            cwd=tempfile.gettempdir(),
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}
    output = done.stdout.decode("utf-8", "replace")
    for line in output.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    tail = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
    return {"error": f"exit {done.returncode}: {tail}"[:300]}


def dll_folders(interpreter: str) -> list[Path]:
    """Where xlwings' VBA loads ``xlwings64-<version>.dll`` from (``XLPyLoadDLL``): the
    interpreter's folder (a standard install), then its parent (a virtual environment,
    ``Scripts\\python.exe``). pip puts the DLL into ``sys.prefix``."""
    folder = Path(interpreter).parent
    return [folder, folder.parent]


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


def _interpreter_source(
    layers: list[tuple[str, Mapping[str, object] | None]],
) -> tuple[str, str]:
    """(interpreter, where it came from) as the VBA's ``XLPyCommand`` finds it: the first
    layer holding ``INTERPRETER_WIN``; if that is empty, the legacy key; else ``pythonw``."""
    for key in (KEY, LEGACY_KEY):
        for where, settings in layers:
            if settings is not None and key in settings:
                value = settings[key]
                text = "" if value is None or value is False else str(value)
                if text or key == LEGACY_KEY:
                    return expand(text), f"{where} {key}"
                break  # an empty INTERPRETER_WIN: the VBA goes on to the legacy key
    return DEFAULT_INTERPRETER, "默认 / default"


def doctor(workbook: Path | None = None) -> list[Check]:
    """What Excel would start for ``workbook`` (or for any of ghgxl's workbooks), and
    whether that Python has what the cell functions need."""
    from ghgxl.workbook.conf import read_conf
    from ghgxl.workbook.template import template_path

    conf = read_conf(workbook) if workbook is not None else None
    checks: list[Check] = []
    if on_windows():
        interpreter = _configuration(checks, workbook, conf)
    else:
        interpreter = str(own_interpreter())
        checks.append(
            Check(
                None,
                f"非 Windows：不查 Excel 的设置，检查当前 Python / not Windows: no Excel settings, "
                f"checking this Python {interpreter}",
            )
        )
    if conf is not None:
        checks.append(_udf_modules(conf, workbook))
    if problem_with(interpreter) is not None:
        interpreter = str(own_interpreter())
        checks.append(
            Check(None, f"以下检查当前 Python / checking this Python instead: {interpreter}")
        )
    facts = probe(interpreter)
    if "error" in facts:
        checks.append(Check(False, f"无法运行 / cannot run {interpreter}: {facts['error']}", SETUP))
        return checks
    pinned = (conf or read_conf(template_path())).xlwings_version
    checks += _facts(facts, interpreter, pinned, workbook, conf)
    return checks


def _configuration(checks: list[Check], workbook: Path | None, conf) -> str:
    """The lines on the settings (user config, the workbook's sheet, a config file beside
    it) and the interpreter they give; appended to ``checks``."""
    user_path = user_config_path()
    user = read_settings(user_path)
    value = (user or {}).get(KEY, "")
    if value:
        usable = problem_with(expand(value))
        checks.append(
            Check(
                usable is None,
                f"用户配置 / user config {user_path}: {KEY} = {value}"
                + (f"（{usable[0]} / {usable[1]}）" if usable else ""),
                SETUP,
            )
        )
    else:
        why = "文件不存在 / no such file" if user is None else f"没有 / no {KEY}"
        checks.append(Check(False, f"用户配置 / user config {user_path}: {why}", SETUP))
    layers: list[tuple[str, Mapping[str, object] | None]] = []
    if conf is not None:
        sheet = {s.key.upper(): s.value for s in conf.settings or ()}
        layers.append((f"清册 / workbook {workbook.name} xlwings.conf:", sheet))
        pinned = conf.get(KEY)
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
        beside = read_settings(workbook.parent / "xlwings.conf")
        if beside is not None and KEY in beside:
            usable = problem_with(expand(beside[KEY]))
            checks.append(
                Check(
                    usable is None,
                    f"{workbook.parent / 'xlwings.conf'}: {KEY} = {beside[KEY]}，优先于用户配置 / "
                    "overrides the user config",
                    "删除该文件中的这一行 / delete this line of that file",
                )
            )
        layers.append(("xlwings.conf:", beside))
    layers.append((f"{user_path}:", user))
    interpreter, source = _interpreter_source(layers)
    usable = problem_with(interpreter)
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
    need = required_python()
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
    if on_windows():
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
    found = [f / n for f in dll_folders(interpreter) for n in names if (f / n).is_file()]
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

    if not on_windows():
        raise GhgError("E701", system=platform.system() or sys.platform)
    interpreter = str(own_interpreter())
    if is_store_python(interpreter):
        raise GhgError("E702", path=interpreter)
    try:
        interpreter.encode(ansi_encoding())
    except UnicodeEncodeError:
        raise GhgError("E703", path=interpreter, encoding=ansi_encoding()) from None
    report = Report()
    if workbook is not None:
        conf = read_conf(workbook)  # a damaged workbook stops here, before anything is written
        original = workbook.read_bytes()
        changed = without_keys(original, conf, [KEY])
        if changed is None:
            report.actions.append(
                f"清册 / workbook {workbook}: 未指定解释器，无需改动 / names no interpreter, "
                "unchanged"
            )
        else:
            backup = _replace_with_backup(workbook, original, changed)
            removed = conf.get(KEY)
            report.actions.append(
                f"清册 / workbook {workbook}: 已删除 xlwings.conf 表的 / removed from the sheet "
                f"xlwings.conf {removed.key} = '{removed.value}'（备份 / backup: {backup}）"
            )
    config = user_config_path()
    old = write_setting(config, KEY, interpreter)
    if old == interpreter:
        report.actions.append(f"用户配置已是 / the user config already has {KEY} = {interpreter}")
    else:
        was = f"（原为 / was {old}）" if old else ""
        report.actions.append(f"已写入 / wrote {config}: {KEY} = {interpreter}{was}")
    report.checks = doctor(workbook)
    return report


def _replace_with_backup(path: Path, original: bytes, changed: bytes) -> Path:
    """A complete backup of ``path`` first (a new file, never over one), then ``changed``
    atomically in its place; returns the backup."""
    from ghgxl.files import write_new
    from ghgxl.workbook.calc import backup_paths

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
