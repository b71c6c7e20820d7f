"""The template's VBA project (``xl/vbaProject.bin``) brought to the shape Office writes.

pyopenvba writes the modules; this step, run last by
:func:`ghgxl.workbook.template.build_template`, rewrites the project as Office itself would
have saved it ([MS-OVBA], [MS-CFB]):

- every sheet's codeName and the workbook's have a document module (``Document=`` in the
  PROJECT stream, a 0x0022 module in the ``dir`` stream, the attribute header Excel writes);
- the ``dir`` stream ends at its Terminator (0x0010, Reserved 0x00000000), with nothing
  after it; PROJECTCOOKIE and every MODULECOOKIE are 0xFFFF (2.3.4.2.3.1, 2.3.4.2.3.2.7:
  "MUST be 0xFFFF on write");
- the PROJECT stream's ``[Workspace]`` section has one line a module and no blank line;
  PROJECTwm lists the modules in the ``dir`` stream's order;
- ``_VBA_PROJECT`` is the version-independent 7 bytes of [MS-OVBA] 3.1.1;
- the compound file has no free directory slots between entries, each storage's children
  in a red-black tree, storages with start sector and size 0 ([MS-CFB] 2.6.3).

The sources of the modules are kept byte for byte (their streams are copied as they are);
new streams are compressed as Office compresses (:func:`compress`). Timestamps in the
compound file are zero, so the same input gives the same bytes.

olefile (a build-time dependency, ``pip install -e .[dev]``) reads the compound file; the
rest — decompression, compression, the ``dir`` records, writing the compound file — is here.
"""

from __future__ import annotations

import io
import re
import struct
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from defusedxml import ElementTree

from ghgxl.workbook.xlsx import NS_MAIN, sheet_parts

VBA_PART = "xl/vbaProject.bin"
#: VB_Base of Excel's document modules: the workbook's and a worksheet's.
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
#: _VBA_PROJECT as [MS-OVBA] 3.1.1 writes it: 0x61CC, version 0xFFFF (no performance
#: cache, so any Office version reads the sources), 0x00, 0x0001.
VBA_PROJECT_STREAM = b"\xcc\x61\xff\xff\x00\x01\x00"
COOKIE = 0xFFFF

# dir stream record ids ([MS-OVBA] 2.3.4.2)
_PROJECTVERSION = 0x0009
_PROJECTCODEPAGE = 0x0003
_PROJECTMODULES = 0x000F
_PROJECTCOOKIE = 0x0013
_TERMINATOR = 0x0010
_MODULENAME = 0x0019
_MODULESTREAMNAME = 0x001A
_MODULECOOKIE = 0x002C
_MODULE_TERMINATOR = 0x002B


# --- compression ([MS-OVBA] 2.4.1) --------------------------------------------------------


def decompress(data: bytes) -> bytes:
    """A CompressedContainer's bytes, decompressed (2.4.1.3.1)."""
    if not data or data[0] != 0x01:
        raise ValueError("not a compressed container (no signature byte 0x01)")
    out = bytearray()
    at = 1
    while at < len(data):
        header = struct.unpack_from("<H", data, at)[0]
        end = min(at + (header & 0x0FFF) + 3, len(data))
        if header >> 12 & 0b0111 != 0b011:
            raise ValueError(f"bad chunk signature at {at}")
        at += 2
        start = len(out)
        if not header & 0x8000:  # a raw chunk: 4096 bytes as they are
            out += data[at : at + 4096]
            at += 4096
            continue
        while at < end:
            flags = data[at]
            at += 1
            for bit in range(8):
                if at >= end:
                    break
                if not flags >> bit & 1:
                    out.append(data[at])
                    at += 1
                    continue
                token = struct.unpack_from("<H", data, at)[0]
                at += 2
                bits = _offset_bits(len(out) - start)
                offset = (token >> (16 - bits)) + 1
                for _ in range((token & (0xFFFF >> bits)) + 3):
                    out.append(out[-offset])
    return bytes(out)


def _offset_bits(difference: int) -> int:
    """CopyToken Help (2.4.1.3.19.1): bits of a token's offset at this place in a chunk."""
    return max((difference - 1).bit_length(), 4)


