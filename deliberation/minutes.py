"""The minutes' section on what the workshop became: the proposals born from it, their state
and support, with links (workshops/minutes/sections.py lists it in MINUTES_SECTIONS)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deliberation.models import Proposal, Provenance
from workshops.minutes.content import MinutesData
from workshops.minutes.document import Item, Items, Paragraph, Run, Section, runs

ORIGINS = {
    Provenance.Kind.CONCLUSION: lambda group: (
        _("from the conclusion of %(group)s") % {"group": group}
    ),
    Provenance.Kind.CLUSTER: lambda group: _("from a cluster of %(group)s") % {"group": group},
    Provenance.Kind.POSTIT: lambda group: _("from a post-it of %(group)s") % {"group": group},
}


def proposals(data: MinutesData) -> Section | None:
    """Published proposals made from this workshop, in the order they were published."""
    born_here = (
        Proposal.objects.filter(
            provenance__workshop=data.workshop,
            status=Proposal.Status.PUBLISHED,
            hidden_at=None,
        )
        .select_related("space", "state", "provenance", "provenance__group")
        .order_by("published_at", "pk")
    )
    found = list(born_here)
    if not found:
        return None
    section = Section("proposals", _("Proposals created from this workshop"))
    section.add(
        Paragraph(
            runs(
                ngettext(
                    "%(count)d proposal was made from this workshop's outcomes.",
                    "%(count)d proposals were made from this workshop's outcomes.",
                    len(found),
                )
                % {"count": len(found)}
            ),
        ),
        Items(tuple(_item(proposal, data) for proposal in found)),
    )
    return section


def _item(proposal: Proposal, data: MinutesData) -> Item:
    url = data.link(reverse("proposal", args=[proposal.space.slug, proposal.number]))
    provenance = proposal.provenance
    group = provenance.group.name if provenance.group else _("the plenary")
    supports = ngettext("%(count)d support", "%(count)d supports", proposal.supports_count) % {
        "count": proposal.supports_count
    }
    return Item(
        runs(
            Run(f"#{proposal.number} {proposal.title}", url=url),
            f" — {ORIGINS[provenance.kind](group)} · ",
            Run(proposal.state.name, bold=True),
            f" · {supports}",
        )
    )
