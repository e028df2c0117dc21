"""Poll results as accessible, self-contained SVG, drawn on the server.

The same markup travels in live fragments (phones, projector, facilitator console) and in
exported minutes, so it depends on no JavaScript, web font, stylesheet or randomness: the
same input gives the same bytes, in a browser, a PDF or a file on its own. Colours and
fonts are presentation attributes, not ``style``, so a strict Content-Security-Policy
keeps them. Every chart is ``role="img"`` named by its ``<title>`` and ``<desc>``, and
the desc lists every label with its count and percentage: colour and shape never carry
information alone.

The module holds no translatable strings: words come from the caller (title,
description, labels); numbers follow the active language.
"""

import hashlib
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.utils import translation
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Okabe–Ito: eight colours colour-blind people can tell apart. Fills only: several are
# too light for text on white, so bars and swatches get a dark outline.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
# The same hues darkened to at least 4.5:1 on white, for the words of the cloud.
TEXT_PALETTE = ("#0072B2", "#BB5300", "#007F5D", "#B84685", "#946700", "#1B1F24")
INK = "#1B1F24"  # 16:1 on white
MUTED = "#4E5661"  # 7.4:1 on white
BACKGROUND = "#FFFFFF"
FONT_FAMILY = "system-ui, sans-serif"

# viewBox units. A card on a 360 px phone is 294 px wide: 16-unit text is 14.7 px there.
WIDTH = 320
PAD = 16
FONT_SIZE = 16
LABEL_CHARS = 40

BAR_ROW = 56  # label line, then the bar
BAR_HEIGHT = 22
BAR_GAP = 22  # from a row's top to its bar: the label's line
VALUE_ROOM = 128  # right of the longest bar, for "1 234 (100 %)"

PIE_RADIUS = 110
LEGEND_ROW = 28
SWATCH = 18
HATCHED_FROM = len(PALETTE)  # colours repeat after eight: the second round is hatched

CLOUD_WORDS = 60
CLOUD_CHARS = 30  # a longer answer would dwarf the others
CLOUD_MIN_FONT = 16.0  # as legible as the other charts' labels
CLOUD_MAX_FONT = 56.0
CLOUD_LINE = 1.15  # a word's box height, in font sizes
CLOUD_GAP = 3.0  # free space around each word
CLOUD_TURN = 8.0  # the spiral's distance between two turns
CLOUD_STEP = 4.0  # distance along the spiral between two tries
CLOUD_STRETCH = 1.6  # wider than tall, like the screens it is shown on

PERCENT_SPACED = frozenset({"fr"})  # languages writing "60 %" rather than "60%"


@dataclass(frozen=True)
class Slice:
    """One poll option and how many chose it."""

    label: str
    count: int

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(f"A count cannot be negative: {self.count}")


@dataclass(frozen=True)
class PlacedWord:
    """A word of the cloud and the box it may draw in: centre, size, font."""

    text: str
    count: int
    font_size: float
    x: float
    y: float
    width: float  # the text's own width; the box adds CLOUD_GAP on each side
    height: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom), the gap included: boxes of a layout never overlap."""
        half_w = self.width / 2 + CLOUD_GAP
        half_h = self.height / 2 + CLOUD_GAP
        return (self.x - half_w, self.y - half_h, self.x + half_w, self.y + half_h)


# Numbers and text ------------------------------------------------------------------


def _num(value: float) -> str:
    """Coordinates to 0.01: short markup, and libm's last bits never reach the output."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _round(value: float) -> float:
    """Positions exactly as drawn, so that the layout tests check what the SVG shows."""
    return round(value, 2) + 0.0  # + 0.0: no -0.0


def _clean(text: str) -> str:
    """One line of text XML accepts: control characters would break a standalone SVG."""
    kept = (
        " " if char.isspace() else char
        for char in str(text)
        if unicodedata.category(char) not in ("Cc", "Cs") or char.isspace()
    )
    return " ".join("".join(kept).replace("\ufffe", "").replace("\uffff", "").split())


def _char_width(char: str) -> float:
    """A character's advance in font sizes, for a typical sans-serif."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char in " .,:;!|'`()[]/-":
        return 0.32
    if char in "iljtfrI":
        return 0.3
    if char in "mwMW@%":
        return 0.88
    if char.isupper():
        return 0.68
    return 0.56


def text_width(text: str, font_size: float) -> float:
    """Estimated width of a line of text: fonts are the reader's, we cannot measure."""
    return font_size * sum(_char_width(char) for char in text)


