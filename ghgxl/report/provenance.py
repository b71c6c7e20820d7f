"""A report that proves where it came from: the manifest of the workbook it was made from
(its SHA-256, the ghgxl and factor-library versions, the GWP set, the totals) is kept in the
.docx as a custom document property (``docProps/custom.xml``, property ``ghgxl.manifest``),
and the colophon prints the workbook's hash.

``ghgxl verify REPORT.docx BOOK.xlsm`` reads it back: the workbook must be the one the report
was made from (same hash), and the report's text must be what ghgxl writes from that
workbook today — reports are deterministic, so a figure edited in Word, or an amount edited
in the workbook afterwards, shows as the first lines that differ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from ghgxl.workbook.manifest import manifest, sha256  # noqa: F401  (the report's is the workbook's)

PROPERTY = "ghgxl.manifest"
CUSTOM_PART = "docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
#: The format id Office gives user-defined properties (ECMA-376 Part 1, 22.3.2.2).
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def custom_properties(data: dict[str, object]) -> bytes:
    """``docProps/custom.xml`` holding the manifest as one text property."""
    text = escape(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">'
        f'<property fmtid="{_FMTID}" pid="2" name="{PROPERTY}"><vt:lpwstr>{text}</vt:lpwstr>'
        "</property></Properties>"
    ).encode()


def embed(members: dict[str, bytes], data: dict[str, object]) -> dict[str, bytes]:
    """The package's members with the manifest part, its content type and its relationship."""
    out = dict(members)
    out[CUSTOM_PART] = custom_properties(data)
    types = out["[Content_Types].xml"].decode("utf-8")
    if CUSTOM_PART not in types:
        override = f'<Override PartName="/{CUSTOM_PART}" ContentType="{CUSTOM_TYPE}"/>'
        out["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
    rels = out["_rels/.rels"].decode("utf-8")
    if CUSTOM_REL not in rels:
        rel = f'<Relationship Id="rIdGhgxlManifest" Type="{CUSTOM_REL}" Target="{CUSTOM_PART}"/>'
        out["_rels/.rels"] = rels.replace("</Relationships>", rel + "</Relationships>").encode()
    return out


def read_manifest(members: dict[str, bytes]) -> dict[str, object] | None:
    """The manifest a report carries, or None (not a ghgxl report, or one from before)."""
    part = members.get(CUSTOM_PART)
    if part is None:
        return None
    root = ElementTree.fromstring(part)
    for prop in root.findall(f"{{{_CUSTOM_NS}}}property"):
        if prop.get("name") == PROPERTY:
            value = prop.find(f"{{{_VT_NS}}}lpwstr")
            return json.loads(value.text or "{}") if value is not None else None
    return None


@dataclass
class Verdict:
    manifest: dict[str, object] | None
    workbook_sha256: str
    differences: list[tuple[str, str]] = field(default_factory=list)  # (in report, expected)

    @property
    def same_workbook(self) -> bool:
        return bool(self.manifest) and self.manifest.get("workbook_sha256") == self.workbook_sha256

    @property
    def ok(self) -> bool:
        return self.same_workbook and not self.differences


def text_lines(members: dict[str, bytes]) -> list[str]:
    """The report body's paragraphs and table cells, in order (what a reader sees)."""
    root = ElementTree.fromstring(members["word/document.xml"])
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    lines = []
    for paragraph in root.iter(f"{w}p"):
        text = "".join(t.text or "" for t in paragraph.iter(f"{w}t"))
        if text.strip():
            lines.append(text)
    return lines


def compare_text(report: list[str], expected: list[str], limit: int = 5) -> list[tuple[str, str]]:
    """The first ``limit`` lines where the report differs from what ghgxl writes."""
    differences = []
    for index in range(max(len(report), len(expected))):
        have = report[index] if index < len(report) else "（缺少）"
        want = expected[index] if index < len(expected) else "（多出）"
        if have != want:
            differences.append((have, want))
            if len(differences) >= limit:
                break
    return differences
