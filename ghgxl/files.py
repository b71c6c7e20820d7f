"""Writing files without ever losing what was there.

Every file ghgxl writes goes through here: a temp file in the same folder, flushed to disk,
then an atomic ``os.replace`` (or a hard link, for a file that must be new), so a path holds
either the old file or the complete new one. A failure is E604 and an interruption
(:func:`interruptible`) stops the command; both leave the old file and no temp file.

Before any work is written, :func:`check_outputs` refuses an output that is one of the inputs
(E603), compared as files rather than names, one that cannot be a regular file — a folder,
a device, a FIFO, a socket (E604) — and a report or JSON that would replace a workbook
(E634). A workbook written over an existing one keeps that one first as a timestamped
backup (:func:`backup_kept`). A symlink is written through: it stays a link, and the file
it points at gets the new content.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import signal
import stat
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from itertools import chain, islice
from pathlib import Path
from typing import BinaryIO

from ghgxl.errors import GhgError

PathLike = Path | str | None
#: What an output is when it is not a regular file (E604).
KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
}
#: Names tried for a new file (``write_new``) before giving up.
MAX_NEW_NAMES = 1000
#: Spreadsheets by their names (others are recognised by their content, xl/workbook.xml).
WORKBOOK_SUFFIXES = frozenset((".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xls", ".ods"))


# -- outputs are checked before any work is written --------------------------------------


def check_outputs(
    outputs: Iterable[PathLike], inputs: Iterable[PathLike], workbooks: Iterable[PathLike] = ()
) -> None:
    """Refuse the ``outputs`` ghgxl is about to write, before it writes any: one that is an
    input or another output (E603) — the same file, however named: through a symlink, a hard
    link, ``..`` — one that cannot be a regular file (E604), and one that is an existing
    workbook while what is written there is not one of the ``workbooks`` (E634: a report or
    JSON named like a workbook). ``None`` and ``-`` (stdout) are left out."""
    taken = {_identity(Path(p)): "input" for p in inputs if p is not None and str(p) != "-"}
    books = {_identity(Path(p)) for p in workbooks if p is not None and str(p) != "-"}
    for output in outputs:
        if output is None or str(output) == "-":
            continue
        path = Path(output)
        destination(path)
        identity = _identity(path)
        if taken.get(identity) == "input":
            raise GhgError(
                "E603", path=str(path), why_zh="（它就是输入文件）", why_en=" (it is the input)"
            )
        if identity in taken:
            raise GhgError(
                "E603",
                path=str(path),
                why_zh="（它也是另一个输出）",
                why_en=" (it is another output too)",
            )
        if identity not in books and is_workbook_file(path):
            raise GhgError("E634", path=str(path))
        taken[identity] = "output"


def is_workbook_file(path: Path) -> bool:
    """An existing spreadsheet file: by its name, or a zip that holds ``xl/workbook.xml``."""
    real = Path(os.path.realpath(path))
    if not real.is_file():
        return False
    if real.suffix.lower() in WORKBOOK_SUFFIXES:
        return True
    try:
        with zipfile.ZipFile(real) as package:
            return "xl/workbook.xml" in package.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


#: A workbook package's main content type → the only name Excel opens it by, and what it is.
KIND_SUFFIXES = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": (
        ".xlsm", "启用宏的工作簿", "a macro-enabled workbook"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        ".xlsx", "不含宏的工作簿", "a workbook without macros"
    ),
    "application/vnd.ms-excel.template.macroEnabled.main+xml": (
        ".xltm", "启用宏的模板", "a macro-enabled template"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": (
        ".xltx", "模板", "a template"
    ),
}  # fmt: skip


def workbook_kind(package: Path | bytes) -> tuple[str, str, str] | None:
    """What a workbook package is, by the content type of ``/xl/workbook.xml`` in its
    ``[Content_Types].xml`` (Excel refuses a macro-enabled workbook named .xlsx, and the
    other way round): its suffix and kind; None when it is not such a package (the reading
    names that)."""
    try:
        with zipfile.ZipFile(io.BytesIO(package) if isinstance(package, bytes) else package) as z:
            types = z.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    found = re.search(r'PartName="/xl/workbook\.xml"\s+ContentType="([^"]+)"', types)
    found = found or re.search(r'ContentType="([^"]+)"\s+PartName="/xl/workbook\.xml"', types)
    return KIND_SUFFIXES.get(found.group(1)) if found else None


def macro_enabled(package: Path | bytes) -> bool | None:
    """Whether a workbook package is macro-enabled (None: not a workbook package)."""
    kind = workbook_kind(package)
    return None if kind is None else kind[0] in (".xlsm", ".xltm")


def check_suffix(out: PathLike, package: Path | bytes) -> None:
    """E639 for a workbook output named otherwise than Excel opens what is written there:
    .xlsm for a macro-enabled workbook, .xlsx for one without macros (.xltm, .xltx for
    templates)."""
    if out is None or str(out) == "-":
        return
    kind = workbook_kind(package)
    if kind is None:
        return
    suffix, kind_zh, kind_en = kind
    path = Path(out)
    if path.suffix.lower() != suffix:
        stem = path.stem if path.suffix.lower() in WORKBOOK_SUFFIXES else path.name.rstrip(".")
        suggest = f"{stem}{suffix}"
        raise GhgError(
            "E639", path=str(path), kind_zh=kind_zh, kind_en=kind_en, suffix=suffix,
            suggest=suggest,
        )  # fmt: skip


def backup_paths(path: Path) -> Iterator[Path]:
    """Names for a backup of ``path``, to try in turn: ``NAME.backup-YYYYMMDD-HHMMSS.xlsm``,
    then ``…-HHMMSS-2.xlsm``, ``-3`` …, so a second backup in the same second is a new file."""
    stem = f"{path.stem}.backup-{datetime.now():%Y%m%d-%H%M%S}"
    yield path.with_name(f"{stem}{path.suffix}")
    for count in itertools.count(2):
        yield path.with_name(f"{stem}-{count}{path.suffix}")


@contextmanager
def backup_kept(path: Path, keep: bool | None = None) -> Iterator[Path | None]:
    """Around writing a workbook at ``path``: the workbook there now, if any, first copied to
    a new timestamped backup beside it (complete or absent), which is yielded; removed again
    if the write fails, since an atomic write leaves the original in place. ``keep``: whether
    the file there is to be kept (default: when it is a workbook)."""
    backup = None
    if is_workbook_file(path) if keep is None else keep:
        real = Path(os.path.realpath(path))
        backup = write_new(backup_paths(Path(path)), real.read_bytes(), real.stat().st_mode & 0o777)
    try:
        yield backup
    except BaseException:
        if backup is not None:
            backup.unlink(missing_ok=True)
        raise


def destination(path: Path) -> Path:
    """The file that writing ``path`` replaces: ``path``, or the file a symlink points at.
    E604 when it is not a regular file or its folder is missing."""
    real = Path(os.path.realpath(path))
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        if not real.parent.is_dir():
            raise GhgError(
                "E604", path=str(path), problem=f"the folder {real.parent} does not exist"
            ) from None
        return real
    except OSError as exc:
        raise cannot_write(path, exc) from None
    if not stat.S_ISREG(mode):
        kind = KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise GhgError("E604", path=str(path), problem=f"it is {kind}, not a regular file")
    return real


def _identity(path: Path) -> tuple[object, ...]:
    """The file ``path`` names: its device and inode, or (not there yet) its full path.
    Resolved first, so ``missing/../book.xlsm`` is ``book.xlsm`` (the kernel refuses it)."""
    try:
        info = os.stat(os.path.realpath(path))
    except OSError:
        return ("path", os.path.realpath(path))
    return ("file", info.st_dev, info.st_ino)


def cannot_write(path: Path, exc: OSError) -> GhgError:
    return GhgError("E604", path=str(path), problem=exc.strerror or str(exc))


# -- atomic writes ------------------------------------------------------------------------


class _WriteFailed(OSError):
    """Writing the temp file failed (disk full, file too large ...): E604, not a bug."""


class _TempFile(io.FileIO):
    """The temp file's bytes go through here, so a failure to write them is told apart
    from an error of the code producing them."""

    def write(self, data: bytes) -> int:  # type: ignore[override]
        try:
            return super().write(data)
        except OSError as exc:
            raise _WriteFailed(exc.errno, exc.strerror) from None


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A file to write ``path`` through: a temp file in the same folder that replaces
    ``path`` (or the file its symlink points at) only when the block ends without an error;
    removed otherwise. E604 when it cannot be written."""
    path = Path(path)
    target = destination(path)
    with _temp_beside(path, target) as (temp, temp_name):
        with _writing(path, only=_WriteFailed):
            yield temp
        _finish(path, temp, temp_name, _mode_of(target))
        with _held(), _writing(path):
            os.replace(temp_name, target)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either the old file or the new one."""
    with atomic_output(path) as temp:
        temp.write(data)


def replace_kept(path: Path, data: bytes) -> Path | None:
    """Write ``data`` over an output at ``path`` (a report the user may have edited in Word)
    atomically, the file there first kept as a timestamped backup unless it holds these very
    bytes (a report is deterministic: made again from the same workbook, nothing is lost);
    the backup, if one was made."""
    real = Path(os.path.realpath(path))
    with backup_kept(path, keep=real.is_file() and real.read_bytes() != data) as backup:
        write_bytes_atomic(path, data)
    return backup


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_new(paths: Iterable[Path], data: bytes, mode: int | None = None) -> Path:
    """Write ``data`` as a new file, complete or absent, at the first of ``paths`` (names in
    one folder) where there is no file — not even one made meanwhile: never over anything.
    Returns the path written; E603 when every name is taken."""
    names = iter(paths)
    first = Path(next(names))
    with _temp_beside(first, Path(os.path.abspath(first))) as (temp, temp_name):
        with _writing(first):
            temp.write(data)
        _finish(first, temp, temp_name, _default_mode() if mode is None else mode)
        for name in islice(chain([first], names), MAX_NEW_NAMES):
            with _held():
                if _link_new(temp_name, Path(name)):
                    return Path(name)
    raise GhgError("E603", path=str(first), why_zh="（文件已存在）", why_en=" (the file exists)")


@contextmanager
def _temp_beside(path: Path, target: Path) -> Iterator[tuple[BinaryIO, str]]:
    """An open temp file ``.NAME.*.tmp`` in ``target``'s folder, gone when the block ends
    (unless the block gave it the target's name). E604 when it cannot be made."""
    temp_name: str | None = None
    temp: BinaryIO | None = None
    try:
        with _held(), _writing(path):
            handle, temp_name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
            )
            temp = io.BufferedRandom(_TempFile(handle, "r+"))
        yield temp, temp_name
    finally:
        with _held():
            if temp is not None:
                _quietly(temp.close)
            if temp_name is not None:
                _quietly(os.unlink, temp_name)


