"""The workshop's minutes end with what became of it: the proposals born from its outcomes,
with their state, their support and a link; drafts and hidden ones are not shown."""

import pytest

from deliberation import services
from deliberation.models import Provenance
from workshops.minutes.render import build_document, minutes_data, to_markdown

pytestmark = pytest.mark.django_db


def from_outcome(viewer, user, played, kind, row):
    return services.proposal_from_outcome(
        viewer=viewer, user=user, workshop_id=played.workshop.pk, kind=kind, object_id=row.pk
    )


def test_the_minutes_list_the_published_proposals_born_from_the_workshop(
    played, space, as_organizer, organizer
):
    conclusion = from_outcome(
        as_organizer, organizer, played, Provenance.Kind.CONCLUSION, played.conclusion
    )
    services.proposal_publish(viewer=as_organizer, proposal_id=conclusion.pk)
    from_outcome(as_organizer, organizer, played, Provenance.Kind.POSTIT, played.postits["jeux"])

    markdown = to_markdown(build_document(minutes_data(played.workshop, named=False)))

    assert "Propositions issues de cet atelier" in markdown
    assert f"#{conclusion.number} {conclusion.title}" in markdown
    assert f"/d/{space.slug}/{conclusion.number}/" in markdown  # an absolute link
    assert "de la conclusion de Table 2" in markdown
    assert "Une aire de jeux" not in markdown.split("Propositions issues de cet atelier")[1]


def test_a_workshop_without_proposals_has_no_such_section(played):
    markdown = to_markdown(build_document(minutes_data(played.workshop, named=False)))
    assert "Propositions issues de cet atelier" not in markdown
