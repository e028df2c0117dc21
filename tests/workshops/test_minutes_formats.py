"""Every export opens in a real reader, and nothing people typed becomes code in any of them.

PDF: pypdf extracts its text. DOCX: python-docx re-opens it. Markdown: markdown-it (the
CommonMark reference's port) renders it. HTML: the standard library parses it. CSV: the csv
module reads it. JSON: jsonschema validates it against docs/open-data.schema.json.
"""

import csv
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import jsonschema
import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from tests.support.story import play
from workshops.minutes import opendata
from workshops.minutes.document import Document, Paragraph, Section, Table, runs
from workshops.minutes.render import (
    build_document,
    minutes_data,
    to_docx,
    to_html,
    to_markdown,
    to_pdf,
)
from workshops.models import Workshop

pytestmark = pytest.mark.postgres

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "open-data.schema.json").read_text()
)
# What people might type, on purpose or not: HTML, links, Markdown, spreadsheet formulas.
SCRIPT = "<script>alert('xss')</script>"
IMAGE = '<img src=x onerror="alert(1)">'
LINK = "[cliquez ici](javascript:alert(1))"
FORMULA = '=HYPERLINK("http://evil.example","cliquez")'
CORPUS = {
    "benches": f"Des bancs {SCRIPT}",
    "lights": f"{FORMULA}",
    "table": "<b>Table</b> & **gras**",
    "question": f"{IMAGE} Venez-vous ?",
    "option": "@SUM(1+1)",
    "cluster": "# Titre [x](http://evil.example)",
    "conclusion": f"## {SCRIPT}\n\n- {LINK}\n- +33 6 12 34 56 78\n\n<iframe src=x></iframe>",
    "notes": f"-2+3 {IMAGE}",
}
TYPED = [SCRIPT, IMAGE, "=HYPERLINK(", "**gras**", "<iframe src=x></iframe>", "@SUM(1+1)"]


@pytest.fixture
def story(workshop, organizer, facilitator):
    return play(workshop, organizer, texts=CORPUS)


@pytest.fixture
def document(story):
    return build_document(minutes_data(story.workshop, named=True))


