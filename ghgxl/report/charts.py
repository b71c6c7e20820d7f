"""Charts of the report (matplotlib, PNG): emissions by category and by scope with their
shares, a Pareto chart of the largest sources (bars and the cumulative share), and each
site's emissions stacked by scope.

Every label is the user's text drawn as it is: matplotlib would otherwise read ``$...$`` in a
source name as mathtext (``锅炉 $x^2$ 号`` drawn as x², ``$a_$`` an exception).

Chinese labels need a CJK font: Noto Sans CJK (installed by ``.ci/run``; Debian package
fonts-noto-cjk) or, on Windows, Microsoft YaHei / SimHei.
"""

from __future__ import annotations

import io
import itertools
import unicodedata
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen: render to PNG only
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.ticker import Formatter

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Microsoft YaHei", "SimHei", "PingFang SC")
UNIT = "t CO₂e"
#: The Pareto chart's axes run to this times the total (room for the bars' labels).
PARETO_ROOM = 1.2
COLOURS = ("#2F5597", "#5B9BD5", "#A5A5A5", "#ED7D31", "#FFC000", "#70AD47", "#264478", "#9E480E")


#: File names of the fonts of CJK_FONTS (Noto Sans CJK, YaHei, SimHei, PingFang).
CJK_FILES = ("notosanscjk", "msyh", "simhei", "pingfang")
#: Longest label drawn: a name as long as an Excel cell (32,767 characters) would make the
#: chart thousands of pixels wide, which the report then shrinks to 150 mm.
MAX_LABEL = 40
#: Text is plain text whatever the user's matplotlibrc says: no mathtext, no LaTeX.
PLAIN_TEXT_RC = {
    "text.parse_math": False,
    "text.usetex": False,
    "axes.formatter.use_mathtext": False,
}
#: Characters that have no glyph and break a label's line: control characters, line and
#: paragraph separators, lone surrogates.
_UNPRINTABLE = {"Cc", "Cs", "Zl", "Zp"}


def _font() -> list[str]:
    """The CJK fonts there are, best first, then DejaVu Sans (matplotlib's own), which has
    the subscript digits of CO₂ that the CJK fonts lack. matplotlib lists the fonts once and
    caches the list; a font installed after that is looked for among the system's files."""
    found = _cjk_fonts()
    if not found:
        for path in font_manager.findSystemFonts():
            if any(name in Path(path).name.lower() for name in CJK_FILES):
                font_manager.fontManager.addfont(path)
        found = _cjk_fonts()
    return [*found, "DejaVu Sans"]


def _cjk_fonts() -> list[str]:
    available = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in available]


def plain_label(text: object, limit: int | None = MAX_LABEL) -> str:
    """``text`` as one line of at most ``limit`` characters: control characters and line
    breaks (Alt+Enter in a cell) become spaces, runs of spaces one space."""
    printable = "".join(" " if unicodedata.category(c) in _UNPRINTABLE else c for c in str(text))
    line = " ".join(printable.split())
    return line if limit is None or len(line) <= limit else line[: limit - 1] + "…"


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():  # a glyph no font has (an emoji in a name) draws as a
        # box, as in the report's text; matplotlib's warning is no message for the user
        warnings.filterwarnings(
            "ignore", message="Glyph .* missing from font", category=UserWarning
        )
        figure.savefig(
            buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None}
        )
    plt.close(figure)
    return buffer.getvalue()


def _style() -> dict[str, object]:
    fonts = _font()  # a list of families: matplotlib takes a glyph a font lacks from the next
    return {
        "font.family": fonts,
        "font.sans-serif": fonts,
        "axes.unicode_minus": False,
        "font.size": 9,
    }


class Thousands(Formatter):
    """Tick labels with thousands separators (``400,000``), as the report prints numbers,
    and as many decimals as the ticks' step needs (0, 0.5, 1 … on a chart of a few tonnes;
    never ``0 0 1 1``); the tick at zero is ``0``, never ``-0``."""

    def __call__(self, value: float, pos: int | None = None) -> str:
        ticks = sorted(float(t) for t in self.axis.get_majorticklocs()) if self.axis else []
        steps = [b - a for a, b in itertools.pairwise(ticks) if b > a]
        step = min(steps) if steps else 1.0
        decimals = next(
            (d for d in range(7) if abs(round(step, d) - step) <= step * 1e-6), None
        )  # 0.25 → 2, 0.5 → 1, 100,000 → 0; finer than a millionth: 3 significant digits
        if abs(value) < step / 2:
            return "0"
        return f"{value:,.{decimals}f}" if decimals is not None else f"{value:.3g}"


def _thousands(axis) -> None:
    axis.set_major_formatter(Thousands())


def _labels(values: list[float], shares: list[str] | None) -> list[str]:
    if shares is None:
        return [f"{v:,.2f}" for v in values]
    return [f"{v:,.2f}（{s}）" for v, s in zip(values, shares, strict=True)]


