"""The minutes as Markdown (CommonMark with GitHub's tables), to paste into a website.

Everything people wrote is escaped: a post-it reading `<script>`, `[link](javascript:…)`,
`**bold**` or `# title` shows those characters and makes no tag, link, emphasis or
heading in any CommonMark renderer. Charts have no Markdown form: their figures are in the
table that follows each of them.
"""

import re
from urllib.parse import quote

from django.utils.translation import gettext as _

from workshops.minutes.document import (
    Block,
    Document,
    Inline,
    Item,
    Items,
    Run,
    Table,
)

# Characters with a meaning inside a line (emphasis, code, links and images, HTML, tables,
# strikethrough, headings' closing #); a backslash before ASCII punctuation makes it literal.
INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
# "&amp;" or "&#60;" would be read as the character they name.
ENTITY = re.compile(r"&(?=#?\w+;)")
BREAKS = re.compile(r"[ \t\r\n\f\v]+")
# What opens a block at the start of a line: lists, headings, quotes, setext underlines.
LINE_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")


def escape(text: str, *, start: bool = True) -> str:
    """Literal text on one line: special characters escaped, line breaks become spaces
    (a space at either end is kept: runs of a line are joined as they are). `start`: the
    text may begin a line (a paragraph, a list item), where "1." or "-" would open a list;
    not in headings and table cells."""
    # Only line breaks and tabs are folded: non-breaking spaces are French typography.
    text = BREAKS.sub(" ", text)
    text = ENTITY.sub(r"\\&", INLINE_SPECIAL.sub(r"\\\1", text))
    if not start:
        return text
    return LINE_START.sub(lambda m: m[1] + _escaped_start(m[2]), text)


def _escaped_start(marker: str) -> str:
    # "1." becomes "1\.": the digits stay, the dot is literal.
    return marker + "\\" if marker.isdigit() else "\\" + marker


def inline(content: Inline, *, start: bool = True) -> str:
    """A line of runs; only the first may begin the line."""
    return "".join(_run(run, start=start and index == 0) for index, run in enumerate(content))


def _run(run: Run, *, start: bool) -> str:
    text = escape(run.text, start=start)
    if not text.strip():
        return text
    # Emphasis must touch its text: spaces go outside the markers.
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    core = text.strip()
    if run.italic:
        core = f"*{core}*"
    if run.bold:
        core = f"**{core}**"
    if run.url:
        core = f"[{core}]({quote(run.url, safe=':/?#[]@!$&*+,;=%~')})"
    return f"{lead}{core}{trail}"


def label(text: str) -> str:
    return _("%(label)s:") % {"label": text}


def render(document: Document) -> str:
    lines = [f"# {escape(document.title, start=False)}", ""]
    if document.subtitle:
        lines += [escape(document.subtitle), ""]
    for section in document.sections:
        lines += [f"## {escape(section.title, start=False)}", ""]
        for block in section.blocks:
            lines += render_block(block)
            lines.append("")
    lines.append(f"*{escape(document.generated_at)}*")
    return "\n".join(lines).rstrip() + "\n"


def render_block(block: Block) -> list[str]:
    kind = block.kind
    if kind == "heading":
        return ["#" * min(block.level, 6) + " " + escape(block.text, start=False)]
    if kind == "paragraph":
        text = inline(block.content)
        return [f"*{text}*" if block.muted and text else text]
    if kind == "facts":
        return [
            f"- **{escape(label(name))}** {inline(value, start=False)}"
            for name, value in block.items
        ]
    if kind == "table":
        return render_table(block)
    if kind == "items":
        return render_items(block)
    if kind == "chart":
        return []  # its table follows
    if kind == "quote":
        quoted: list[str] = []
        for inner in block.blocks:
            quoted += [*render_block(inner), ""]
        return [f"> {line}".rstrip() for line in quoted[:-1]]
    raise ValueError(f"unknown block {kind!r}")


def render_table(table: Table) -> list[str]:
    def row(cells) -> str:
        return "| " + " | ".join(escape(cell, start=False) or " " for cell in cells) + " |"

    rule = "|" + "|".join(
        "---:" if index in table.numeric else "---" for index in range(len(table.headers))
    )
    return [f"**{escape(table.caption)}**", "", row(table.headers), rule + "|"] + [
        row(cells) for cells in table.rows
    ]


def render_items(block: Items, depth: int = 0) -> list[str]:
    lines = []
    for number, item in enumerate(block.items, start=1):
        marker = f"{number}." if block.numbered else "-"
        lines += _item(item, marker, depth)
    return lines


def _item(item: Item, marker: str, depth: int) -> list[str]:
    indent = "  " * depth
    lines = [f"{indent}{marker} {inline(item.content)}"]
    for child in item.children:
        lines += _item(child, "-", depth + 1)
    return lines
