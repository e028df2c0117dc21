"""Exports of a space's proposals as CSV or JSON.

Open data by default: no personal data at all (people who authored a proposal are
"participant"; groups, workshops and organizations keep their names). Names of people
only when an organizer explicitly asks (the view checks both). Cells that a spreadsheet
would run as a formula are defused.
"""

import csv
import io
import json

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from deliberation.models import Answer, Proposal, ProposalAuthor, Space
from deliberation.selectors import with_display
from deliberation.services.proposals import person_name
from workshops.links import absolute

COLUMNS = [
    "number",
    "url",
    "title",
    "body",
    "theme",
    "location",
    "state",
    "accepted",
    "answer",
    "answered_at",
    "supports",
    "against",
    "neutral",
    "comments",
    "published_at",
    "withdrawn_at",
    "merged_into",
    "threshold_reached_at",
    "origin_kind",
    "origin_workshop",
    "origin_group",
    "authors",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _date(moment) -> str:
    return moment.isoformat() if moment else ""


def _author(author: ProposalAuthor, personal: bool) -> str:
    if author.kind != ProposalAuthor.Kind.PERSON:
        return author.name
    if personal:
        return person_name(author.person) or _("Anonymous participant")
    return _("Participant")


def row(proposal: Proposal, *, personal: bool) -> dict:
    provenance = getattr(proposal, "provenance", None)
    snapshot = provenance.snapshot if provenance else {}
    answer = proposal.published_answers[0] if proposal.published_answers else None
    return {
        "number": proposal.number,
        "url": absolute(reverse("proposal", args=[proposal.space.slug, proposal.number])),
        "title": proposal.title,
        "body": proposal.body,
        "theme": proposal.theme.name if proposal.theme else "",
        "location": proposal.location,
        "state": proposal.state.name,
        "accepted": proposal.state.counts_as_accepted,
        "answer": answer.text if answer else "",
        "answered_at": _date(proposal.answered_at),
        "supports": proposal.supports_count,
        "against": proposal.against_count,
        "neutral": proposal.neutral_count,
        "comments": proposal.comments_count,
        "published_at": _date(proposal.published_at),
        "withdrawn_at": _date(proposal.withdrawn_at),
        "merged_into": proposal.merged_into.number if proposal.merged_into else "",
        "threshold_reached_at": _date(proposal.threshold_reached_at),
        "origin_kind": provenance.kind if provenance else "",
        "origin_workshop": (snapshot.get("workshop") or {}).get("title", ""),
        "origin_group": (snapshot.get("group") or {}).get("name", ""),
        "authors": [_author(author, personal) for author in proposal.authors.all()],
    }


def rows(space: Space, *, personal: bool) -> list[dict]:
    proposals = with_display(
        space.proposals.filter(status=Proposal.Status.PUBLISHED, hidden_at=None)
    ).order_by("number")
    published = Answer.objects.exclude(published_at=None).order_by("-published_at", "-id")
    proposals = proposals.prefetch_related(
        Prefetch("answers", queryset=published, to_attr="published_answers")
    )
    return [row(proposal, personal=personal) for proposal in proposals]


def defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(data: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for item in data:
        flat = {**item, "authors": "; ".join(item["authors"])}
        writer.writerow({key: defuse(value) for key, value in flat.items()})
    return buffer.getvalue()


def to_json(space: Space, data: list[dict], *, personal: bool) -> str:
    document = {
        "space": {"title": space.title, "url": absolute(reverse("space", args=[space.slug]))},
        "personal_data": personal,
        "proposals": data,
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
