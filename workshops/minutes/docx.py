"""The minutes as a Word document (python-docx), from the same blocks as every format.

Text goes in as literal runs: nothing a person wrote becomes a field, a link or a style.
Charts are drawn as PNG images (cairosvg, through Debian's libcairo2) with their title as
alternative text; their figures are in the table that follows each of them.
"""

import io
import re

from django.utils.translation import gettext as _
from docx import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from workshops.minutes.document import Block, Document, Inline, Item, Items, Table

MUTED = RGBColor(0x4E, 0x56, 0x61)
LINK = RGBColor(0x00, 0x60, 0xA0)
CHART_WIDTH = Cm(13)
CHART_PIXELS = 1100  # wide enough to print sharply at CHART_WIDTH
# XML 1.0 has no place for most control characters: python-docx would refuse the text.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
LANGUAGES = {"fr": "fr-FR", "en": "en-GB", "it": "it-IT"}


def clean(text: str) -> str:
    return NOT_XML.sub("", text)


class Word:
    """python-docx's document with a fast way to append paragraphs: its own looks a style
    up by name in the styles part every time, which costs seconds for 2,000 post-its."""

    def __init__(self) -> None:
        self.document = WordDocument()
        self._styles: dict[str, str] = {}
        self._end = self.document.element.body.sectPr  # paragraphs go before it

    def __getattr__(self, name: str):
        return getattr(self.document, name)

    def add_paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        element = OxmlElement("w:p")
        if style:
            if style not in self._styles:
                self._styles[style] = self.document.styles[style].style_id
            element.style = self._styles[style]
        self._end.addprevious(element)
        paragraph = Paragraph(element, self.document._body)
        if text:
            paragraph.add_run(text)
        return paragraph

    def add_heading(self, text: str, level: int) -> Paragraph:
        return self.add_paragraph(text, style="Title" if level == 0 else f"Heading {level}")


def render(document: Document) -> bytes:
    word = Word()
    setup(word, document)
    word.add_heading(clean(document.title), 0)
    if document.subtitle:
        word.add_paragraph(clean(document.subtitle), style="Subtitle")
    for section in document.sections:
        word.add_heading(clean(section.title), 1)
        for block in section.blocks:
            add_block(word, block)
    footer = word.add_paragraph()
    muted(footer.add_run(clean(document.generated_at)))
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def setup(word, document: Document) -> None:
    """Title, language (spelling and hyphenation in Word) and a readable base font."""
    properties = word.core_properties
    properties.title = clean(document.title)
    properties.author = "Atelier"
    properties.language = LANGUAGES.get(document.language, document.language)
    normal = word.styles["Normal"]
    normal.font.size = Pt(10.5)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), properties.language)
    normal.element.get_or_add_rPr().append(language)
    for section in word.sections:
        section.left_margin = section.right_margin = Cm(2)


def add_block(word, block: Block, *, quoted: bool = False) -> None:
    kind = block.kind
    if kind == "heading":
        word.add_heading(clean(block.text), min(block.level - 1, 9))
    elif kind == "paragraph":
        paragraph = word.add_paragraph(style="Quote" if quoted else None)
        add_runs(paragraph, block.content, muted_text=block.muted)
    elif kind == "facts":
        for name, value in block.items:
            paragraph = word.add_paragraph()
            paragraph.add_run(clean(_("%(label)s:") % {"label": name}) + " ").bold = True
            add_runs(paragraph, value)
    elif kind == "table":
        add_table(word, block)
    elif kind == "items":
        add_items(word, block)
    elif kind == "chart":
        add_chart(word, block.svg, block.title)
    elif kind == "quote":
        for inner in block.blocks:
            add_block(word, inner, quoted=True)
    else:
        raise ValueError(f"unknown block {kind!r}")


def add_runs(paragraph, content: Inline, *, muted_text: bool = False) -> None:
    for run in content:
        if run.url:
            add_link(paragraph, run.text, run.url)
            continue
        added = paragraph.add_run(clean(run.text))
        added.bold = run.bold or None
        added.italic = run.italic or None
        if muted_text:
            muted(added)


def muted(run) -> None:
    run.italic = True
    run.font.color.rgb = MUTED


def add_link(paragraph, text: str, url: str) -> None:
    """A hyperlink run (python-docx has no API for it): an external relationship, then a
    w:hyperlink around a blue, underlined run."""
    part = paragraph.part
    relationship = part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relationship)
    run = paragraph.add_run(clean(text))
    run.font.color.rgb = LINK
    run.font.underline = True
    link.append(run._r)
    paragraph._p.append(link)


def add_table(word, table: Table) -> None:
    caption = word.add_paragraph(clean(table.caption), style="Caption")
    caption.paragraph_format.keep_with_next = True
    grid = word.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    grid.style = "Light Grid Accent 1"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    rows = grid.rows
    repeat_header(rows[0])
    for row, cells in zip(rows, [table.headers, *table.rows], strict=True):
        for index, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            paragraph = cell.paragraphs[0]
            paragraph.add_run(clean(text))
            if index in table.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def repeat_header(row) -> None:
    """The header row comes back at the top of each page the table runs onto."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def add_items(word, block: Items, depth: int = 0) -> None:
    base = "List Number" if block.numbered and depth == 0 else "List Bullet"
    style = base if depth == 0 else f"{base} {min(depth + 1, 3)}"
    for item in block.items:
        add_item(word, item, style, depth)


def add_item(word, item: Item, style: str, depth: int) -> None:
    paragraph = word.add_paragraph(style=style)
    paragraph.paragraph_format.space_after = Pt(2)
    add_runs(paragraph, item.content)
    if item.children:
        add_items(word, Items(item.children), depth + 1)


def add_chart(word, svg: str, title: str) -> None:
    import cairosvg  # imported here: it loads cairo, only the worker needs it

    png = cairosvg.svg2png(bytestring=str(svg).encode(), output_width=CHART_PIXELS)
    picture = word.add_paragraph()
    picture.add_run().add_picture(io.BytesIO(png), width=CHART_WIDTH)
    picture.paragraph_format.keep_with_next = True
    # Alternative text for screen readers: the drawing's docPr "descr".
    for properties in picture._p.iter(qn("wp:docPr")):
        properties.set("descr", clean(title))
        properties.set("title", clean(title))
