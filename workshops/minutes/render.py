"""From the database to files: the minutes' document, then each format.

HTML is the print-ready page (its stylesheet inside), PDF is that page laid out by
WeasyPrint, Markdown and DOCX walk the same blocks (workshops.minutes.markdown, .docx).
"""

from datetime import datetime

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from workshops.minutes.content import MinutesData, gather
from workshops.minutes.document import Document
from workshops.minutes.sections import build_sections, day
from workshops.models import Workshop


def minutes_data(workshop: Workshop, *, named: bool, now: datetime | None = None) -> MinutesData:
    return gather(workshop, named=named, now=now or timezone.now())


def build_document(data: MinutesData) -> Document:
    """The minutes' content in the workshop's language."""
    workshop = data.workshop
    with translation.override(workshop.language):
        held_on = workshop.closed_at or workshop.created_at
        subtitle = " · ".join(part for part in (day(held_on), workshop.place) if part)
        moment = timezone.localtime(data.generated_at)
        generated = _("Generated on %(date)s at %(time)s.") % {
            "date": formats.date_format(moment, "DATE_FORMAT"),
            "time": formats.time_format(moment, "H:i"),
        }
        return Document(
            title=workshop.title,
            subtitle=subtitle,
            language=workshop.language,
            generated_at=generated,
            sections=build_sections(data),
        )


def to_html(document: Document) -> str:
    with translation.override(document.language):
        return render_to_string("workshops/minutes/document.html", {"document": document})


def refuse_fetch(url: str, *args, **kwargs) -> dict:
    """WeasyPrint fetches nothing: the page is self-contained (charts are inline SVG)."""
    raise ValueError(f"The minutes load no external resource: {url[:80]}")


def to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango, only the worker needs it

    return HTML(string=html, url_fetcher=refuse_fetch).write_pdf()


def to_markdown(document: Document) -> str:
    from workshops.minutes.markdown import render

    with translation.override(document.language):
        return render(document)


def to_docx(document: Document) -> bytes:
    from workshops.minutes.docx import render

    with translation.override(document.language):
        return render(document)
