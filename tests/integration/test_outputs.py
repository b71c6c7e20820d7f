"""Nothing the user has is ever lost through an output: an output that is an input is
refused (E603), one that is not a regular file is refused or, a symlink, written through
(E604), a failed write is E604 with the original untouched, backups never overwrite each
other, and SIGINT/SIGTERM leave no temp file behind (exit 130/143)."""

from __future__ import annotations

import errno
import io
import json
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from ghgxl import files
from ghgxl.cli import main
from ghgxl.errors import GhgError
from ghgxl.report import write_report
from ghgxl.workbook.calc import calc_file
from tests.support import ROOT, TWO_ROW_BOOK

FILLED = TWO_ROW_BOOK
CSV = "category,amount,unit,factor_key\n2,1000,kWh,grid.cn.national.2021\n"
GHGXL = str(Path(sys.executable).with_name("ghgxl"))


def _run(*args: object):
    runner = CliRunner(env={"COLUMNS": "250"})
    result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def _snapshot(folder: Path) -> dict[str, object]:
    """Every entry of ``folder`` (not following links) with what it is and holds."""
    entries: dict[str, object] = {}
    for entry in sorted(folder.iterdir()):
        info = entry.lstat()
        if stat.S_ISREG(info.st_mode):
            entries[entry.name] = ("file", entry.read_bytes())
        elif stat.S_ISLNK(info.st_mode):
            entries[entry.name] = ("link", os.readlink(entry))
        else:
            entries[entry.name] = ("other", stat.S_IFMT(info.st_mode))
    return entries


