"""The background job that writes an export's files (`minutes.generate`, workshops.jobs).

It runs in `manage.py atelier_worker`, never in a request or a socket handler: a large
workshop's PDF takes seconds. Screens poll the job's progress. Files go to Django's
default storage (MEDIA_ROOT) under exports/<workshop>/<export>/; only the newest finished
export of each kind (anonymous or named) is kept per workshop.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from workshops.jobs import job_progress
from workshops.minutes import opendata
from workshops.minutes.render import (
    build_document,
    minutes_data,
    to_docx,
    to_html,
    to_markdown,
    to_pdf,
)
from workshops.models import Export, Job


@dataclass(frozen=True)
class FileKind:
    """One file of an export: its key in URLs and `Export.files`, extension, media type."""

    key: str
    extension: str
    content_type: str
    minutes: bool  # the minutes (else open data)


FILE_KINDS = {
    kind.key: kind
    for kind in (
        FileKind("pdf", "pdf", "application/pdf", True),
        FileKind(
            "docx",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            True,
        ),
        FileKind("html", "html", "text/html; charset=utf-8", True),
        FileKind("md", "md", "text/markdown; charset=utf-8", True),
        FileKind("json", "json", "application/json", False),
        *(
            FileKind(f"{table}-csv", "csv", "text/csv; charset=utf-8", False)
            for table in opendata.CSV_TABLES
        ),
    )
}


def file_stem(export: Export, key: str) -> str:
    """e.g. "reamenager-le-parc-jean-moulin-2026-12-01-compte-rendu"."""
    workshop = export.workshop
    day = timezone.localtime(workshop.closed_at or workshop.created_at).date().isoformat()
    names = {
        "json": pgettext("file name", "open-data"),
        "postits-csv": pgettext("file name", "post-its"),
        "votes-csv": pgettext("file name", "votes"),
        "poll_answers-csv": pgettext("file name", "poll-answers"),
        "conclusions-csv": pgettext("file name", "conclusions"),
    }
    what = names.get(key) or (
        pgettext("file name", "named-minutes") if export.named else pgettext("file name", "minutes")
    )
    return f"{slugify(workshop.title)[:60].strip('-') or 'atelier'}-{day}-{what}"


def generate(job: Job) -> dict:
    """Write every file of the export named in the job's payload, reporting progress."""
    export = Export.objects.select_related("workshop").filter(pk=job.payload["export"]).first()
    if export is None:  # its workshop was deleted meanwhile
        return {"export": None}
    workshop = export.workshop
    now = timezone.now()
    produced: dict[str, bytes] = {}
    document = build_document(minutes_data(workshop, named=export.named, now=now))
    job_progress(job, 15)
    html = to_html(document)
    steps: list[tuple[str, Callable[[], bytes], int]] = [
        ("md", lambda: to_markdown(document).encode(), 20),
        ("html", lambda: html.encode(), 25),
        ("pdf", lambda: to_pdf(html), 65),
        ("docx", lambda: to_docx(document), 85),
    ]
    for key, make, percent in steps:
        produced[key] = make()
        job_progress(job, percent)
    data = opendata.open_data(workshop, now=now)
    produced["json"] = opendata.to_json(data)
    for table in opendata.CSV_TABLES:
        produced[f"{table}-csv"] = opendata.to_csv(data, table)
    job_progress(job, 95)
    with translation.override(workshop.language):
        export.files = store(export, produced)
    export.finished_at = timezone.now()
    export.save(update_fields=["files", "finished_at"])
    forget_older(export)
    return {"export": export.pk, "files": sorted(export.files)}


def store(export: Export, produced: dict[str, bytes]) -> dict[str, dict]:
    files = {}
    for key, content in produced.items():
        kind = FILE_KINDS[key]
        name = f"exports/{export.workshop_id}/{export.pk}/{file_stem(export, key)}.{kind.extension}"
        saved = default_storage.save(name, ContentFile(content))
        files[key] = {"name": saved, "size": len(content)}
    return files


def delete_files(export: Export) -> None:
    for entry in export.files.values():
        default_storage.delete(entry["name"])


def forget_older(export: Export) -> None:
    """Older finished exports of the same kind are superseded: their files and rows go."""
    older = Export.objects.filter(
        workshop_id=export.workshop_id, named=export.named, finished_at__isnull=False
    ).exclude(pk=export.pk)
    for previous in older.filter(created_at__lte=export.created_at):
        delete_files(previous)
        previous.delete()


def describe(key: str) -> str:
    """What a file is, for the page that lists them."""
    labels = {
        "pdf": _("Minutes (PDF)"),
        "docx": _("Minutes (Word, DOCX)"),
        "html": _("Minutes (web page, ready to print)"),
        "md": _("Minutes (Markdown)"),
        "json": _("Open data: everything (JSON)"),
        "postits-csv": _("Open data: post-its (CSV)"),
        "votes-csv": _("Open data: votes (CSV)"),
        "poll_answers-csv": _("Open data: poll answers (CSV)"),
        "conclusions-csv": _("Open data: conclusions (CSV)"),
    }
    return labels[key]
