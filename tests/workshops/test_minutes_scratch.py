import pytest
from tests.support.story import play
from workshops.minutes.render import (
    minutes_data,
    build_document,
    to_markdown,
    to_html,
    to_pdf,
    to_docx,
)

pytestmark = pytest.mark.postgres


def test_scratch(workshop, organizer, facilitator):
    story = play(workshop, organizer)
    doc = build_document(minutes_data(story.workshop, named=True))
    open("/tmp/mt/m.md", "w").write(to_markdown(doc))
    html = to_html(doc)
    open("/tmp/mt/m.html", "w").write(html)
    open("/tmp/mt/m.pdf", "wb").write(to_pdf(html))
    open("/tmp/mt/m.docx", "wb").write(to_docx(doc))
