"""Table tablets: paired from the console, fixed at their table, writing for the table."""

import pytest
from django.urls import reverse

from tests.support.personas import as_participant
from workshops import selectors, services
from workshops.errors import Refused
from workshops.models import Participant


@pytest.fixture
def table(lead):
    [table] = services.groups_create(actor=lead, count=1, kind="table")
    return services.tablet_pairing_open(actor=lead, group_id=table.pk)


def test_pairing_gives_the_table_a_code_once(lead, table):
    assert len(table.pairing_code) == 8
    again = services.tablet_pairing_open(actor=lead, group_id=table.pk)
    assert again.pairing_code == table.pairing_code


def test_a_tablet_joins_its_table_through_the_pairing_link(client, workshop, table):
    page = client.get(reverse("tablet-pair", args=[table.pairing_code.lower()]))
    assert page.status_code == 200 and table.name in page.text
    response = client.post(reverse("tablet-pair", args=[table.pairing_code]))
    assert response.status_code == 302
    tablet = Participant.objects.get(kind="tablet")
    assert (tablet.group, tablet.location, tablet.display_name) == (table, "room", "Table 1")
    page = client.get(response["Location"])
    assert 'class="participant tablet"' in page.text and 'name="signature"' in page.text


def test_a_wrong_pairing_code_is_404(client, db):
    assert client.get(reverse("tablet-pair", args=["NOPE1234"])).status_code == 404


def test_a_tablets_post_its_are_attributed_to_the_table_with_an_optional_first_name(lead, table):
    tablet = services.tablet_pair(pairing_code=table.pairing_code)
    services.breakouts_open(actor=lead)
    postit = services.postit_create(
        actor=as_participant(tablet), text="Un kiosque", signature="Marie"
    )
    assert (postit.group, postit.author.display_name, postit.signature) == (
        table,
        "Table 1",
        "Marie",
    )


def test_only_a_tablet_signs_with_a_first_name(alice):
    with pytest.raises(Refused):
        services.postit_create(actor=as_participant(alice), text="x", signature="Pseudo")


def test_a_tablet_stays_at_its_table(workshop, lead, table, join):
    tablet = services.tablet_pair(pairing_code=table.pairing_code)
    services.groups_create(actor=lead, count=2, kind="online")
    join(workshop, "Alice", "remote")
    services.participants_assign(actor=lead, strategy="random")
    assert Participant.objects.get(pk=tablet.pk).group == table
    with pytest.raises(Refused) as refusal:
        services.participant_move(actor=lead, participant_id=tablet.pk, group_id=None)
    assert refusal.value.code == "tablet_fixed"


def test_tablets_are_counted_apart_in_presence(workshop, table):
    tablet = services.tablet_pair(pairing_code=table.pairing_code)
    services.presence_touch(actor=as_participant(tablet))
    totals = selectors.presence(workshop.pk)["totals"]
    assert totals == {"room": 0, "remote": 0, "tablets": 1, "away": 0}


def test_only_facilitators_open_pairing(workshop, alice, lead):
    [group] = services.groups_create(actor=lead, count=1, kind="table")
    with pytest.raises(Refused) as refusal:
        services.tablet_pairing_open(actor=as_participant(alice), group_id=group.pk)
    assert refusal.value.code == "forbidden"