def bar_chart(
    labels: list[str],
    values: list[float],
    title: str,
    horizontal: bool = False,
    shares: list[str] | None = None,
    notes: dict[int, str] | None = None,
) -> bytes:
    """A labelled bar chart (t CO₂e) as PNG bytes, each bar marked with its value (and its
    share, given ``shares``), or with its note where ``notes`` has one by position (a
    category 无排放源 or 未量化（排除）: no bar to draw, and not 0.00); labels and title are
    drawn as plain text."""
    labels = [plain_label(label) for label in labels]
    plain = {"parse_math": False}  # the rc below covers texts matplotlib makes while drawing
    with plt.rc_context({**_style(), **PLAIN_TEXT_RC}):
        figure, axes = plt.subplots(
            figsize=(6.4, 3.2 if not horizontal else 0.35 * len(labels) + 1.2)
        )
        positions = range(len(labels))
        bars = (axes.barh if horizontal else axes.bar)(positions, values, color=COLOURS[0])
        if horizontal:
            axes.set_yticks(list(positions), labels, **plain)
            axes.invert_yaxis()
            axes.set_xlabel(UNIT, **plain)
            _thousands(axes.xaxis)
            axes.margins(x=0.25)  # room for the labels beyond the longest bar
        else:
            axes.set_xticks(list(positions), labels, **plain)
            axes.set_ylabel(UNIT, **plain)
            _thousands(axes.yaxis)
            axes.margins(y=0.15)
        marks = _labels(values, shares)
        for position, note in (notes or {}).items():
            marks[position] = plain_label(note)
        axes.bar_label(bars, labels=marks, fontsize=7, padding=2, **plain)
        axes.set_title(plain_label(title, limit=None), **plain)
        axes.spines[["top", "right"]].set_visible(False)
        return _png(figure)


def pareto_chart(
    labels: list[str], values: list[float], total: float, title: str, rest: str | None = None
) -> bytes:
    """A Pareto chart: the largest sources from the top down (bars, t CO₂e) and the share
    of the total they make together (the line, on the upper axis). Both axes have the same
    scale (100 % is the total), so the line starts at the end of the first bar. ``rest``:
    the label of a last bar that stands for the other sources together, drawn grey."""
    labels = [plain_label(label) for label in labels]
    plain = {"parse_math": False}
    total = total if total > 0 else max(sum(values), 1.0)
    cumulative = [sum(values[: i + 1]) / total * 100 for i in range(len(values))]
    with plt.rc_context({**_style(), **PLAIN_TEXT_RC}):
        figure, axes = plt.subplots(figsize=(6.4, 0.36 * len(labels) + 1.5))
        positions = list(range(len(labels)))
        colours = [COLOURS[2] if rest and i == len(labels) - 1 else COLOURS[0] for i in positions]
        bars = axes.barh(positions, values, color=colours)
        axes.set_yticks(positions, labels, **plain)
        axes.invert_yaxis()
        axes.set_xlim(0, total * PARETO_ROOM)
        axes.set_xlabel(UNIT, **plain)
        _thousands(axes.xaxis)
        axes.bar_label(bars, labels=_labels(values, None), fontsize=7, padding=2, **plain)
        share = axes.twiny()
        share.plot(cumulative, positions, color=COLOURS[3], marker="o", markersize=3)
        share.set_xlim(0, 100 * PARETO_ROOM)
        share.set_xticks([0, 20, 40, 60, 80, 100], ["0", "20%", "40%", "60%", "80%", "100%"])
        share.set_xlabel("累计占比", color=COLOURS[3], **plain)
        share.tick_params(axis="x", colors=COLOURS[3])
        axes.set_title(plain_label(title, limit=None), **plain)
        for spine in (axes.spines["right"], share.spines["right"]):
            spine.set_visible(False)
        return _png(figure)


def stacked_bar_chart(labels: list[str], series: dict[str, list[float]], title: str) -> bytes:
    """Horizontal bars stacked by ``series`` (name → a value per label, t CO₂e), from the
    top down, each bar marked with its total."""
    labels = [plain_label(label) for label in labels]
    plain = {"parse_math": False}
    totals = [sum(values) for values in zip(*series.values(), strict=True)]
    with plt.rc_context({**_style(), **PLAIN_TEXT_RC}):
        figure, axes = plt.subplots(figsize=(6.4, 0.4 * len(labels) + 1.6))
        positions = list(range(len(labels)))
        left = [0.0] * len(labels)
        colours = (COLOURS[0], COLOURS[1], COLOURS[3], *COLOURS[4:])
        for colour, (name, values) in zip(colours, series.items(), strict=False):
            axes.barh(positions, values, 0.6, left=left, color=colour, label=plain_label(name))
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.set_yticks(positions, labels, **plain)
        axes.invert_yaxis()
        axes.set_xlabel(UNIT, **plain)
        _thousands(axes.xaxis)
        axes.margins(x=0.2)
        for position, total in zip(positions, totals, strict=True):
            axes.text(total, position, f" {total:,.2f}", va="center", fontsize=7, **plain)
        axes.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.3 / (0.4 * len(labels) + 1.6) - 0.12),
            ncol=len(series),
            fontsize=7,
            frameon=False,
        )
        axes.set_title(plain_label(title, limit=None), **plain)
        axes.spines[["top", "right"]].set_visible(False)
        return _png(figure)
