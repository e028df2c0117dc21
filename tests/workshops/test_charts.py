"""Poll charts: accessible, escaped, proportional, deterministic SVG. No database needed."""

import itertools
import math
import random
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from workshops import charts
from workshops.charts import Slice, bar_chart, pie_chart, place_words, word_cloud

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "</text><script>alert(1)</script>"
VOTES = [Slice("Oui", 12), Slice("Non", 8)]
WORDS = [("écoute", 9), ("confiance", 4), ("budget", 4), ("vélo", 1)]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own markup, not untrusted input)


def elements(root: ET.Element, tag: str, css_class: str | None = None) -> list[ET.Element]:
    found = root.iter(SVG + tag)
    return [el for el in found if css_class is None or el.get("class") == css_class]


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in elements(root, "text")]


def desc_of(root: ET.Element) -> str:
    return root.find(SVG + "desc").text or ""


CHARTS = {
    "bar": lambda **kw: bar_chart(VOTES, **kw),
    "pie": lambda **kw: pie_chart(VOTES, **kw),
    "cloud": lambda **kw: word_cloud([("Oui", 12), ("Non", 8)], **kw),
}


@pytest.mark.parametrize("kind", CHARTS)
def test_a_chart_is_one_labelled_image_that_scales(kind):
    svg = CHARTS[kind](title="Un budget ?", description="Sondage de 10 h.")

    root = parse(svg)

    assert isinstance(svg, SafeString)
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert re.fullmatch(r"-?[\d.]+ -?[\d.]+ [\d.]+ [\d.]+", root.get("viewBox"))
    assert root.get("preserveAspectRatio") == "xMidYMid meet"
    assert root.get("font-family") == "system-ui, sans-serif"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(SVG + "title").get("id") == title_id
    assert root.find(SVG + "title").text == "Un budget ?"
    assert root.find(SVG + "desc").get("id") == desc_id
    assert desc_of(root) == "Sondage de 10 h. Oui: 12 (60%); Non: 8 (40%)"


@pytest.mark.parametrize("kind", CHARTS)
def test_ids_follow_the_content_and_the_callers_chart_id(kind):
    def dom_id(**kw) -> str:
        return parse(CHARTS[kind](**kw)).find(SVG + "title").get("id")

    assert dom_id(title="A") == dom_id(title="A")
    assert dom_id(title="A") != dom_id(title="B")
    assert dom_id(title="A", chart_id="console") != dom_id(title="A", chart_id="projector")
    assert re.fullmatch(r"chart-[0-9a-f]{10}-title", dom_id(title="A"))


def test_the_bar_lengths_are_proportional_to_the_counts():
    counts = [12, 8, 3, 0, 6]
    root = parse(bar_chart([Slice(f"Option {n}", c) for n, c in enumerate(counts)], title="T"))

    widths = [float(rect.get("width")) for rect in elements(root, "rect", "chart-bar")]

    assert len(widths) == len(counts)
    assert widths[0] == charts.WIDTH - 2 * charts.PAD - charts.VALUE_ROOM  # the longest
    for width, count in zip(widths, counts, strict=True):
        assert width == pytest.approx(widths[0] * count / max(counts), abs=0.01)
    values = [el.text for el in elements(root, "text", "chart-value")]
    assert values == ["12 (41%)", "8 (28%)", "3 (10%)", "0 (0%)", "6 (21%)"]


def test_no_answer_yet_gives_empty_bars_and_no_slice():
    slices = [Slice("Oui", 0), Slice("Non", 0)]

    bars = parse(bar_chart(slices, title="T"))
    pie = parse(pie_chart(slices, title="T"))

    assert [rect.get("width") for rect in elements(bars, "rect", "chart-bar")] == ["0", "0"]
    assert elements(pie, "path", "chart-slice") + elements(pie, "circle", "chart-slice") == []
    assert len(elements(pie, "g", "chart-legend")) == 2
    assert "Oui: 0 (0%); Non: 0 (0%)" in desc_of(pie)