def _truncate(
    text: str, max_width: float, font_size: float = FONT_SIZE, max_chars: int = LABEL_CHARS
) -> str:
    """At most max_chars characters and max_width units, with an ellipsis when cut."""
    if len(text) <= max_chars and text_width(text, font_size) <= max_width:
        return text
    cut = text[:max_chars]
    while cut and text_width(cut.rstrip() + "…", font_size) > max_width:
        cut = cut[:-1]
    space = cut.rfind(" ")
    if space > len(cut) * 0.7:  # rather between words, when that loses little
        cut = cut[:space]
    return cut.rstrip() + "…"


def percentages(counts: Sequence[int], total: int | None = None) -> list[int]:
    """Whole percentages, half rounded up: equal counts always show equal percentages,
    so the sum may be off 100 by a point or two. `total` is the number of people when
    each may give several (multiple choice, words): then each share is of the people."""
    total = total or sum(counts)
    if total == 0:
        return [0 for _ in counts]
    return [(200 * count + total) // (2 * total) for count in counts]


def format_percent(value: int) -> str:
    """'60 %' in French, '60%' in English: as the charts write it (tables of the minutes)."""
    return _format_percent(value)


def _format_percent(value: int) -> str:
    number = number_format(value, decimal_pos=0)
    language = (translation.get_language() or "").split("-")[0]
    return f"{number}\u00a0%" if language in PERCENT_SPACED else f"{number}%"


def _format_value(count: int, percent: int) -> str:
    """'1 234 (60 %)' in French, '1,234 (60%)' in English."""
    return f"{number_format(count, force_grouping=True)} ({_format_percent(percent)})"


def _text_alternative(
    labels: Sequence[str], counts: Sequence[int], total: int | None = None
) -> str:
    """'Oui: 12 (60 %); Non: 8 (40 %)': what the chart shows, for screen readers."""
    values = map(_format_value, counts, percentages(counts, total))
    return "; ".join(f"{label}: {value}" for label, value in zip(labels, values, strict=True))


def _describe(description: str, alternative: str) -> str:
    description = _clean(description)
    if not description or not alternative:
        return description or alternative
    joint = " " if description[-1] in ".!?:…" else ". "
    return f"{description}{joint}{alternative}"


# SVG -------------------------------------------------------------------------------


def _join(parts: Iterable[SafeString]) -> SafeString:
    """Markup made of pieces that format_html already escaped."""
    return mark_safe("".join(parts))  # noqa: S308 (every part comes from format_html)


def _chart_id(kind: str, chart_id: str | None, *content: object) -> str:
    """Short and stable, so equal charts render equal bytes; chart_id tells apart two
    equal charts on one page."""
    digest = hashlib.sha256(repr((kind, chart_id, content)).encode()).hexdigest()
    return f"chart-{digest[:10]}"


def _svg(
    kind: str,
    dom_id: str,
    title: str,
    desc: str,
    body: SafeString,
    box: tuple[float, float, float, float],
) -> SafeString:
    """The root: scales with its container's width, keeps its proportions, white behind
    so its text keeps its contrast on any page or theme."""
    min_x, min_y, width, height = box
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="{box}"'
        ' width="100%" preserveAspectRatio="xMidYMid meet" role="img"'
        ' aria-labelledby="{id}-title {id}-desc" font-family="{font}" font-size="{size}"'
        ' fill="{ink}"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{background}"/>{body}</svg>',
        kind=kind,
        box=" ".join(map(_num, box)),
        id=dom_id,
        font=FONT_FAMILY,
        size=FONT_SIZE,
        ink=INK,
        title=_clean(title),
        desc=desc,
        x=_num(min_x),
        y=_num(min_y),
        w=_num(width),
        h=_num(height),
        background=BACKGROUND,
        body=body,
    )


def _tooltip(shown: str, full: str) -> SafeString:
    """The full label on hover, when the drawing had to cut it."""
    return format_html("<title>{}</title>", full) if shown != full else SafeString("")


# Bar chart -------------------------------------------------------------------------