def compress(data: bytes) -> bytes:
    """A CompressedContainer (2.4.1.3.6) as Office writes one.

    The spec leaves the choice of matches free. Office, measured on the streams of
    Office-written projects (15 module and ``dir`` streams of Excel and Word files, up to
    900 bytes each), looks for a match only where an earlier token starts, tries the two
    most recent such places that begin with the same three bytes, and keeps the longer (the
    more recent of two as long): this gives those streams byte for byte. It does not give
    the 15 KB Dictionary module of xlwings' quickstart (Office chooses otherwise somewhere
    in a long stream), so a long stream is valid but may differ from Office's bytes.
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        out += _compressed_chunk(data, start, min(start + 4096, len(data)))
    return bytes(out)


def _compressed_chunk(data: bytes, start: int, end: int) -> bytes:
    body = bytearray()
    at = start
    starts: dict[bytes, list[int]] = {}  # three bytes -> token starts beginning with them
    while at < end and len(body) < 4096:
        flags_at = len(body)
        body.append(0)
        for bit in range(8):
            if at >= end or len(body) >= 4096:
                break
            key = data[at : at + 3] if at + 3 <= end else b""
            length, source = _match(data, at, end, starts.get(key, ()))
            if key:
                starts.setdefault(key, []).append(at)
            if length:
                if len(body) + 2 > 4096:
                    break
                bits = _offset_bits(at - start)
                length = min(length, (0xFFFF >> bits) + 3)
                body += struct.pack("<H", (at - source - 1) << (16 - bits) | (length - 3))
                body[flags_at] |= 1 << bit
                at += length
            else:
                body.append(data[at])
                at += 1
    if at < end:  # incompressible: a raw chunk (2.4.1.3.10)
        return struct.pack("<H", 0x3FFF) + data[start:end].ljust(4096, b"\x00")
    return struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + bytes(body)


def _match(data: bytes, at: int, end: int, candidates: Sequence[int]) -> tuple[int, int]:
    """The longest match (at least 3 bytes) among the two most recent candidates."""
    best, source = 0, -1
    for candidate in list(candidates)[-1:-3:-1]:
        length = 0
        while at + length < end and data[candidate + length] == data[at + length]:
            length += 1
        if length > best:
            best, source = length, candidate
    return (best, source) if best >= 3 else (0, -1)


# --- the dir stream (2.3.4.2) ------------------------------------------------------------


@dataclass
class Record:
    id: int
    data: bytes

    def pack(self) -> bytes:
        if self.id == _PROJECTVERSION:  # Reserved says 4, then 4 + 2 bytes follow
            return struct.pack("<HI", self.id, 4) + self.data
        return struct.pack("<HI", self.id, len(self.data)) + self.data


@dataclass
class Dir:
    """A dir stream: the records before PROJECTMODULES, and each module's records."""

    head: list[Record]
    modules: list[list[Record]]
    tail: bytes = b""  # what followed the Terminator: read, never written back

    @property
    def code_page(self) -> str:
        record = next(r for r in self.head if r.id == _PROJECTCODEPAGE)
        return f"cp{struct.unpack('<H', record.data)[0]}"

    def names(self) -> list[str]:
        return [_field(m, _MODULENAME).decode(self.code_page) for m in self.modules]

    def streams(self) -> list[str]:
        return [_field(m, _MODULESTREAMNAME).decode(self.code_page) for m in self.modules]

    def pack(self) -> bytes:
        out = b"".join(r.pack() for r in self.head)
        out += Record(_PROJECTMODULES, struct.pack("<H", len(self.modules))).pack()
        out += Record(_PROJECTCOOKIE, struct.pack("<H", COOKIE)).pack()
        for module in self.modules:
            out += b"".join(r.pack() for r in module)
        return out + Record(_TERMINATOR, b"").pack()


def _field(module: list[Record], record_id: int) -> bytes:
    return next(r.data for r in module if r.id == record_id)


def parse_dir(raw: bytes) -> Dir:
    """The records of a decompressed dir stream."""
    head: list[Record] = []
    modules: list[list[Record]] = []
    at = 0
    while at < len(raw):
        record_id, size = struct.unpack_from("<HI", raw, at)
        if record_id == _PROJECTVERSION:
            size = 6
        data = raw[at + 6 : at + 6 + size]
        at += 6 + size
        if record_id == _TERMINATOR:
            return Dir(head, modules, raw[at:])
        if record_id in (_PROJECTMODULES, _PROJECTCOOKIE):
            continue  # written again from the modules
        if record_id == _MODULENAME:
            modules.append([])
        (modules[-1] if modules else head).append(Record(record_id, data))
    raise ValueError("dir stream without its Terminator record")