def _finish(path: Path, temp: BinaryIO, temp_name: str, mode: int) -> None:
    """The temp file's bytes on the disk, closed, with the permissions of the file it replaces."""
    with _writing(path):
        temp.flush()
        os.fsync(temp.fileno())
        temp.close()
        os.chmod(temp_name, mode)


def _mode_of(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        return _default_mode()


@contextmanager
def _writing(path: Path, only: type[OSError] = OSError) -> Iterator[None]:
    """An OSError (of the type ``only``) in the block is E604 for ``path``."""
    try:
        yield
    except only as exc:
        raise cannot_write(path, exc) from None


def _link_new(temp_name: str, path: Path) -> bool:
    """Give the temp file the name ``path`` if no file has it (False otherwise), atomically:
    a hard link, or where links are not supported (FAT, some shares) an exclusive create."""
    try:
        os.link(temp_name, path)
        return True
    except FileExistsError:
        return False
    except OSError:
        pass
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    except OSError as exc:
        raise cannot_write(path, exc) from None
    with _writing(path):
        os.replace(temp_name, path)  # over the empty file made for it just now
    return True


def _quietly(action: Callable[..., object], *args: object) -> None:
    """Cleanup that must not hide the error it follows."""
    with suppress(OSError):
        action(*args)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# -- interruptions --------------------------------------------------------------------------


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: the command unwinds (temp files removed) and exits with
    128 + the signal's number (130, 143). A BaseException, so ``except Exception`` lets it
    through."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.exit_code = 128 + signum


class _Signals:
    holding = 0  # > 0 while a file is being created, moved or removed: not to be cut short
    pending: int | None = None  # a signal that arrived while holding
    raised = False  # Interrupted is on its way: later signals are ignored


@contextmanager
def _held() -> Iterator[None]:
    """A step an interruption must not cut in half (a temp file made but not yet known, or
    half removed): a signal arriving now takes effect when it ends."""
    _Signals.holding += 1
    try:
        yield
    finally:
        _Signals.holding -= 1
        if not _Signals.holding and _Signals.pending is not None and not _Signals.raised:
            _Signals.raised = True
            raise Interrupted(_Signals.pending)


def _on_signal(signum: int, frame: object) -> None:
    if _Signals.raised or _Signals.pending is not None:
        return
    if _Signals.holding:
        _Signals.pending = signum
        return
    _Signals.raised = True
    raise Interrupted(signum)


@contextmanager
def interruptible() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM raise :class:`Interrupted` in it (in the main
    thread; elsewhere nothing changes), so every write unwinds and removes its temp file;
    the previous handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, _on_signal) for number in caught}
    _Signals.pending, _Signals.raised = None, False
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _Signals.pending, _Signals.raised = None, False
