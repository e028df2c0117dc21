"""Conclusions brought to the plenary: shown side by side, voted on with dots."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from live.models import Event
from tests.support.personas import as_participant
from workshops import fragments, selectors, services
from workshops.commands import execute_command
from workshops.errors import Refused
from workshops.markdown import to_html
from workshops.models import Conclusion, Dot


@pytest.fixture
def conclusions(workshop, lead):
    groups = services.groups_create(actor=lead, count=2, kind="online")
    texts = ["## Mobilité\n\n- Plus de **vélos**", "Des arbres <script>x</script>"]
    return [
        Conclusion.objects.create(workshop=workshop, group=group, markdown=text)
        for group, text in zip(groups, texts, strict=True)
    ]


def vote(lead, **settings):
    phase = services.phase_add(
        actor=lead, title="Vote", minutes=5, scope="plenary", activity="dot_vote", **settings
    )
    return services.phase_start(actor=lead, phase_id=phase.pk)


def test_sharing_shows_every_group_s_conclusion_to_everyone(workshop, lead, conclusions):
    services.conclusions_share(actor=lead, shared=True)
    event = Event.objects.get(name="conclusions.shared")
    swap, buttons = fragments.render_event(workshop.pk, event.name, event.data, "fr")["swaps"]
    assert swap["target"] == "#shared-conclusions"
    assert buttons["target"] == "#conclusions-share"
    assert 'data-arg-shared="false"' in buttons["html"]
    assert 'data-arg-shared="true"' not in buttons["html"]
    html = swap["html"]
    assert "<h4>Mobilité</h4>" in html and "<strong>vélos</strong>" in html
    assert "&lt;script&gt;" in html and "<script>x" not in html


def test_the_plenary_votes_on_shared_conclusions_with_the_board_s_rules(
    workshop, lead, conclusions, alice, bob
):
    vote(lead, dots=2, dots_live=True)
    first, second = conclusions
    with pytest.raises(Refused) as not_shared:
        services.dot_add(actor=as_participant(alice), conclusion_id=first.pk)
    assert not_shared.value.code == "not_shared"
    services.conclusions_share(actor=lead, shared=True)
    mine = services.dot_add(actor=as_participant(alice), conclusion_id=first.pk)
    assert mine["mine"] == {f"c{first.pk}": 1} and mine["left"] == 1
    with pytest.raises(Refused) as twice:
        services.dot_add(actor=as_participant(alice), conclusion_id=first.pk)
    assert twice.value.code == "one_dot_each"
    services.dot_add(actor=as_participant(bob), conclusion_id=first.pk)
    services.dot_add(actor=as_participant(bob), conclusion_id=second.pk)
    shared = selectors.shared_conclusions(workshop)
    assert [(item.group.pk, item.dots) for item in shared["ranking"]] == [
        (first.group_id, 2),
        (second.group_id, 1),
    ]
    services.dot_remove(actor=as_participant(bob), conclusion_id=second.pk)
    assert Dot.objects.filter(conclusion=second).count() == 0
    frame = fragments.conclusions_tally_frames(workshop.pk)["fr"]
    assert (frame["topic"], frame["stream"]) == ("conclusions", "workshop")


def test_a_dot_names_one_target(lead, conclusions, alice):
    vote(lead)
    with pytest.raises(Refused) as neither:
        services.dot_add(actor=as_participant(alice))
    assert neither.value.code == "invalid"


def test_only_facilitators_share(alice):
    with pytest.raises(Refused) as refusal:
        services.conclusions_share(actor=as_participant(alice), shared=True)
    assert refusal.value.code == "forbidden"


def test_markdown_becomes_safe_html():
    html = to_html("# Titre\n\n1. un\n2. _deux_\n\nTexte <b>gras</b> **fort**")
    assert html == (
        "<h3>Titre</h3><ol><li>un</li><li><em>deux</em></li></ol>"
        "<p>Texte &lt;b&gt;gras&lt;/b&gt; <strong>fort</strong></p>"
    )


def test_starting_a_phase_of_sharing_brings_the_conclusions_to_the_plenary(
    workshop, lead, conclusions
):
    share = services.phase_add(
        actor=lead, title="Restitution", minutes=10, scope="plenary", activity="share"
    )
    services.phase_start(actor=lead, phase_id=share.pk)
    workshop.refresh_from_db()
    assert workshop.conclusions_shared
    assert Event.objects.filter(name="conclusions.shared", data__shared=True).count() == 1
    assert "Mobilité" in fragments.shared_conclusions_swap(workshop.pk)["html"]


def test_the_console_offers_only_the_sharing_button_that_applies(workshop, lead, conclusions):
    def buttons() -> str:
        workshop.refresh_from_db()
        with translation.override("en"):
            return render_to_string(
                "workshops/partials/boards.html",
                {"workshop": workshop, "boards": selectors.all_boards(workshop)},
            )

    html = buttons()
    assert "Bring the conclusions to the plenary" in html
    assert "Stop showing the conclusions" not in html
    services.conclusions_share(actor=lead, shared=True)
    html = buttons()
    assert "Bring the conclusions to the plenary" not in html
    assert "Stop showing the conclusions" in html


def test_the_console_starts_the_plenarys_vote_on_the_conclusions(
    workshop, lead, conclusions, alice
):
    share = services.phase_add(
        actor=lead, title="Restitution", minutes=10, scope="plenary", activity="share"
    )
    after = services.phase_add(
        actor=lead, title="Clôture", minutes=5, scope="plenary", activity="welcome"
    )
    services.phase_start(actor=lead, phase_id=share.pk)
    reply = execute_command(actor=lead, client_id="vote-1", name="conclusions.vote", args={})
    vote = workshop.phases.get(pk=reply["phase"])
    assert (vote.activity, vote.scope, vote.status) == ("dot_vote", "plenary", "running")
    titles = list(workshop.phases.order_by("position").values_list("title", flat=True))
    assert titles == ["Restitution", vote.title, "Clôture"] and after.title == "Clôture"
    first, _second = conclusions
    mine = services.dot_add(actor=as_participant(alice), conclusion_id=first.pk)
    assert mine["mine"] == {f"c{first.pk}": 1}
    html = render_to_string("workshops/partials/conclusions_share.html", {"shared": True})
    assert 'data-command="conclusions.vote"' in html
