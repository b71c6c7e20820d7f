"""What xlwings' VBA reads to start Python on Windows, and what that Python can do.

The VBA (xlwings' ``xlwings`` module, 0.37.8) looks the interpreter up with
``GetConfig("INTERPRETER_WIN")`` in three places, the first that has the key winning even
when its value is empty: the workbook's ``xlwings.conf`` sheet, an ``xlwings.conf`` file in
the workbook's folder, the user's ``%USERPROFILE%\\.xlwings\\xlwings.conf``
(:func:`interpreter_source`). A config file holds ``"KEY","VALUE"`` a line, read with VBA's
``Input #`` in the ANSI code page (:func:`read_settings`, :func:`with_setting`).

Nothing here imports xlwings: an interpreter is examined in a subprocess of its own
(:data:`PROBE`), started as the VBA starts it. :func:`on_windows` and :func:`ansi_encoding`
are the seam the tests simulate Windows through.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ghgxl.errors import GhgError
from ghgxl.files import write_bytes_atomic

#: The key xlwings' VBA reads for the interpreter on Windows (``XLPyCommand``, ``RunPython``).
KEY = "INTERPRETER_WIN"
#: Read when ``INTERPRETER_WIN`` is empty everywhere (xlwings' "legacy" key).
LEGACY_KEY = "INTERPRETER"
#: What xlwings' VBA starts for the cell functions when no interpreter is configured.
DEFAULT_INTERPRETER = "pythonw"
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


def interpreter_source(
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