def bar_chart(
    slices: Sequence[Slice],
    *,
    title: str,
    description: str = "",
    chart_id: str | None = None,
    total: int | None = None,
) -> SafeString:
    """Horizontal bars, one per option, longest for the largest count: long labels get a
    line of their own above their bar, the value follows the bar's end."""
    labels = [_clean(item.label) for item in slices]
    counts = [item.count for item in slices]
    desc = _describe(description, _text_alternative(labels, counts, total))
    dom_id = _chart_id("bar", chart_id, title, desc)
    longest = max(counts, default=0)
    bar_room = WIDTH - 2 * PAD - VALUE_ROOM
    rows = []
    for index, (label, count, percent) in enumerate(
        zip(labels, counts, percentages(counts, total), strict=True)
    ):
        top = PAD + index * BAR_ROW
        length = bar_room * count / longest if longest else 0
        shown = _truncate(label, WIDTH - 2 * PAD)
        rows.append(
            format_html(
                '<g class="chart-row">{tooltip}'
                '<text x="{x}" y="{label_y}">{label}</text>'
                '<rect class="chart-bar" x="{x}" y="{bar_y}" width="{length}" height="{height}"'
                ' fill="{color}" stroke="{ink}" stroke-width="1"/>'
                '<text class="chart-value" x="{value_x}" y="{value_y}" fill="{muted}"'
                ' font-weight="bold">{value}</text></g>',
                tooltip=_tooltip(shown, label),
                x=PAD,
                label_y=top + FONT_SIZE,
                label=shown,
                bar_y=top + BAR_GAP,
                length=_num(length),
                height=BAR_HEIGHT,
                color=PALETTE[index % len(PALETTE)],
                ink=INK,
                value_x=_num(PAD + length + 8),
                value_y=top + BAR_GAP + BAR_HEIGHT - 6,
                muted=MUTED,
                value=_format_value(count, percent),
            )
        )
    bars_bottom = PAD + len(slices) * BAR_ROW - (BAR_ROW - BAR_GAP - BAR_HEIGHT)
    if slices:  # the zero line, so that empty bars still show where they start
        rows.append(
            format_html(
                '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{ink}"/>',
                x=PAD,
                top=PAD + BAR_GAP,
                bottom=bars_bottom,
                ink=INK,
            )
        )
    height = bars_bottom + PAD if slices else 2 * PAD
    return _svg("bar", dom_id, title, desc, _join(rows), (0, 0, WIDTH, height))


# Pie chart -------------------------------------------------------------------------


def _point(cx: float, cy: float, radius: float, turn: float) -> str:
    """The point a fraction of a turn clockwise from twelve o'clock."""
    angle = 2 * math.pi * turn
    return f"{_num(cx + radius * math.sin(angle))} {_num(cy - radius * math.cos(angle))}"


def _wedge(cx: float, cy: float, radius: float, start: float, end: float) -> str:
    """A slice's path. Past half a turn it goes through its middle, so no arc is ever
    ambiguous or degenerate, however close to a full turn."""
    arc = f"A {_num(radius)} {_num(radius)} 0 0 1"
    turns = [start, (start + end) / 2, end] if end - start > 0.5 else [start, end]
    arcs = " ".join(f"{arc} {_point(cx, cy, radius, turn)}" for turn in turns[1:])
    return f"M {_num(cx)} {_num(cy)} L {_point(cx, cy, radius, start)} {arcs} Z"


def _hatch_defs(dom_id: str) -> SafeString:
    return format_html(
        '<defs><pattern id="{id}-hatch" width="8" height="8" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)"><rect width="3" height="8" fill="{white}"'
        ' fill-opacity="0.7"/></pattern></defs>',
        id=dom_id,
        white=BACKGROUND,
    )


def _filled(markup: str, index: int, dom_id: str, **values: object) -> SafeString:
    """A slice or swatch in the option's colour; from the ninth option on, colours repeat,
    so the shape is drawn again under white stripes."""
    shape = format_html(markup, fill=PALETTE[index % len(PALETTE)], **values)
    if index < HATCHED_FROM:
        return shape
    return _join([shape, format_html(markup, fill=f"url(#{dom_id}-hatch)", **values)])


def _slices(counts: Sequence[int], dom_id: str, cx: float, cy: float) -> list[SafeString]:
    """Clockwise from twelve o'clock; a sole answered option is a whole circle, and an
    option nobody chose has no slice at all."""
    total = sum(counts)
    if total == 0:
        return [
            format_html(
                '<circle class="chart-pie-empty" cx="{cx}" cy="{cy}" r="{r}" fill="none"'
                ' stroke="{muted}" stroke-dasharray="4 4"/>',
                cx=_num(cx),
                cy=_num(cy),
                r=PIE_RADIUS,
                muted=MUTED,
            )
        ]
    shapes = []
    done = 0
    for index, count in enumerate(counts):
        if count == total:
            shapes.append(
                _filled(
                    '<circle class="chart-slice" cx="{cx}" cy="{cy}" r="{r}" fill="{fill}"/>',
                    index,
                    dom_id,
                    cx=_num(cx),
                    cy=_num(cy),
                    r=PIE_RADIUS,
                )
            )
        elif count:
            shapes.append(
                _filled(
                    '<path class="chart-slice" d="{d}" fill="{fill}" stroke="{white}"'
                    ' stroke-width="2" stroke-linejoin="round"/>',
                    index,
                    dom_id,
                    d=_wedge(cx, cy, PIE_RADIUS, done / total, (done + count) / total),
                    white=BACKGROUND,
                )
            )
        done += count
    return shapes