def module_records(name: str, encoding: str) -> list[Record]:
    """A document module's records as Office writes them (2.3.4.2.3.2)."""
    mbcs, utf16 = name.encode(encoding), name.encode("utf-16-le")
    return [
        Record(_MODULENAME, mbcs),
        Record(0x0047, utf16),  # MODULENAMEUNICODE
        Record(_MODULESTREAMNAME, mbcs),
        Record(0x0032, utf16),  # MODULESTREAMNAMEUNICODE
        Record(0x001C, b""),  # MODULEDOCSTRING
        Record(0x0048, b""),  # MODULEDOCSTRINGUNICODE
        Record(0x0031, struct.pack("<I", 0)),  # MODULEOFFSET: the source starts the stream
        Record(0x001E, struct.pack("<I", 0)),  # MODULEHELPCONTEXT
        Record(_MODULECOOKIE, struct.pack("<H", COOKIE)),
        Record(0x0022, b""),  # MODULETYPE: document, class or designer
        Record(_MODULE_TERMINATOR, b""),
    ]


def document_source(name: str, base: str) -> str:
    """The attribute header Excel writes for an empty workbook or sheet module."""
    return "".join(
        f"Attribute {attribute}\r\n"
        for attribute in (
            f'VB_Name = "{name}"',
            f'VB_Base = "{base}"',
            "VB_GlobalNameSpace = False",
            "VB_Creatable = False",
            "VB_PredeclaredId = True",
            "VB_Exposed = True",
            "VB_TemplateDerived = False",
            "VB_Customizable = True",
        )
    )


# --- the PROJECT and PROJECTwm streams (2.3.1, 2.3.3) -------------------------------------

_DECLARATION = re.compile(r"(Document|Module|Class|BaseClass|Package)=")


def project_text(text: str, documents: Sequence[str]) -> str:
    """The PROJECT stream with ``documents`` declared (after the other declarations, a
    ``[Workspace]`` line each) and no blank line inside ``[Workspace]``."""
    lines = text.split("\r\n")
    last = max(i for i, line in enumerate(lines) if _DECLARATION.match(line))
    lines[last + 1 : last + 1] = [f"Document={name}/&H00000000" for name in documents]
    workspace = lines.index("[Workspace]")
    windows = [line for line in lines[workspace + 1 :] if line]
    windows += [f"{name}=0, 0, 0, 0, C" for name in documents]
    return "".join(f"{line}\r\n" for line in [*lines[: workspace + 1], *windows])


def projectwm(names: Sequence[str], encoding: str) -> bytes:
    """PROJECTwm (2.3.3): each module's name in MBCS and UTF-16, then a 0x0000 terminator."""
    listed = b"".join(n.encode(encoding) + b"\0" + n.encode("utf-16-le") + b"\0\0" for n in names)
    return listed + b"\0\0"


# --- the workbook's code names -------------------------------------------------------------


def code_names(members: Mapping[str, bytes]) -> tuple[str, list[str]]:
    """The workbook's codeName and each sheet's, in the workbook's sheet order; ValueError
    names a sheet (or the workbook) without one."""
    properties = ElementTree.fromstring(members["xl/workbook.xml"]).find(f"{NS_MAIN}workbookPr")
    book = properties.get("codeName", "") if properties is not None else ""
    if not book:
        raise ValueError("xl/workbook.xml: workbookPr has no codeName")
    sheets = []
    for sheet, part in sheet_parts(members).items():
        found = re.search(rb"<sheetPr\b[^>]*>", members[part])
        name = re.search(rb'\scodeName="([^"]+)"', found.group()) if found else None
        if not name:
            raise ValueError(f"sheet {sheet} ({part}) has no codeName")
        sheets.append(name.group(1).decode("utf-8"))
    return book, sheets


# --- the compound file ([MS-CFB]) ---------------------------------------------------------


@dataclass
class Entry:
    """A storage (``data`` None) or stream of a compound file, by its path."""

    path: tuple[str, ...]
    data: bytes | None = None
    clsid: bytes = bytes(16)


def read_compound(blob: bytes) -> dict[tuple[str, ...], Entry]:
    """Every storage and stream of a compound file, by path (olefile reads it)."""
    import olefile

    entries: dict[tuple[str, ...], Entry] = {}
    with olefile.OleFileIO(io.BytesIO(blob)) as ole:

        def visit(node: olefile.olefile.OleDirectoryEntry, path: tuple[str, ...]) -> None:
            for kid in node.kids:
                here = (*path, kid.name)
                if kid.entry_type == olefile.STGTY_STREAM:
                    entries[here] = Entry(here, ole.openstream(list(here)).read())
                else:
                    clsid = uuid.UUID(kid.clsid).bytes_le if kid.clsid else bytes(16)
                    entries[here] = Entry(here, None, clsid)
                    visit(kid, here)

        visit(ole.root, ())
    return entries