@pytest.mark.parametrize("chart", [bar_chart, pie_chart])
def test_no_option_at_all_still_gives_a_titled_image(chart):
    root = parse(chart([], title="Rien", description="Pas encore d'options."))

    assert root.find(SVG + "title").text == "Rien"
    assert desc_of(root) == "Pas encore d'options."
    assert elements(root, "text") == []


def test_twenty_long_options_are_cut_in_the_drawing_and_whole_in_the_desc():
    long = "Réaménager la place du marché avec des arbres, des bancs et des fontaines"
    slices = [Slice(f"{n} {long}", n) for n in range(20)]

    root = parse(bar_chart(slices, title="T"))

    labels = [el.text for el in elements(root, "text") if el.get("class") != "chart-value"]
    assert len(labels) == 20
    assert all(label.endswith("…") and len(label) <= 41 for label in labels)
    assert all(f"{n} {long}: {n} (" in desc_of(root) for n in range(20))
    height = float(root.get("viewBox").split()[3])
    bottoms = [float(r.get("y")) + float(r.get("height")) for r in elements(root, "rect")[1:]]
    assert max(bottoms) < height


def wedge_turns(path: str, cx: float, cy: float) -> float:
    """The fraction of a turn a slice's path sweeps clockwise, checking that each arc's
    flags draw the arc between its ends that the slice means."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    assert numbers[:2] == [cx, cy]
    arcs = [numbers[i : i + 7] for i in range(4, len(numbers), 7)]
    points = [(numbers[2], numbers[3])] + [(arc[5], arc[6]) for arc in arcs]
    angles = [math.atan2(x - cx, cy - y) for x, y in points]  # clockwise from 12 o'clock
    turns = 0.0
    for arc, (a, b) in zip(arcs, itertools.pairwise(angles), strict=True):
        sweep = (b - a) % (2 * math.pi)
        assert arc[4] == 1  # clockwise
        assert arc[3] == (1 if sweep > math.pi else 0)  # large-arc flag
        turns += sweep / (2 * math.pi)
    return turns


def test_pie_slices_sweep_their_share_of_the_turn():
    counts = [12, 5, 0, 1, 30]
    root = parse(pie_chart([Slice(f"O{n}", c) for n, c in enumerate(counts)], title="T"))
    cx, cy = (float(v) for v in re.findall(r"M (\S+) (\S+)", elements(root, "path")[0].get("d"))[0])

    sweeps = [wedge_turns(p.get("d"), cx, cy) for p in elements(root, "path", "chart-slice")]

    assert sweeps == pytest.approx([c / sum(counts) for c in counts if c], abs=0.001)
    assert sum(sweeps) == pytest.approx(1, abs=0.001)
    legend = [el.text for el in elements(root, "text", "chart-value")]
    assert len(legend) == len(counts)
    assert legend[2] == "0 (0%)"
    percents = [int(re.search(r"\((\d+)%\)", value).group(1)) for value in legend]
    assert abs(sum(percents) - 100) <= 1


def test_an_only_answered_option_is_a_full_circle():
    root = parse(pie_chart([Slice("Oui", 5), Slice("Non", 0)], title="T"))

    assert elements(root, "path", "chart-slice") == []
    [circle] = elements(root, "circle", "chart-slice")
    assert float(circle.get("r")) > 0
    assert [el.text for el in elements(root, "text", "chart-value")] == ["5 (100%)", "0 (0%)"]


def test_a_slice_of_almost_the_whole_pie_is_not_lost():
    root = parse(pie_chart([Slice("Oui", 9999), Slice("Non", 1)], title="T"))
    cx, cy = (float(v) for v in re.findall(r"M (\S+) (\S+)", elements(root, "path")[0].get("d"))[0])

    big, small = [wedge_turns(p.get("d"), cx, cy) for p in elements(root, "path", "chart-slice")]

    assert big == pytest.approx(0.9999, abs=0.0002)
    assert small == pytest.approx(0.0001, abs=0.0002)


def test_colours_repeat_after_eight_options_but_hatched():
    root = parse(pie_chart([Slice(f"O{n}", 1) for n in range(10)], title="T", chart_id="x"))

    [pattern] = elements(root, "pattern")
    hatched = [el for el in root.iter() if el.get("fill") == f"url(#{pattern.get('id')})"]

    assert len(hatched) == 2 * 2  # the ninth and tenth options: slice and swatch
    assert elements(parse(pie_chart(VOTES, title="T")), "pattern") == []


def test_percentages_round_half_up_and_equal_counts_look_equal():
    assert charts.percentages([1, 1, 1]) == [33, 33, 33]
    assert charts.percentages([1, 7]) == [13, 88]
    assert charts.percentages([3, 1]) == [75, 25]
    assert charts.percentages([0, 0]) == [0, 0]


def test_numbers_follow_the_language():
    slices = [Slice("Oui", 1234), Slice("Non", 766)]

    with translation.override("fr"):
        french = desc_of(parse(bar_chart(slices, title="T")))
    english = desc_of(parse(bar_chart(slices, title="T")))

    assert french == "Oui: 1\xa0234 (62\xa0%); Non: 766 (38\xa0%)"
    assert english == "Oui: 1,234 (62%); Non: 766 (38%)"


@pytest.mark.parametrize(
    "render",
    [
        lambda label: bar_chart([Slice(label, 1)], title=label, description=label),
        lambda label: pie_chart([Slice(label, 1)], title=label, description=label),
        lambda label: word_cloud([(label, 1)], title=label, description=label),
    ],
)
@pytest.mark.parametrize("label", [HOSTILE, f"{HOSTILE} {HOSTILE}"])  # short, then cut
def test_user_text_is_escaped_everywhere(render, label):
    svg = render(label)

    root = parse(svg)

    assert "<script" not in svg
    assert "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert elements(root, "script") == []
    assert {title.text for title in elements(root, "title")} == {label}  # tooltips too
    assert desc_of(root).startswith(label)
    assert any(HOSTILE[:20] in text for text in texts(root))


def test_control_characters_do_not_break_the_xml():
    svg = bar_chart([Slice("a\x00b\x1bc\nd", 1)], title="t\x07")

    assert desc_of(parse(svg)) == "abc d: 1 (100%)"


def test_counts_cannot_be_negative():
    with pytest.raises(ValueError):
        Slice("Oui", -1)
    with pytest.raises(ValueError):
        word_cloud([("oui", -1)], title="T")


def overlapping(placed) -> list:
    return [
        (a.text, b.text)
        for i, a in enumerate(placed)
        for b in placed[i + 1 :]
        if a.box[0] < b.box[2]
        and b.box[0] < a.box[2]
        and a.box[1] < b.box[3]
        and b.box[1] < a.box[3]
    ]


def random_words(seed: int, n: int) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyzéèWM"
    words = {
        "".join(rng.choices(letters, k=rng.randint(2, 16))): rng.randint(1, 50) for _ in range(n)
    }
    return list(words.items())


@pytest.mark.parametrize(
    "words",
    [
        WORDS,
        random_words(1, 80),
        random_words(2, 60),
        [(f"mot{n}", 5) for n in range(60)],
        [("x" * 45 + str(n), 1 + n % 3) for n in range(30)],
    ],
)
def test_no_two_words_of_the_cloud_overlap(words):
    charts._layout.cache_clear()

    placed = place_words(words)

    assert len(placed) == min(len(words), charts.CLOUD_WORDS)
    assert overlapping(placed) == []
    assert all(w.width > 0 and w.height >= w.font_size for w in placed)


def test_the_drawn_words_are_the_laid_out_ones():
    words = random_words(3, 40)
    placed = place_words(words)
    root = parse(word_cloud(words, title="T"))
    left, top, width, height = (float(v) for v in root.get("viewBox").split())

    drawn = elements(root, "text")

    assert [el.text for el in drawn] == [w.text for w in placed]
    assert [float(el.get("x")) for el in drawn] == [w.x for w in placed]
    assert [float(el.get("textLength")) for el in drawn] == [w.width for w in placed]
    for word in placed:
        assert left <= word.box[0] and word.box[2] <= left + width
        assert top <= word.box[1] and word.box[3] <= top + height


def test_the_most_frequent_word_is_the_biggest():
    words = [("rare", 1), ("souvent", 40), ("parfois", 10), ("jamais", 0)]

    placed = place_words(words)

    sizes = {w.text: w.font_size for w in placed}
    assert max(sizes, key=sizes.get) == "souvent"
    assert sizes["souvent"] == charts.CLOUD_MAX_FONT
    assert sizes["rare"] == charts.CLOUD_MIN_FONT
    assert sizes["souvent"] > sizes["parfois"] > sizes["rare"]
    assert "jamais" not in sizes  # nobody said it: listed, not drawn
    assert "jamais: 0 (0%)" in desc_of(parse(word_cloud(words, title="T")))


def test_words_beyond_sixty_are_listed_but_not_drawn():
    words = [(f"mot{n:02}", 100 - n) for n in range(70)]

    root = parse(word_cloud(words, title="T"))

    assert len(elements(root, "text")) == 60
    assert "mot69: 31 (" in desc_of(root)
    assert "mot69" not in texts(root)


@pytest.mark.parametrize(
    "render",
    [
        lambda data: bar_chart([Slice(w, c) for w, c in data], title="T"),
        lambda data: pie_chart([Slice(w, c) for w, c in data], title="T"),
        lambda data: word_cloud(data, title="T"),
    ],
)
def test_the_same_input_gives_the_same_bytes(render):
    data = random_words(4, 20)

    first = render(data)
    charts._layout.cache_clear()

    assert render(list(data)) == first


def test_the_cloud_does_not_depend_on_the_order_of_the_words():
    words = random_words(5, 30)
    shuffled = words[:]
    random.Random(0).shuffle(shuffled)

    assert word_cloud(shuffled, title="T") == word_cloud(words, title="T")


def contrast_on_white(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_text_colours_pass_wcag_aa_on_the_white_background():
    text_colours = {charts.INK, charts.MUTED, *charts.TEXT_PALETTE}
    root = parse(word_cloud(WORDS, title="T"))

    assert all(contrast_on_white(colour) >= 4.5 for colour in text_colours)
    assert {el.get("fill") for el in elements(root, "text")} <= text_colours
    assert elements(root, "rect")[0].get("fill") == charts.BACKGROUND == "#FFFFFF"
    assert len(set(charts.PALETTE)) == 8


# A 360 px phone: main's padding (2 × 16 px), the card's border (2 × 1) and padding (2 × 16).
PHONE_CHART_PX = 360 - 2 * 16 - 2 - 2 * 16


@pytest.mark.parametrize(
    "svg",
    [
        bar_chart([Slice("Plus de bancs à l'ombre", 7), Slice("Non", 3)], title="Bancs ?"),
        pie_chart([Slice(f"Option {n}", n) for n in range(1, 6)], title="Options ?"),
        word_cloud(WORDS, title="Un mot ?"),
    ],
    ids=["bar", "pie", "cloud"],
)
def test_every_label_is_at_least_14_px_on_a_360_px_phone(svg):
    root = parse(svg)
    view_width = float(root.get("viewBox").split()[2])
    scale = PHONE_CHART_PX / view_width
    for text in elements(root, "text"):
        size = float(text.get("font-size") or root.get("font-size"))
        assert size * scale >= 14, ("".join(text.itertext()), size * scale)