def _legend(
    labels: Sequence[str], counts: Sequence[int], dom_id: str, top: float
) -> list[SafeString]:
    """One line per option, empty ones included: swatch, label, count and percentage."""
    lines = []
    for index, (label, count, percent) in enumerate(
        zip(labels, counts, percentages(counts), strict=True)
    ):
        y = top + index * LEGEND_ROW
        value = _format_value(count, percent)
        # The label gets the line but for its own value (bold: a little wider than estimated).
        value_room = text_width(value, FONT_SIZE) * 1.1 + 16
        shown = _truncate(label, WIDTH - 2 * PAD - SWATCH - 10 - value_room)
        swatch = _filled(
            '<rect class="chart-swatch" x="{x}" y="{y}" width="{size}" height="{size}"'
            ' fill="{fill}" stroke="{ink}" stroke-width="1"/>',
            index,
            dom_id,
            x=PAD,
            y=y,
            size=SWATCH,
            ink=INK,
        )
        lines.append(
            format_html(
                '<g class="chart-legend">{tooltip}{swatch}<text x="{label_x}" y="{text_y}">'
                '{label}</text><text class="chart-value" x="{value_x}" y="{text_y}"'
                ' text-anchor="end" fill="{muted}" font-weight="bold">{value}</text></g>',
                tooltip=_tooltip(shown, label),
                swatch=swatch,
                label_x=PAD + SWATCH + 10,
                text_y=y + 15,
                label=shown,
                value_x=WIDTH - PAD,
                muted=MUTED,
                value=value,
            )
        )
    return lines


def pie_chart(
    slices: Sequence[Slice], *, title: str, description: str = "", chart_id: str | None = None
) -> SafeString:
    """A pie in the options' order, above a legend that names every option with its
    colour, count and percentage."""
    labels = [_clean(item.label) for item in slices]
    counts = [item.count for item in slices]
    desc = _describe(description, _text_alternative(labels, counts))
    dom_id = _chart_id("pie", chart_id, title, desc)
    parts = [_hatch_defs(dom_id)] if len(slices) > HATCHED_FROM else []
    parts += _slices(counts, dom_id, WIDTH / 2, PAD + PIE_RADIUS)
    legend_top = PAD + 2 * PIE_RADIUS + 24
    parts += _legend(labels, counts, dom_id, legend_top)
    legend_height = len(slices) * LEGEND_ROW - (LEGEND_ROW - SWATCH) if slices else 0
    height = legend_top + legend_height + PAD
    return _svg("pie", dom_id, title, desc, _join(parts), (0, 0, WIDTH, height))


# Word cloud ------------------------------------------------------------------------


def _font_size(count: int, largest: int) -> float:
    """Area grows with the count (size with its square root), never below legible."""
    return _round(max(CLOUD_MIN_FONT, CLOUD_MAX_FONT * math.sqrt(count / largest)))


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _place(
    text: str, count: int, font_size: float, placed: list[PlacedWord], theta: float = 0.0
) -> tuple[PlacedWord, float]:
    """The first free spot along an Archimedean spiral from the centre, and the angle it
    took to get there. The spiral is as fine as the word is small: big words take big
    steps. The collision test is inlined: this loop is the layout's whole cost."""
    width = _round(text_width(text, font_size))
    height = _round(font_size * CLOUD_LINE)
    half_w, half_h = width / 2 + CLOUD_GAP, height / 2 + CLOUD_GAP
    turn = max(CLOUD_TURN, height / 3) / (2 * math.pi)  # radius gained per radian
    step = max(CLOUD_STEP, height / 6)
    boxes = [word.box for word in placed]
    # Where the word's centre cannot go because of the box hit last: most tries hit it again,
    # and deep inside it the spiral can leap, by less than the distance to its edge.
    left = top = right = bottom = 0.0
    while True:
        radius = turn * theta
        x = radius * math.cos(theta) * CLOUD_STRETCH
        y = radius * math.sin(theta)
        if not (left < x < right and top < y < bottom):
            x, y = _round(x), _round(y)  # where it will be drawn
            box = (x - half_w, y - half_h, x + half_w, y + half_h)
            hit = next((other for other in boxes if _overlaps(box, other)), None)
            if hit is None:
                return PlacedWord(text, count, font_size, x, y, width, height), theta
            left, top = hit[0] - half_w, hit[1] - half_h
            right, bottom = hit[2] + half_w, hit[3] + half_h
        depth = min(x - left, right - x, y - top, bottom - y) / CLOUD_STRETCH
        if depth > step:  # the spiral moves less than its own length, stretched
            theta += depth / math.hypot(radius, turn)
        else:
            theta += step / radius if radius > 2 * step else 0.5


