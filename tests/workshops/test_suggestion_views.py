"""The console's "group similar ideas": suggestions computed from a board's texts."""

import json
from pathlib import Path

import pytest

from workshops import services
from workshops.actors import Actor, Role

SAMPLE = Path(__file__).parent / "data" / "brainstorm_sample.json"


@pytest.fixture
def board_of_the_sample(workshop, join):
    """The committed sample of post-its, written on the plenary board by one participant."""
    writer = join(workshop, "Scribe du jour")
    actor = Actor(workshop.pk, Role.PARTICIPANT, participant_id=writer.pk)
    sample = json.loads(SAMPLE.read_text())
    ids = {}
    for note in sample["postits"]:
        ids[note["id"]] = services.postit_create(actor=actor, text=note["text"]).pk
    return sample, ids


def suggestions_url(workshop, group: str = "") -> str:
    return f"/w/{workshop.join_code}/console/suggestions/?group={group}"


def test_suggestions_put_obvious_duplicates_in_one_proposed_cluster(
    client, organizer, workshop, board_of_the_sample
):
    sample, ids = board_of_the_sample
    client.force_login(organizer)
    response = client.get(suggestions_url(workshop))
    assert response.status_code == 200
    html = response.content.decode()
    forms = html.split('<form class="suggestion"')[1:]
    assert forms, html
    for duplicates in sample["duplicates"]:
        wanted = {f'value="{ids[note]}"' for note in duplicates}
        assert any(all(value in form for value in wanted) for form in forms), duplicates
    assert 'data-command="cluster.create"' in forms[0] and "data-dismiss-suggestion" in forms[0]


def test_suggestions_are_for_the_facilitators_of_the_workshop(
    client, workshop, stranger, organizer
):
    client.force_login(stranger)
    assert client.get(suggestions_url(workshop)).status_code == 404
    client.force_login(organizer)
    assert client.get(suggestions_url(workshop, "abc")).status_code == 404
    assert client.get(suggestions_url(workshop, "999999")).status_code == 404


def test_a_board_with_nothing_alike_says_so(client, organizer, workshop, alice):
    actor = Actor(workshop.pk, Role.PARTICIPANT, participant_id=alice.pk)
    services.postit_create(actor=actor, text="Des bancs")
    client.force_login(organizer)
    response = client.get(suggestions_url(workshop))
    assert "Aucune idée proche" in response.content.decode()
