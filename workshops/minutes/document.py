"""The minutes as a list of sections made of a few kinds of blocks.

Every format (Markdown, HTML and so PDF, DOCX) walks the same blocks, so the formats
cannot disagree on content; each renderer only decides how a block looks. Text in blocks
is plain text, whoever wrote it: a renderer escapes it for its format (HTML, Markdown), or
writes it as literal text (DOCX). Emphasis and links are runs, never markup in strings.
"""

from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import urlsplit

from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Run:
    """A piece of a line: plain text, maybe bold or italic, maybe a link (http or https)."""

    text: str
    bold: bool = False
    italic: bool = False
    url: str = ""

    def __post_init__(self) -> None:
        if self.url and urlsplit(self.url).scheme not in ("http", "https"):
            raise ValueError(f"Only http and https links go into minutes: {self.url!r}")


Inline = tuple[Run, ...]


def runs(*parts: "str | Run") -> Inline:
    """A line from strings and runs: `runs("Votes: ", Run("12", bold=True))`."""
    return tuple(part if isinstance(part, Run) else Run(part) for part in parts if part)


@dataclass(frozen=True)
class Heading:
    """A heading inside a section (the section's own title is level 2)."""

    kind: ClassVar[str] = "heading"
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    content: Inline
    muted: bool = False  # a remark, printed smaller and grey


@dataclass(frozen=True)
class Facts:
    """Labelled values: date, place, facilitators…"""

    kind: ClassVar[str] = "facts"
    items: tuple[tuple[str, Inline], ...]


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Columns of numbers: aligned right.
    numeric: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Items:
    """A bulleted (or numbered) list; each item may carry sub-items."""

    kind: ClassVar[str] = "items"
    items: tuple["Item", ...]
    numbered: bool = False


@dataclass(frozen=True)
class Item:
    content: Inline
    children: tuple["Item", ...] = ()


@dataclass(frozen=True)
class Chart:
    """A poll's chart: the server's SVG (HTML, PDF) drawn as an image in DOCX. Its figures
    are always in a Table next to it, so the Markdown, which has no image, loses nothing."""

    kind: ClassVar[str] = "chart"
    svg: SafeString
    title: str


@dataclass(frozen=True)
class Quote:
    """Text as a group wrote it (a conclusion): its own headings, lists and emphasis,
    set apart from the minutes' own text."""

    kind: ClassVar[str] = "quote"
    blocks: tuple["Block", ...]


Block = Heading | Paragraph | Facts | Table | Items | Chart | Quote


@dataclass
class Section:
    """One part of the minutes, with a stable key (its anchor in HTML)."""

    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> "Section":
        self.blocks.extend(blocks)
        return self


@dataclass
class Document:
    title: str
    subtitle: str
    language: str
    generated_at: str  # already formatted in the document's language
    sections: list[Section]