def _cloud_order(words: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Most frequent first, then alphabetically: the layout must not depend on input order."""
    cleaned = [(_clean(word), int(count)) for word, count in words]
    for word, count in cleaned:
        if count < 0:
            raise ValueError(f"A count cannot be negative: {word!r} {count}")
    return sorted(cleaned, key=lambda item: (-item[1], item[0].casefold(), item[0]))


def place_words(words: Sequence[tuple[str, int]]) -> tuple[PlacedWord, ...]:
    """The cloud's layout, centred on (0, 0): the CLOUD_WORDS most frequent words with a
    count, biggest first and nearest the centre, no two boxes overlapping."""
    drawn = [
        (_truncate(word, math.inf, max_chars=CLOUD_CHARS), count)
        for word, count in _cloud_order(words)
    ]
    return _layout(tuple((word, count) for word, count in drawn if count and word)[:CLOUD_WORDS])


@lru_cache(maxsize=64)
def _layout(words: tuple[tuple[str, int], ...]) -> tuple[PlacedWord, ...]:
    """Cached: a live cloud is redrawn at every answer, mostly with the same words."""
    largest = max((count for _, count in words), default=1)
    placed: list[PlacedWord] = []
    # Per font size, how far along the spiral each word went. A word at least as wide
    # is blocked wherever that one was: it need not look there again.
    reached: dict[float, list[tuple[float, float]]] = {}
    for text, count in words:
        font_size = _font_size(count, largest)
        width = text_width(text, font_size)
        start = max((t for w, t in reached.get(font_size, ()) if w <= width), default=0.0)
        word, theta = _place(text, count, font_size, placed, start)
        placed.append(word)
        reached.setdefault(font_size, []).append((width, theta))
    return tuple(placed)


def word_cloud(
    words: Sequence[tuple[str, int]],
    *,
    title: str,
    description: str = "",
    chart_id: str | None = None,
    total: int | None = None,
) -> SafeString:
    """Words sized by how often they were given, horizontal, packed around the centre.
    The desc lists every word, also those beyond the CLOUD_WORDS drawn."""
    ordered = _cloud_order(words)
    desc = _describe(
        description,
        _text_alternative([w for w, _ in ordered], [c for _, c in ordered], total),
    )
    dom_id = _chart_id("cloud", chart_id, title, desc)
    placed = place_words(ordered)
    if not placed:
        return _svg("cloud", dom_id, title, desc, SafeString(""), (0, 0, WIDTH, 2 * PAD))
    # Around the words, but never narrower than the other charts: a cloud of three words
    # must not fill a projector with letters a hand high.
    half_width = max(max(abs(word.box[i]) for word in placed for i in (0, 2)) + PAD, WIDTH / 2)
    half_height = max(max(abs(word.box[i]) for word in placed for i in (1, 3)) + PAD, WIDTH / 6)
    texts = [
        format_html(
            '<text x="{x}" y="{y}" font-size="{size}" textLength="{width}"'
            ' lengthAdjust="spacingAndGlyphs" text-anchor="middle" font-weight="bold"'
            ' fill="{color}">{text}</text>',
            # The baseline sits a third of the font size below the box's middle.
            x=_num(word.x),
            y=_num(word.y + word.font_size * 0.33),
            size=_num(word.font_size),
            width=_num(word.width),
            color=TEXT_PALETTE[index % len(TEXT_PALETTE)],
            text=word.text,
        )
        for index, word in enumerate(placed)
    ]
    box = (-half_width, -half_height, 2 * half_width, 2 * half_height)
    return _svg("cloud", dom_id, title, desc, _join(texts), box)
