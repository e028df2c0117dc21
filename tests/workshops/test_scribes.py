"""The scribe types the tables' paper post-its, each attributed to its table."""

import pytest
from django.urls import reverse

from tests.support.personas import as_participant
from workshops import services
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import Participant, PostIt


@pytest.fixture
def scribe(workshop) -> Participant:
    return services.participant_join(
        workshop=workshop, display_name="Sophie", location="room", kind="scribe"
    )


def test_the_scribe_link_lets_someone_join_as_scribe(client, workshop):
    url = reverse("scribe-join", args=[workshop.join_code, workshop.scribe_token])
    assert client.get(url).status_code == 200
    response = client.post(url, {"display_name": "Sophie"})
    assert response.status_code == 302
    scribe = Participant.objects.get()
    assert (scribe.kind, scribe.location) == ("scribe", "room")


def test_a_wrong_scribe_token_is_404(client, workshop):
    assert client.get(reverse("scribe-join", args=[workshop.join_code, "guess"])).status_code == 404


def test_a_scribe_types_for_a_table_and_it_lands_on_that_tables_board(lead, scribe):
    table, other = services.groups_create(actor=lead, count=2, kind="table")
    services.breakouts_open(actor=lead)
    postit = services.postit_create(actor=as_participant(scribe), text="Papier n°1", table=table.pk)
    assert (postit.group, postit.on_behalf_of, postit.author) == (table, table, scribe)
    services.breakouts_close(actor=lead)
    in_plenary = services.postit_create(
        actor=as_participant(scribe), text="Papier n°2", table=other.pk
    )
    assert (in_plenary.group, in_plenary.on_behalf_of) == (None, other)


def test_a_scribe_must_say_which_table_and_nobody_else_may(
    workshop, lead, scribe, alice, other_workshop, organizer
):
    [table] = services.groups_create(actor=lead, count=1, kind="table")
    with pytest.raises(Refused):
        services.postit_create(actor=as_participant(scribe), text="De quelle table ?")
    foreign_lead = Actor(other_workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    [foreign] = services.groups_create(actor=foreign_lead, count=1, kind="table")
    with pytest.raises(Refused):
        services.postit_create(actor=as_participant(scribe), text="x", table=foreign.pk)
    with pytest.raises(Refused) as refusal:
        services.postit_create(actor=as_participant(alice), text="x", table=table.pk)
    assert refusal.value.code == "forbidden"
    assert not PostIt.objects.exists()


def test_nobody_joins_as_a_tablet_without_a_pairing_code(workshop):
    with pytest.raises(Refused):
        services.participant_join(
            workshop=workshop, display_name="x", location="room", kind="tablet"
        )


def test_the_scribe_page_offers_the_tables(client, workshop, lead):
    services.groups_create(actor=lead, count=2, kind="table")
    url = reverse("scribe-join", args=[workshop.join_code, workshop.scribe_token])
    page = client.get(client.post(url, {"display_name": "Sophie"})["Location"])
    assert 'name="table"' in page.text and "Table 2" in page.text
