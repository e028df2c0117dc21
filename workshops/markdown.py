"""The small Markdown of conclusions (written by services/conclusions.to_markdown) as HTML.

Only what the editor produces: headings, bullet and numbered lists, bold, italics and
paragraphs. Text is escaped before any tag is added, so nothing a person typed becomes HTML.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

HEADING = re.compile(r"^(#{1,6}) (.*)$")
BULLET = re.compile(r"^- (.*)$")
NUMBERED = re.compile(r"^\d+\. (.*)$")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"(?<![\w*])_(.+?)_(?![\w*])")


def _inline(text: str) -> str:
    text = BOLD.sub(r"<strong>\1</strong>", escape(text))
    return ITALIC.sub(r"<em>\1</em>", text)


def _block(block: str) -> str:
    lines = block.split("\n")
    if all(BULLET.match(line) for line in lines):
        items = "".join(f"<li>{_inline(BULLET.match(line)[1])}</li>" for line in lines)
        return f"<ul>{items}</ul>"
    if all(NUMBERED.match(line) for line in lines):
        items = "".join(f"<li>{_inline(NUMBERED.match(line)[1])}</li>" for line in lines)
        return f"<ol>{items}</ol>"
    heading = HEADING.match(block)
    if heading and len(lines) == 1:
        # A conclusion sits under its group's heading: its own start one level lower.
        level = min(len(heading[1]) + 2, 6)
        return f"<h{level}>{_inline(heading[2])}</h{level}>"
    return "<p>" + "<br>".join(_inline(line) for line in lines) + "</p>"


def to_html(markdown: str) -> SafeString:
    blocks = [block.strip("\n") for block in markdown.split("\n\n") if block.strip()]
    return mark_safe("".join(_block(block) for block in blocks))  # noqa: S308 (escaped above)