def _temp_files(*folders: Path) -> list[str]:
    return [p.name for f in folders for p in f.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsm"
    path.write_bytes(FILLED)
    return path


def _refused(result, code: str) -> None:
    assert result.exit_code == 2, result.output
    assert f"[{code}]" in result.output and " / " in result.output  # Chinese / English


# -- 1. no output is an input --------------------------------------------------------------


SAME_FILE = {  # command, given the folder holding book.xlsm, a.csv and links to book.xlsm
    "calc --json the input": lambda f: ["calc", f / "book.xlsm", "--json", f / "book.xlsm"],
    "calc -o the input": lambda f: ["calc", f / "book.xlsm", "-o", f / "book.xlsm"],
    "calc -o the input by another name": lambda f: ["calc", f / "book.xlsm", "-o", f / "." / "book.xlsm"],
    "calc -o a symlink to the input": lambda f: ["calc", f / "book.xlsm", "-o", f / "link.xlsm"],
    "calc -o a hard link to the input": lambda f: ["calc", f / "book.xlsm", "-o", f / "hard.xlsm"],
    "calc --json a hard link to the input": lambda f: ["calc", f / "book.xlsm", "--json", f / "hard.xlsm"],
    "calc --in-place --json the input": lambda f: ["calc", f / "book.xlsm", "--in-place", "--json", f / "book.xlsm"],
    "calc a.csv --json a.csv": lambda f: ["calc", f / "a.csv", "--json", f / "a.csv"],
    "calc --json the overlay": lambda f: ["calc", f / "a.csv", "--overlay", f / "o.csv", "--json", f / "o.csv"],
    "calc -o and --json one file": lambda f: ["calc", f / "book.xlsm", "-o", f / "x.xlsm", "--json", f / "x.xlsm"],
    "report -o the input": lambda f: ["report", f / "book.xlsm", "-o", f / "book.xlsm"],
    "report -o the input --pdf": lambda f: ["report", f / "book.xlsm", "-o", f / "book.xlsm", "--pdf"],
    "report --pdf onto a link to the input": lambda f: ["report", f / "book.xlsm", "-o", f / "r.docx", "--pdf"],
    "report -o a hard link to the input": lambda f: ["report", f / "book.xlsm", "-o", f / "hard.xlsm"],
}  # fmt: skip


@pytest.mark.parametrize("case", list(SAME_FILE))
def test_an_output_that_is_an_input_is_refused(case: str, book: Path) -> None:
    folder = book.parent
    (folder / "a.csv").write_text(CSV, encoding="utf-8")
    (folder / "o.csv").write_text("key,gas,value,unit,source\n", encoding="utf-8")
    (folder / "link.xlsm").symlink_to(book.name)
    os.link(book, folder / "hard.xlsm")
    (folder / "r.pdf").symlink_to(book.name)  # where `report -o r.docx --pdf` puts the PDF
    before = _snapshot(folder)
    _refused(_run(*SAME_FILE[case](folder)), "E603")
    assert _snapshot(folder) == before  # inputs byte-identical, nothing written, no temp file


def test_the_library_refuses_an_output_that_is_an_input(book: Path) -> None:
    os.link(book, book.with_name("hard.xlsm"))
    for write in (
        lambda: calc_file(book, book.with_name("hard.xlsm")),
        lambda: write_report(book, book.with_name("hard.xlsm")),
        lambda: files.check_outputs([book.with_name("hard.xlsm")], [book]),
    ):
        with pytest.raises(GhgError) as info:
            write()
        assert info.value.code == "E603"
    assert book.read_bytes() == FILLED and book.with_name("hard.xlsm").read_bytes() == FILLED


# -- 2. outputs that are not regular files ---------------------------------------------------


def test_a_symlinked_output_is_written_through(book: Path, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    for name in ("out.xlsm", "out.json", "out.docx"):
        (real / name).write_bytes(b"old")
        (tmp_path / f"link-{name}").symlink_to(real / name)
    result = _run(
        "calc", book, "-o", tmp_path / "link-out.xlsm", "--json", tmp_path / "link-out.json"
    )
    assert result.exit_code == 0, result.output
    assert _run("report", book, "-o", tmp_path / "link-out.docx").exit_code == 0
    for name in ("out.xlsm", "out.json", "out.docx"):
        assert (tmp_path / f"link-{name}").is_symlink(), name  # still a link ...
        assert os.readlink(tmp_path / f"link-{name}") == str(real / name)
        assert (real / name).read_bytes() != b"old"  # ... to the new content
    assert json.loads((real / "out.json").read_text("utf-8"))["total_tco2e"] > 0
    with zipfile.ZipFile(real / "out.xlsm") as package:
        assert package.testzip() is None
    assert book.read_bytes() == FILLED
    assert _temp_files(tmp_path, real) == []


def test_in_place_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "book.xlsm"
    real.write_bytes(FILLED)
    link = tmp_path / "book.xlsm"
    link.symlink_to(real)
    assert _run("calc", link, "--in-place").exit_code == 0
    assert link.is_symlink() and real.read_bytes() != FILLED
    backups = list(tmp_path.glob("book.backup-*.xlsm"))
    assert len(backups) == 1 and backups[0].read_bytes() == FILLED


def _special_file(folder: Path, kind: str) -> Path:
    """A FIFO, a folder, a socket, a character device (/dev/full's twin) or a symlink to
    /dev/null in ``folder``."""
    path = folder / kind
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
        (path / "inside.txt").write_text("kept", encoding="utf-8")
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()  # the socket file stays
    elif kind == "device":
        if os.geteuid() != 0:
            pytest.skip("mknod needs root; 'link to a device' and /dev/full cover devices")
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    else:
        path.symlink_to("/dev/null")
    return path


@pytest.mark.parametrize("kind", ["fifo", "folder", "socket", "device", "link to a device"])
@pytest.mark.parametrize("option", ["-o", "--json", "report", "new"])
def test_an_output_that_is_not_a_regular_file_is_refused(
    kind: str, option: str, book: Path, tmp_path: Path
) -> None:
    target = _special_file(tmp_path, kind)
    command = {
        "-o": ["calc", book, "-o", target],
        "--json": ["calc", book, "--json", target],
        "report": ["report", book, "-o", target],
        "new": ["workbook", "new", target],
    }[option]
    before = _snapshot(tmp_path)
    _refused(_run(*command), "E604")
    assert _snapshot(tmp_path) == before  # the node is what it was; no temp file
    if kind == "folder":
        assert _snapshot(target) == {"inside.txt": ("file", b"kept")}


@pytest.mark.parametrize("option", ["-o", "--json"])
def test_dev_full_is_refused_and_stays_a_device(option: str, book: Path) -> None:
    dev = Path("/dev")
    before = os.stat("/dev/full")
    _refused(_run("calc", book, option, "/dev/full"), "E604")
    after = os.stat("/dev/full")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    assert [name for name in os.listdir(dev) if name.startswith(".full.")] == []
    assert book.read_bytes() == FILLED


def test_json_to_stdout_stays_allowed(book: Path) -> None:
    result = _run("calc", book, "--json", "-")
    assert result.exit_code == 0 and json.loads(result.stdout)["total_tco2e"] > 0


# -- 3. write failures are E604, the original untouched ---------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["calc", "{book}", "-o", "{missing}/out.xlsm"],
        ["calc", "{book}", "--json", "{missing}/out.json"],
        ["report", "{book}", "-o", "{missing}/r.docx"],
        ["workbook", "new", "{missing}/new.xlsm"],
    ],
    ids=["calc -o", "calc --json", "report", "workbook new"],
)
def test_a_missing_folder_is_e604(command: list[str], book: Path, tmp_path: Path) -> None:
    before = _snapshot(tmp_path)
    missing = tmp_path / "missing"
    _refused(_run(*[c.format(book=book, missing=missing) for c in command]), "E604")
    assert _snapshot(tmp_path) == before


def _failing(error: int):
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(error, os.strerror(error))

    return fail