_SECTOR, _MINI, _CUTOFF = 512, 64, 4096
_FREE, _END, _FAT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
#: name, its length, type, colour, left, right, child, CLSID, state, created, modified,
#: start sector, size ([MS-CFB] 2.6.1)
_DIRECTORY_ENTRY = "<64sHBBIII16sIQQIQ"


def _cfb_key(name: str) -> tuple[int, str]:
    """[MS-CFB] 2.6.4 order of siblings: shorter names first, then by upper case."""
    return len(name.encode("utf-16-le")), name.upper()


def _red_black(
    names: list[int], key: dict[int, tuple[int, str]]
) -> tuple[int, dict[int, tuple[int, int, int]]]:
    """A balanced tree of directory ids, coloured red-black: (root, id -> (left, right,
    black)). Built from the middle out, every level but the deepest is full, so colouring
    that level red (when it is not the root's) keeps every path's count of black equal."""
    ordered = sorted(names, key=key.__getitem__)
    links: dict[int, tuple[int, int, int]] = {}
    depth_of: dict[int, int] = {}

    def build(part: list[int], depth: int) -> int:
        if not part:
            return _NOSTREAM
        middle = len(part) // 2
        node = part[middle]
        depth_of[node] = depth
        links[node] = (build(part[:middle], depth + 1), build(part[middle + 1 :], depth + 1), 0)
        return node

    root = build(ordered, 0)
    deepest = max(depth_of.values(), default=0)
    for node, (left, right, _) in links.items():
        red = depth_of[node] == deepest and deepest > 0
        links[node] = (left, right, 0 if red else 1)
    return root, links


