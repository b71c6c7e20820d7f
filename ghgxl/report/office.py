"""The LibreOffice the report's PDF is made with: its profile, its fonts and its macro.

A plain ``soffice --convert-to pdf`` prints the table of contents as it is stored in the
.docx (before Word updates it: no entries), and sets 宋体 and 黑体, which Linux does not
have, in whatever CJK face fontconfig finds first for the text (Noto Sans CJK JP for some
characters, other regions' glyphs for others, and sans-serif for 宋体's serif text). So:

- the PDF is made by a Basic macro in a profile of its own (:func:`write_profile`), run as
  ``soffice --headless macro:///Standard.Ghgxl.ExportPdf(...)`` (:func:`command`): it opens
  the report, updates its indexes (once: the renderer has already listed the headings in
  the table of contents, so updating it adds page numbers without moving a page), exports
  the PDF and quits;
- fontconfig, which LibreOffice asks for fonts on Linux and BSD, is given aliases
  (:func:`font_environment`): each Chinese font the report may name *accepts* a Simplified
  Chinese face after it (:data:`FONT_FALLBACKS`), so it is used only where the font itself
  is missing: a machine with 宋体 uses 宋体. (LibreOffice's own replacement table does not
  do this: unless told to replace "always", it lets fontconfig choose first.)

The PDF then names its CJK fonts ``NotoSerifCJKjp-…`` whatever face was used: the Noto CJK
collections share one CFF table, named after the Japanese face, among all regions; which
region's glyphs were drawn shows in the glyph ids (the tests check them).
"""

from __future__ import annotations

import os
from pathlib import Path
from xml.sax.saxutils import escape

#: Font → the face used where that font is not installed (Noto CJK SC: Debian's
#: fonts-noto-cjk). The serif faces (宋体 and its kin) fall back to Noto Serif CJK SC, the
#: sans ones to Noto Sans CJK SC.
FONT_FALLBACKS = {
    **dict.fromkeys(
        ("宋体", "SimSun", "新宋体", "NSimSun", "仿宋", "FangSong", "楷体", "KaiTi"),
        "Noto Serif CJK SC",
    ),
    **dict.fromkeys(
        ("黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "等线", "DengXian"), "Noto Sans CJK SC"
    ),
}
LIBRARY, MODULE, MACRO = "Standard", "Ghgxl", "ExportPdf"

_DOCTYPE = '<!DOCTYPE {root} PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "{dtd}">'
_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'
_LIBRARY_NS = 'xmlns:library="http://openoffice.org/2000/library"'

#: Open the report hidden, update its indexes, export the PDF, quit. An error is written to
#: the third file (the PDF is then missing, and ghgxl says why).
BASIC = """Sub ExportPdf(sIn As String, sOut As String, sError As String)
  On Error Goto Failed
  Dim aLoad(0) As New com.sun.star.beans.PropertyValue
  aLoad(0).Name = "Hidden"
  aLoad(0).Value = True
  oDoc = StarDesktop.loadComponentFromURL(sIn, "_blank", 0, aLoad())
  oIndexes = oDoc.getDocumentIndexes()
  For i = 0 To oIndexes.getCount() - 1
    oIndexes.getByIndex(i).update()
  Next i
  Dim aStore(0) As New com.sun.star.beans.PropertyValue
  aStore(0).Name = "FilterName"
  aStore(0).Value = "writer_pdf_Export"
  oDoc.storeToURL(sOut, aStore())
  oDoc.close(True)
  StarDesktop.terminate()
  Exit Sub
Failed:
  iFile = FreeFile()
  Open ConvertFromURL(sError) For Output As #iFile
  Print #iFile, "Basic error " & Err & " at line " & Erl & ": " & Error$
  Close #iFile
  StarDesktop.terminate()
End Sub
"""


def _registry() -> str:
    """registrymodifications.xcu: the profile counts as set up (LibreOffice would otherwise
    copy its presets over it on the first start, the Basic library too)."""
    return (
        _XML
        + '<oor:items xmlns:oor="http://openoffice.org/2001/registry">\n'
        + '<item oor:path="/org.openoffice.Setup/Office"><prop oor:name="ooSetupInstCompleted" '
        + 'oor:op="fuse"><value>true</value></prop></item>\n'
        + "</oor:items>\n"
    )


def _fontconfig() -> str:
    aliases = "".join(
        f'<alias binding="same"><family>{escape(font)}</family>'
        f"<accept><family>{escape(face)}</family></accept></alias>\n"
        for font, face in FONT_FALLBACKS.items()
    )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>\n{aliases}</fontconfig>\n"
    )