@pytest.mark.parametrize(
    ("where", "error"),
    [
        ((tempfile, "mkstemp"), errno.EACCES),  # a read-only folder
        ((os, "fsync"), errno.ENOSPC),  # the disk full
        ((os, "replace"), errno.EROFS),  # a read-only file system
    ],
    ids=["read-only folder", "disk full", "read-only file system"],
)
@pytest.mark.parametrize("command", ["-o", "--in-place", "--json", "report"])
def test_a_failed_write_is_e604_and_loses_nothing(
    where: tuple[object, str],
    error: int,
    command: str,
    book: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("out.xlsm", "out.json", "r.docx"):
        (tmp_path / name).write_bytes(b"the user's earlier output")
    args = {
        "-o": ["calc", book, "-o", tmp_path / "out.xlsm"],
        "--in-place": ["calc", book, "--in-place"],
        "--json": ["calc", book, "--json", tmp_path / "out.json"],
        "report": ["report", book, "-o", tmp_path / "r.docx"],
    }[command]
    before = _snapshot(tmp_path)
    monkeypatch.setattr(*where, _failing(error))
    result = _run(*args)
    monkeypatch.undo()
    _refused(result, "E604")
    assert os.strerror(error) in result.output
    after = _snapshot(tmp_path)
    backups = {name: content for name, content in after.items() if ".backup-" in name}
    assert {name: c for name, c in after.items() if name not in backups} == before
    assert all(content == ("file", FILLED) for content in backups.values())  # complete, if any


def test_a_disk_full_during_the_write_is_e604(book: Path, tmp_path: Path) -> None:
    """A real failing write: the file-size limit (RLIMIT_FSIZE, 4 KiB) makes write() fail
    with EFBIG part-way through the workbook, the JSON and the report, as a full disk would."""
    for name in ("out.xlsm", "out.json", "r.docx"):
        (tmp_path / name).write_bytes(b"the user's earlier output")
    before = _snapshot(tmp_path)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    for args in (
        ["calc", book, "-o", tmp_path / "out.xlsm"],
        ["calc", book, "--json", tmp_path / "out.json"],
        ["report", book, "-o", tmp_path / "r.docx"],
    ):
        done = subprocess.run(
            [GHGXL, *map(str, args)], capture_output=True, text=True, preexec_fn=limit, timeout=120
        )
        assert done.returncode == 2, done.stderr
        assert "[E604]" in done.stderr and "Traceback" not in done.stderr
        assert _snapshot(tmp_path) == before


# -- 4. backups never overwrite anything ------------------------------------------------------


class _FrozenClock(datetime):
    """Every run in the same second."""

    @classmethod
    def now(cls, tz=None):
        return cls(2025, 1, 2, 3, 4, 5)


def test_backups_in_the_same_second_are_all_kept(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "datetime", _FrozenClock)
    taken = tmp_path / "book.backup-20250102-030405.xlsm"  # a file the user has by that name
    taken.write_bytes(b"not ghgxl's")
    versions = [book.read_bytes()]
    for _ in range(2):
        result = _run("calc", book, "--in-place")
        assert result.exit_code == 0, result.output
        versions.append(book.read_bytes())
    assert taken.read_bytes() == b"not ghgxl's"
    backups = sorted(tmp_path.glob("book.backup-*-*.xlsm"), key=lambda p: len(p.name))
    named = {p.name: p.read_bytes() for p in backups if p != taken}
    assert named == {
        "book.backup-20250102-030405-2.xlsm": versions[0],  # the original
        "book.backup-20250102-030405-3.xlsm": versions[1],  # after the first run
    }
    assert _temp_files(tmp_path) == []


def test_write_new_never_replaces_a_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_bytes(b"kept")
    assert files.write_new([first, second], b"new") == second
    assert first.read_bytes() == b"kept" and second.read_bytes() == b"new"
    with pytest.raises(GhgError) as info:
        files.write_new([first, second], b"newer")
    assert info.value.code == "E603"
    assert first.read_bytes() == b"kept" and second.read_bytes() == b"new"
    assert _temp_files(tmp_path) == []


# -- 5. SIGINT and SIGTERM during a write -----------------------------------------------------


@pytest.fixture(scope="module")
def big_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 rows: calc writes for about a second, long enough to be interrupted in it."""
    sys.path.insert(0, str(ROOT / "bench"))
    import run  # bench/run.py builds a ghgxl workbook of N rows

    path = tmp_path_factory.mktemp("big") / "big.xlsm"
    run.ghgxl_workbook(run.inventory(20_000), path)
    return path


def _wait_for(folder: Path, pattern: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not list(folder.glob(pattern)):
        assert process.poll() is None, "the command ended before it began writing"
        assert time.monotonic() < deadline, f"no {pattern} after {seconds} s"
        time.sleep(0.005)


@pytest.mark.parametrize(
    ("signum", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["INT", "TERM"]
)
@pytest.mark.parametrize("mode", ["-o", "--in-place"])
def test_an_interrupted_write_leaves_no_temp_file(
    signum: int, exit_code: int, mode: str, big_workbook: Path, tmp_path: Path
) -> None:
    source = tmp_path / "big.xlsm"
    shutil.copyfile(big_workbook, source)
    target = source if mode == "--in-place" else tmp_path / "out.xlsm"
    if mode == "-o":
        target.write_bytes(b"the user's earlier output")
    before = {source.name: source.read_bytes(), target.name: target.read_bytes()}
    args = [GHGXL, "calc", str(source), *([mode] if mode == "--in-place" else [mode, str(target)])]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(tmp_path, f".{target.name}.*.tmp", process)  # it is writing the target
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == exit_code, stderr
    assert "已中断 / interrupted" in stderr and "Traceback" not in stderr
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert _temp_files(tmp_path) == []
    for backup in tmp_path.glob("big.backup-*.xlsm"):  # --in-place: written before, complete
        assert backup.read_bytes() == before[source.name]


# -- a workbook at an output is never lost -----------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["report", "{book}", "-o", "{other}"],
        ["calc", "{book}", "--json", "{other}"],
        ["report", "{book}", "-o", "{renamed}"],  # a workbook by its content, not its name
    ],
)
def test_a_report_or_json_never_replaces_a_workbook(command: list[str], book: Path) -> None:
    other, renamed = book.with_name("other.xlsm"), book.with_name("kept.bin")
    other.write_bytes(FILLED)
    renamed.write_bytes(FILLED)
    before = _snapshot(book.parent)
    args = [a.format(book=book, other=other, renamed=renamed) for a in command]
    result = _run(*args)
    _refused(result, "E634")
    assert _snapshot(book.parent) == before  # nothing written, nothing replaced


@pytest.mark.parametrize(
    "command", [["calc", "{book}", "-o", "{out}"], ["workbook", "migrate", "{book}", "-o", "{out}"]]
)
def test_a_workbook_written_over_a_workbook_keeps_it_first(command: list[str], book: Path) -> None:
    out = book.with_name("out.xlsm")
    out.write_bytes(b"PK not a real workbook, but named as one")  # what the user had there
    original = out.read_bytes()
    result = _run(*[a.format(book=book, out=out) for a in command])
    assert result.exit_code == 0, result.output
    backups = list(book.parent.glob("out.backup-*.xlsm"))
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert f"备份 / backup: {backups[0]}" in result.output
    assert out.read_bytes() != original and zipfile.is_zipfile(out)
    assert _temp_files(book.parent) == []


# -- a workbook is named as Excel opens it ------------------------------------------------


def _without_macros(package: bytes) -> bytes:
    """The workbook as Excel saves it as .xlsx: the workbook part's plain content type."""
    members = {}
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        for name in z.namelist():
            members[name] = z.read(name)
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "command",
    [
        ["calc", "{book}", "-o", "{folder}/out.xlsx"],
        ["calc", "{book}", "-o", "{folder}/out"],  # no suffix: Excel opens it by none
        ["consolidate", "{book}", "-o", "{folder}/group.xlsx"],
        ["factors", "upgrade", "{book}", "-o", "{folder}/up.xlsx"],
        ["workbook", "new", "{folder}/new.xlsx"],
        ["workbook", "migrate", "{old}", "-o", "{folder}/migrated.xlsx"],
    ],
)
def test_a_macro_enabled_workbook_is_never_written_as_xlsx(command: list[str], book: Path) -> None:
    """Excel refuses a macro-enabled package named .xlsx ("the file format or extension is
    not valid"): E639 names the .xlsm to use, before anything is written."""
    old = book.with_name("old.xlsm")
    shutil.copyfile(ROOT / "tests" / "data" / "example-2023-template-2026.1.xlsm", old)
    before = _snapshot(book.parent)
    result = _run(*[a.format(book=book, folder=book.parent, old=old) for a in command])
    _refused(result, "E639")
    assert ".xlsm" in result.output
    assert _snapshot(book.parent) == before


def test_a_workbook_without_macros_stays_xlsx(book: Path) -> None:
    plain = book.with_name("plain.xlsx")
    plain.write_bytes(_without_macros(FILLED))
    _refused(_run("calc", plain, "-o", book.with_name("out.xlsm")), "E639")
    assert not book.with_name("out.xlsm").exists()
    result = _run("calc", plain, "-o", book.with_name("OUT.XLSX"))  # the case is Excel's too
    assert result.exit_code == 0, result.output
    assert files.macro_enabled(book.with_name("OUT.XLSX")) is False
    assert files.macro_enabled(FILLED) is True
    assert files.macro_enabled(b"not a zip") is None