class Elements(HTMLParser):
    """Every element and attribute of a page, to look for anything active."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def assert_nothing_active(page: Elements) -> None:
    names = {tag for tag, _attrs in page.tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "form"}, names
    for tag, attrs in page.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert "javascript:" not in attrs.get("href", ""), (tag, attrs)
    assert not [attrs for tag, attrs in page.tags if tag == "a" and "evil" in attrs["href"]]


def test_the_html_is_a_page_where_typed_markup_is_text(document):
    html = to_html(document)
    page = elements(html)
    assert_nothing_active(page)
    text = "".join(page.text)
    for typed in TYPED:
        assert typed in text, typed
    assert "<svg" in html  # the poll's chart, drawn by the server


def test_the_markdown_renders_typed_markup_as_text(document):
    markdown = to_markdown(document)
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    page = elements(html)
    assert_nothing_active(page)
    text = "".join(page.text)
    for typed in TYPED:
        assert typed in text, typed
    # Nothing typed became a heading or emphasis: headings are the minutes' own.
    headings = [tag for tag, _ in page.tags if tag in ("h1", "h2")]
    assert len(headings) == 1 + len(document.sections)
    assert "<strong>gras</strong>" not in html


def test_the_pdf_opens_and_its_text_is_the_minutes(document):
    pdf = to_pdf(to_html(document))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for expected in (
        "Réaménager le parc Jean-Moulin",
        "Déroulé et horaires",
        "Planter des arbres — 3 gommettes",
        SCRIPT,
        "=HYPERLINK(",
        "-2+3",
    ):
        assert expected in text, expected
    assert reader.metadata.title == "Réaménager le parc Jean-Moulin"


def test_the_docx_reopens_with_its_tables_and_chart(document):
    content = to_docx(document)
    word = docx.Document(io.BytesIO(content))
    headers = [[cell.text for cell in table.rows[0].cells] for table in word.tables]
    assert ["Étape", "Format", "Prévu", "Début", "Fin", "Réel", "Remarques"] in headers
    assert ["Lieu", "En salle", "À distance", "Tablettes", "Scribes", "Personnes"] in headers
    agenda = next(t for t in word.tables if t.rows[0].cells[0].text == "Étape")
    assert len(agenda.rows) == 1 + 6
    assert len(word.inline_shapes) == 1  # the single-choice poll's chart, as an image
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    text = "\n".join([p.text for p in word.paragraphs] + cells)
    for typed in TYPED:
        assert typed in text, typed
    # People's text is text: no field, hyperlink or embedded object came from it.
    archive = zipfile.ZipFile(io.BytesIO(content))
    body = archive.read("word/document.xml").decode()
    assert "w:hyperlink" not in body and "w:fldSimple" not in body and "w:instrText" not in body
    assert "oleObject" not in body
    assert word.core_properties.language == "fr-FR"


def test_the_json_validates_against_the_documented_schema(story):
    data = opendata.open_data(story.workshop, now=story.workshop.closed_at)
    raw = opendata.to_json(data)
    jsonschema.validate(
        json.loads(raw), SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    # Text is data here: exactly as typed.
    assert {p["text"] for p in data["postits"]} >= {CORPUS["benches"], CORPUS["lights"]}


def test_open_data_has_pseudonyms_and_no_names_nor_emails(story):
    data = opendata.open_data(story.workshop, now=story.workshop.closed_at)
    raw = opendata.to_json(data).decode()
    for personal in ("Alice Martin", "Bob Durand", "Chloé Petit", "Sam Scribe", "Jeanne"):
        assert personal not in raw
    assert "example.org" not in raw.lower()
    # Hidden and deleted post-its, and their dots, are not published.
    assert "Un message déplacé" not in raw and "Doublon effacé" not in raw
    bob = story.people["bob"]
    alias = opendata.pseudonym(story.workshop, bob.pk)
    assert alias != opendata.pseudonym(Workshop(export_salt="another-workshop"), bob.pk)
    benches = next(p for p in data["postits"] if p["text"] == CORPUS["benches"])
    assert benches["participant"] == alias
    again = opendata.open_data(story.workshop, now=story.workshop.closed_at)
    assert again["postits"] == data["postits"]  # stable across exports
    assert {vote["participant"] for vote in data["votes"]} <= {
        p["id"] for p in data["participants"]
    }


def test_anonymous_post_its_carry_no_participant_in_open_data(story):
    Workshop.objects.filter(pk=story.workshop.pk).update(anonymous=True)
    story.workshop.refresh_from_db()
    data = opendata.open_data(story.workshop, now=story.workshop.closed_at)
    assert {postit["participant"] for postit in data["postits"]} == {None}


def test_the_csv_files_parse_and_no_cell_is_a_formula(story):
    data = opendata.open_data(story.workshop, now=story.workshop.closed_at)
    tables = {
        table: list(csv.DictReader(io.StringIO(opendata.to_csv(data, table).decode())))
        for table in opendata.CSV_TABLES
    }
    assert len(tables["postits"]) == len(data["postits"]) == 6  # hidden, deleted left out
    assert len(tables["votes"]) == 9
    assert len(tables["poll_answers"]) == 3
    assert len(tables["conclusions"]) == 2
    cells = [value for rows in tables.values() for row in rows for value in row.values()]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    lights = next(row for row in tables["postits"] if "HYPERLINK" in row["text"])
    assert lights["text"] == "'" + FORMULA
    answers = {row["answer"] for row in tables["poll_answers"]}
    assert answers == {"Oui", "'@SUM(1+1)"}
    notes = next(row for row in tables["conclusions"] if "iframe" in row["text"])
    assert notes["text"].startswith("## ")


def test_a_short_table_is_never_split_across_two_pages_of_the_pdf():
    """Whatever text comes before it, a 4-row poll table starts and ends on one page."""
    table = Table(
        "Poll caption",
        ("Answer", "Votes"),
        tuple((f"Answer {row}", str(row)) for row in range(1, 5)),
    )
    for filler in range(19, 27):  # the table reaches the bottom of the first page
        section = Section("polls", "Polls").add(
            *(Paragraph(runs(f"Line {line}")) for line in range(filler)), table
        )
        document = Document("Split", "", "en", "", [section])
        reader = PdfReader(io.BytesIO(to_pdf(to_html(document))))
        pages = [page.extract_text() for page in reader.pages]
        first = next(n for n, text in enumerate(pages) if "Poll caption" in text)
        last = next(n for n, text in enumerate(pages) if "Answer 4" in text)
        assert first == last, filler


def test_the_post_its_are_counted_in_the_plural_in_every_format(story):
    Workshop.objects.filter(pk=story.workshop.pk).update(language="en")
    story.workshop.refresh_from_db()
    document = build_document(minutes_data(story.workshop, named=False))
    pdf = PdfReader(io.BytesIO(to_pdf(to_html(document))))
    word = docx.Document(io.BytesIO(to_docx(document)))
    formats = {
        "markdown": to_markdown(document),
        "html": to_html(document),
        "pdf": " ".join(" ".join(page.extract_text().split()) for page in pdf.pages),
        "docx": "\n".join(p.text for p in word.paragraphs),
    }
    for name, text in formats.items():
        assert re.search(r"\b\d+ post-its\b", text), name
        assert "Post-it:" not in text, name
        assert "Times are in Europe/Paris time." in text, name