def font_environment(folder: Path) -> dict[str, str]:
    """The environment LibreOffice runs in: fontconfig reads the user configuration of
    ``folder`` (``$XDG_CONFIG_HOME/fontconfig/fonts.conf``, which the system's configuration
    includes) with the aliases of :data:`FONT_FALLBACKS`."""
    config = folder / "fontconfig"
    config.mkdir(parents=True, exist_ok=True)
    (config / "fonts.conf").write_text(_fontconfig(), encoding="utf-8")
    return {**os.environ, "XDG_CONFIG_HOME": str(folder)}


def _libraries(kind: str) -> str:
    """script.xlc / dialog.xlc: the Standard library of the profile."""
    return (
        _XML
        + _DOCTYPE.format(root="library:libraries", dtd="libraries.dtd")
        + f'\n<library:libraries {_LIBRARY_NS} xmlns:xlink="http://www.w3.org/1999/xlink">'
        f'<library:library library:name="{LIBRARY}" '
        f'xlink:href="$(USER)/basic/{LIBRARY}/{kind}.xlb/" xlink:type="simple" '
        'library:link="false"/></library:libraries>\n'
    )


def _library(modules: list[str]) -> str:
    """script.xlb / dialog.xlb: the modules of the Standard library."""
    elements = "".join(f'<library:element library:name="{m}"/>' for m in modules)
    return (
        _XML
        + _DOCTYPE.format(root="library:library", dtd="library.dtd")
        + f'\n<library:library {_LIBRARY_NS} library:name="{LIBRARY}" '
        f'library:readonly="false" library:passwordprotected="false">{elements}'
        "</library:library>\n"
    )


def _module() -> str:
    return (
        _XML
        + _DOCTYPE.format(root="script:module", dtd="module.dtd")
        + '\n<script:module xmlns:script="http://openoffice.org/2000/script" '
        f'script:name="{MODULE}" script:language="StarBasic">{escape(BASIC)}</script:module>\n'
    )


def write_profile(profile: Path) -> None:
    """A LibreOffice user profile in ``profile`` (a folder not yet there) with the macro."""
    user = profile / "user"
    basic = user / "basic" / LIBRARY
    basic.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(_registry(), encoding="utf-8")
    (user / "basic" / "script.xlc").write_text(_libraries("script"), encoding="utf-8")
    (user / "basic" / "dialog.xlc").write_text(_libraries("dialog"), encoding="utf-8")
    (basic / "script.xlb").write_text(_library([MODULE]), encoding="utf-8")
    (basic / "dialog.xlb").write_text(_library([]), encoding="utf-8")
    (basic / f"{MODULE}.xba").write_text(_module(), encoding="utf-8")


def _basic_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def command(office: str, profile: Path, docx: Path, pdf: Path, error: Path) -> list[str]:
    """The ``soffice`` command that writes ``docx`` as ``pdf`` with the profile's macro.

    The files are passed as file URLs, which percent-encode whatever a path holds (spaces,
    quotes, commas, Chinese), so the macro call's arguments are plain ASCII."""
    arguments = ",".join(_basic_string(p.resolve().as_uri()) for p in (docx, pdf, error))
    return [
        office,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        f"macro:///{LIBRARY}.{MODULE}.{MACRO}({arguments})",
    ]