def write_compound(entries: Sequence[Entry]) -> bytes:
    """A version 3 compound file (512-byte sectors) of ``entries``, directory ids in the
    given order after the root; zero timestamps."""
    ids = {entry.path: number for number, entry in enumerate(entries, start=1)}
    children: dict[tuple[str, ...], list[int]] = {(): []}
    for entry in entries:
        children.setdefault(entry.path[:-1], []).append(ids[entry.path])
        if entry.data is None:
            children.setdefault(entry.path, [])
    key = {ids[e.path]: _cfb_key(e.path[-1]) for e in entries}
    tree: dict[int, tuple[int, int, int]] = {}
    child_of: dict[tuple[str, ...], int] = {}
    for path, kids in children.items():
        child_of[path], links = _red_black(kids, key)
        tree.update(links)

    sectors = bytearray()  # every sector after the header
    fat: list[int] = []

    def put(data: bytes) -> int:
        """Append ``data`` as a chain of sectors; its first sector's number."""
        if not data:
            return _END
        first = len(fat)
        count = -(-len(data) // _SECTOR)
        fat.extend(range(first + 1, first + count))
        fat.append(_END)
        sectors.extend(data.ljust(count * _SECTOR, b"\0"))
        return first

    mini = bytearray()
    minifat: list[int] = []
    starts: dict[int, int] = {}
    for entry in entries:
        if entry.data is not None and 0 < len(entry.data) < _CUTOFF:
            first, count = len(minifat), -(-len(entry.data) // _MINI)
            minifat.extend(range(first + 1, first + count))
            minifat.append(_END)
            mini += entry.data.ljust(count * _MINI, b"\0")
            starts[ids[entry.path]] = first
    for entry in entries:
        if entry.data is not None and len(entry.data) >= _CUTOFF:
            starts[ids[entry.path]] = put(entry.data)
    mini_start = put(bytes(mini))

    def directory_entry(number: int, entry: Entry | None) -> bytes:
        if entry is None:  # the root
            name, kind, clsid, start, size = "Root Entry", 5, bytes(16), mini_start, len(mini)
            left, right, black, child = _NOSTREAM, _NOSTREAM, 1, child_of[()]
        else:
            name, clsid = entry.path[-1], entry.clsid
            left, right, black = tree[number]
            if entry.data is None:
                kind, start, size, child = 1, 0, 0, child_of[entry.path]
            else:
                kind, size, child = 2, len(entry.data), _NOSTREAM
                start = starts.get(number, _END)
        encoded = name.encode("utf-16-le") + b"\0\0"
        if len(encoded) > 64:
            raise ValueError(f"compound file name too long: {name!r}")
        return struct.pack(
            _DIRECTORY_ENTRY,
            encoded,
            len(encoded),
            kind,
            black,
            left,
            right,
            child,
            clsid,
            0,  # state bits
            0,  # created
            0,  # modified
            start,
            size,
        )

    unused = (b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, bytes(16), 0, 0, 0, 0, 0)
    free_entry = struct.pack(_DIRECTORY_ENTRY, *unused)  # [MS-CFB] 2.6.3: zero, no links
    directory = directory_entry(0, None) + b"".join(
        directory_entry(number, entry) for number, entry in enumerate(entries, start=1)
    )
    directory += free_entry * (-(len(directory) // 128) % 4)  # whole sectors of 4 entries
    directory_start = put(directory)
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat) if minifat else b""
    minifat_bytes += struct.pack("<I", _FREE) * (-len(minifat) % (_SECTOR // 4))
    minifat_start = put(minifat_bytes)

    count = 1  # FAT sectors: enough for every sector, their own included
    while -(-(len(fat) + count) // (_SECTOR // 4)) > count:
        count += 1
    if count > 109:
        raise ValueError("compound file too large for a header-only FAT list")
    fat_sectors = list(range(len(fat), len(fat) + count))
    fat.extend([_FAT] * count)
    fat.extend([_FREE] * (count * _SECTOR // 4 - len(fat)))
    sectors += struct.pack(f"<{len(fat)}I", *fat)

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        bytes(16),
        0x003E,  # minor version
        0x0003,  # major version: 512-byte sectors
        0xFFFE,  # byte order
        9,  # sector shift
        6,  # mini sector shift
        bytes(6),
        0,  # directory sectors (0 in version 3)
        count,
        directory_start,
        0,  # transaction signature
        _CUTOFF,
        minifat_start,
        len(minifat_bytes) // _SECTOR,
        _END,  # no DIFAT sectors
        0,
    )
    header += struct.pack("<109I", *fat_sectors, *[_FREE] * (109 - count))
    return header + bytes(sectors)


# --- the step ------------------------------------------------------------------------------


def office_project(blob: bytes, book: str, sheets: Sequence[str]) -> bytes:
    """``vbaProject.bin`` with a document module for ``book`` and each of ``sheets`` (the
    workbook's and its sheets' code names), in the shape Office writes (module docstring)."""
    entries = read_compound(blob)
    project = parse_dir(decompress(entries[("VBA", "dir")].data or b""))
    encoding = project.code_page
    have = {name.casefold() for name in project.names()}
    wanted = [(book, WORKBOOK_BASE), *[(sheet, WORKSHEET_BASE) for sheet in sheets]]
    missing = [(name, base) for name, base in wanted if name.casefold() not in have]
    for name, base in missing:
        if ("VBA", name) in entries:
            raise ValueError(f"a stream VBA/{name} exists but no module declares it")
        project.modules.append(module_records(name, encoding))
        source = document_source(name, base).encode(encoding)
        entries[("VBA", name)] = Entry(("VBA", name), compress(source))
    for module in project.modules:
        for record in module:
            if record.id == _MODULECOOKIE:
                record.data = struct.pack("<H", COOKIE)
    text = (entries[("PROJECT",)].data or b"").decode(encoding)
    declared = set(re.findall(r"^Document=([^/\r\n]+)/", text, re.MULTILINE))
    orphans = declared - {name for name, _ in wanted}
    if orphans:
        raise ValueError(f"document modules of no sheet: {sorted(orphans)}")
    documents = [name for name, _ in missing if name not in declared]
    entries[("PROJECT",)].data = project_text(text, documents).encode(encoding)
    entries[("PROJECTwm",)].data = projectwm(project.names(), encoding)
    entries[("VBA", "dir")].data = compress(project.pack())
    entries[("VBA", "_VBA_PROJECT")].data = VBA_PROJECT_STREAM
    return write_compound(_in_office_order(entries, project.streams()))


def _in_office_order(entries: dict[tuple[str, ...], Entry], modules: list[str]) -> list[Entry]:
    """Directory order as Office writes it: the VBA storage, its module streams in the dir
    stream's order, _VBA_PROJECT, dir; then any other storage; PROJECTwm, PROJECT last."""
    first = [("VBA",), *[("VBA", name) for name in modules], ("VBA", "_VBA_PROJECT")]
    first.append(("VBA", "dir"))
    last = [("PROJECTwm",), ("PROJECT",)]
    rest = sorted(path for path in entries if path not in first and path not in last)
    return [entries[path] for path in [*first, *rest, *last]]


def complete_project(members: dict[str, bytes]) -> None:
    """Rewrite ``members``' vbaProject.bin with :func:`office_project` for the code names
    its workbook and sheets carry."""
    book, sheets = code_names(members)
    members[VBA_PART] = office_project(members[VBA_PART], book, sheets)
