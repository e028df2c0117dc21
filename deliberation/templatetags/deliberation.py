import re

from django import template
from django.utils.translation import gettext as _

from deliberation.models import Comment, Person, ProposalAuthor
from deliberation.people import Viewer
from deliberation.services.comments import may_edit_comment
from deliberation.services.proposals import person_name

register = template.Library()

MARKS = re.compile(r"^\s*(#{1,6}\s+|-\s+|\d+\.\s+)|\*\*|(?<!\w)_|_(?!\w)", re.MULTILINE)


@register.filter
def person_label(person: Person | None) -> str:
    """A person's name where they wrote or acted, or "Anonymous participant"."""
    return person_name(person) or _("Anonymous participant")


@register.filter
def author_label(author: ProposalAuthor) -> str:
    if author.kind == ProposalAuthor.Kind.PERSON:
        return person_name(author.person) or _("Anonymous participant")
    return author.name


@register.filter
def plain(markdown: str) -> str:
    """A proposal's Markdown without its marks, for excerpts."""
    return " ".join(MARKS.sub("", markdown or "").split())


@register.filter
def editable_by(comment: Comment, viewer: Viewer) -> bool:
    return may_edit_comment(viewer, comment)


@register.filter
def isodate(value: str | None):
    """A date kept as ISO text in a snapshot, as a datetime for the `date` filter."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@register.filter
def get_item(mapping: dict | None, key: object) -> object:
    return (mapping or {}).get(key)


@register.filter
def attr_of(value: object, name: str) -> object:
    return getattr(value, name, None)


@register.inclusion_tag("deliberation/partials/keep_informed.html", takes_context=True)
def keep_informed(context) -> dict:
    """The participant page's card: what became of the ideas, and an optional email."""
    from deliberation.forms import KeepInformedForm

    participant = context.get("participant")
    person = (
        Person.objects.filter(participant=participant).first() if participant is not None else None
    )
    return {
        "workshop": context.get("workshop"),
        "participant": participant,
        "person": person,
        "form": KeepInformedForm(auto_id="keep-%s"),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
