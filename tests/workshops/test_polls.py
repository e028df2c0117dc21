"""Live polls: every kind, the life cycle, the tablet rule, bad input, exact counts."""

import threading

import pytest
from django.db import connection

from live.models import Event
from tests.support.personas import as_participant
from workshops import fragments, selectors, services
from workshops.actors import Actor, Role
from workshops.commands import execute_command
from workshops.errors import Refused
from workshops.models import Participant, Poll, PollAnswer


def open_poll(lead, kind="single", options=("Oui", "Non", "Peut-être"), **settings) -> Poll:
    if kind not in ("single", "multiple"):
        options = ()
    poll = services.poll_create(
        actor=lead, question="Faut-il plus de bancs ?", kind=kind, options=list(options), **settings
    )
    return services.poll_open(actor=lead, poll_id=poll.pk)


def answer(participant, poll, value):
    return services.poll_answer(actor=as_participant(participant), poll_id=poll.pk, answer=value)


def option(poll, label):
    return poll.options.get(label=label).pk


def test_single_choice_counts_one_answer_per_person_and_a_change_moves_it(lead, alice, bob):
    poll = open_poll(lead)
    answer(alice, poll, option(poll, "Oui"))
    answer(bob, poll, option(poll, "Oui"))
    answer(alice, poll, option(poll, "Non"))  # changed her mind: one vote moves
    results = selectors.poll_results(poll)
    assert [(found.label, count) for found, count in results.options] == [
        ("Oui", 1),
        ("Non", 1),
        ("Peut-être", 0),
    ]
    assert results.respondents == PollAnswer.objects.count() == 2


def test_multiple_choice_respects_its_maximum(lead, alice):
    poll = open_poll(lead, kind="multiple", max_choices=2)
    yes, no, maybe = (option(poll, label) for label in ("Oui", "Non", "Peut-être"))
    with pytest.raises(Refused) as too_many:
        answer(alice, poll, [yes, no, maybe])
    assert too_many.value.code == "too_many_choices"
    answer(alice, poll, [maybe, yes, yes])
    assert PollAnswer.objects.get().choices == sorted([yes, maybe])


def test_scale_gives_a_distribution_and_a_mean(lead, alice, bob):
    poll = open_poll(lead, kind="scale")
    answer(alice, poll, 5)
    answer(bob, poll, 2)
    results = selectors.poll_results(poll)
    assert dict(results.scale) == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    assert results.mean == 3.5


def test_word_cloud_folds_case_and_accents_and_keeps_the_usual_spelling(
    lead, workshop, alice, bob, join
):
    poll = open_poll(lead, kind="words")
    answer(alice, poll, "Sécurité vélo")
    answer(bob, poll, "securite")
    answer(join(workshop, "Chloé"), poll, "  SÉCURITÉ, ombre! ")
    assert selectors.poll_results(poll).words == [("sécurité", 3), ("ombre", 1), ("vélo", 1)]


@pytest.mark.parametrize(
    ("value", "code"),
    [("", "empty"), (" ,;! ", "empty"), ("un deux trois quatre", "too_many_words"), (3, "invalid")],
)
def test_a_bad_word_answer_is_refused(lead, alice, value, code):
    poll = open_poll(lead, kind="words")
    with pytest.raises(Refused) as refusal:
        answer(alice, poll, value)
    assert refusal.value.code == code
    assert not PollAnswer.objects.exists()


def test_open_answers_are_shown_only_once_a_facilitator_approved_them(lead, alice):
    poll = open_poll(lead, kind="open")
    answer(alice, poll, "Un kiosque à musique")
    results = selectors.poll_results(poll)
    assert (results.approved, [a.text for a in results.pending]) == ([], ["Un kiosque à musique"])
    public = fragments.poll_tally_frames(poll.pk, "public")["fr"]["swaps"][0]["html"]
    lead_view = fragments.poll_tally_frames(poll.pk, "lead")["fr"]["swaps"][0]["html"]
    assert "kiosque" not in public and "kiosque" in lead_view
    services.poll_moderate(actor=lead, answer_id=PollAnswer.objects.get().pk, approved=True)
    public = fragments.poll_tally_frames(poll.pk, "public")["fr"]["swaps"][0]["html"]
    assert "Un kiosque à musique" in public
    with pytest.raises(Refused):
        services.poll_moderate(
            actor=as_participant(alice), answer_id=PollAnswer.objects.get().pk, approved=False
        )


def test_life_cycle_draft_open_closed_reopened(lead, alice):
    poll = services.poll_create(
        actor=lead, question="Qui vient ?", kind="single", options=["Moi", "Pas moi"]
    )
    with pytest.raises(Refused) as draft:
        answer(alice, poll, option(poll, "Moi"))
    services.poll_open(actor=lead, poll_id=poll.pk)
    answer(alice, poll, option(poll, "Moi"))
    services.poll_close(actor=lead, poll_id=poll.pk)
    with pytest.raises(Refused) as closed:
        answer(alice, poll, option(poll, "Pas moi"))
    services.poll_open(actor=lead, poll_id=poll.pk)  # reopened: her answer still counts
    answer(alice, poll, option(poll, "Pas moi"))
    assert (draft.value.code, closed.value.code) == ("not_found", "poll_closed")
    assert PollAnswer.objects.get().choices == [option(poll, "Pas moi")]
    with pytest.raises(Refused) as answered:
        services.poll_delete(actor=lead, poll_id=poll.pk)
    assert answered.value.code == "poll_answered"


def test_results_shown_at_close_or_hidden_stay_with_the_facilitators(lead, alice):
    at_close = open_poll(lead, results="at_close")
    hidden = open_poll(lead, results="hidden")
    for poll in (at_close, hidden):
        answer(alice, poll, option(poll, "Oui"))
        assert not poll.results_public
    services.poll_close(actor=lead, poll_id=at_close.pk)
    services.poll_close(actor=lead, poll_id=hidden.pk)
    at_close.refresh_from_db()
    hidden.refresh_from_db()
    assert at_close.results_public and not hidden.results_public
    html = fragments.poll_tally_frames(hidden.pk, "public")["en"]["swaps"][0]["html"]
    assert "The results are not shown." in html and "<svg" not in html
    assert "<svg" in fragments.poll_tally_frames(hidden.pk, "lead")["en"]["swaps"][0]["html"]


def test_a_table_tablet_answers_once_unless_each_person_may(lead, workshop, alice):
    [table] = services.groups_create(actor=lead, count=1, kind="table")
    services.tablet_pairing_open(actor=lead, group_id=table.pk)
    table.refresh_from_db()
    tablet = services.tablet_pair(pairing_code=table.pairing_code)
    once = open_poll(lead)
    answer(tablet, once, option(once, "Oui"))
    answer(tablet, once, option(once, "Non"))
    per_person = open_poll(lead, tablet_per_person=True)
    for label in ("Oui", "Oui", "Non"):
        answer(tablet, per_person, option(per_person, label))
    answer(alice, per_person, option(per_person, "Non"))
    answer(alice, per_person, option(per_person, "Non"))  # a person still answers once
    assert selectors.poll_results(once).respondents == 1
    counts = {found.label: n for found, n in selectors.poll_results(per_person).options}
    assert counts == {"Oui": 2, "Non": 2, "Peut-être": 0}


def test_a_group_poll_is_answered_by_its_members_only(lead, workshop, alice, bob):
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=group.pk)
    poll = open_poll(lead, group_id=group.pk)
    answer(alice, poll, option(poll, "Oui"))
    with pytest.raises(Refused) as outsider:
        answer(bob, poll, option(poll, "Oui"))
    assert outsider.value.code == "not_found"


@pytest.mark.parametrize(
    ("kind", "value", "code"),
    [
        ("single", 999999, "invalid"),
        ("single", "Oui", "invalid"),
        ("multiple", [], "empty"),
        ("multiple", [999999], "invalid"),
        ("scale", 0, "invalid"),
        ("scale", 6, "invalid"),
        ("scale", True, "invalid"),
        ("open", "   ", "empty"),
        ("open", "x" * 281, "too_long"),
    ],
)
def test_bad_answers_get_an_explicit_error_and_change_nothing(lead, alice, kind, value, code):
    poll = open_poll(lead, kind=kind, max_choices=2)
    with pytest.raises(Refused) as refusal:
        answer(alice, poll, value)
    assert refusal.value.code == code
    assert not PollAnswer.objects.exists()


def test_another_workshop_s_poll_is_not_found(lead, other_workshop, outsider_in_other_workshop):
    poll = open_poll(lead)
    with pytest.raises(Refused) as refusal:
        answer(outsider_in_other_workshop, poll, option(poll, "Oui"))
    assert refusal.value.code == "not_found"


@pytest.mark.parametrize(
    ("options", "settings"),
    [
        (["Seule"], {}),
        (["A", "a"], {}),
        (["A", "B"], {"max_choices": 3, "kind": "multiple"}),
        (["A", "B"], {"kind": "scale"}),
        (["A", "B"], {"results": "sometimes"}),
    ],
)
def test_a_badly_prepared_poll_is_refused(lead, options, settings):
    kind = settings.pop("kind", "single")
    with pytest.raises(Refused):
        services.poll_create(
            actor=lead, question="Question ?", kind=kind, options=options, **settings
        )
    assert not Poll.objects.exists()


def test_participants_cannot_run_polls(alice):
    with pytest.raises(Refused) as refusal:
        services.poll_create(actor=as_participant(alice), question="?", kind="scale")
    assert refusal.value.code == "forbidden"


def test_a_poll_prepared_in_the_agenda_opens_and_closes_with_its_phase(lead):
    phase = services.phase_add(
        actor=lead, title="Sondage", minutes=5, scope="plenary", activity="poll"
    )
    poll = services.poll_create(actor=lead, question="Note ?", kind="scale", phase_id=phase.pk)
    services.phase_start(actor=lead, phase_id=phase.pk)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN
    services.phase_end(actor=lead)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_and_retries_are_counted_exactly(workshop, organizer):
    """Thirty participants on six threads, each with its own PostgreSQL connection, answer
    at once; every command is sent twice (a retry) and half change their mind."""
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    people = [
        services.participant_join(workshop=workshop, display_name=f"P{n}", location="room")
        for n in range(30)
    ]
    poll = open_poll(lead)
    yes, no = option(poll, "Oui"), option(poll, "Non")
    start = threading.Barrier(6)
    failures: list[BaseException] = []

    def vote(batch: list[Participant]) -> None:
        try:
            start.wait()
            for person in batch:
                actor = as_participant(person)
                for _attempt in range(2):  # the same command twice: a retry
                    execute_command(
                        actor=actor,
                        client_id=f"first-{person.pk}",
                        name="poll.answer",
                        args={"poll": poll.pk, "answer": yes},
                    )
                if person.pk % 2:
                    execute_command(
                        actor=actor,
                        client_id=f"second-{person.pk}",
                        name="poll.answer",
                        args={"poll": poll.pk, "answer": no},
                    )
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(people[i::6],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    changed = sum(1 for person in people if person.pk % 2)
    counts = {found.pk: n for found, n in selectors.poll_results(poll).options}
    assert counts[yes] + counts[no] == 30 == PollAnswer.objects.count()
    assert (counts[yes], counts[no]) == (30 - changed, changed)


def shown_to_the_plenary(workshop) -> list[str]:
    return [poll.question for poll in selectors.shown_polls(workshop.polls.filter(group=None))]


def test_a_closed_poll_leaves_screens_when_the_next_phase_starts(workshop, lead, alice):
    welcome, ideas = (
        services.phase_add(actor=lead, title=title, minutes=5, scope="plenary", activity=activity)
        for title, activity in [("Accueil", "poll"), ("Idées", "brainstorm")]
    )
    prepared = services.poll_create(
        actor=lead, question="Humeur ?", kind="scale", phase_id=welcome.pk
    )
    services.phase_start(actor=lead, phase_id=welcome.pk)
    asked = open_poll(lead)  # on the fly, during the phase
    answer(alice, asked, option(asked, "Oui"))
    services.poll_close(actor=lead, poll_id=asked.pk)
    services.poll_close(actor=lead, poll_id=prepared.pk)
    # Closed during their phase: the results stay on screen until the agenda moves on.
    assert shown_to_the_plenary(workshop) == ["Faut-il plus de bancs ?", "Humeur ?"]
    seen = Event.objects.count()
    services.phase_start(actor=lead, phase_id=ideas.pk)
    assert shown_to_the_plenary(workshop) == []
    # Every screen is told: each card is deleted, and the console keeps the results.
    swaps = [
        swap
        for event in Event.objects.filter(pk__gt=seen, name="poll.changed")
        for swap in fragments.render_event(workshop.pk, event.name, event.data, "fr")["swaps"]
    ]
    assert {swap["target"] for swap in swaps if swap["swap"] == "delete"} == {
        f"#poll-{asked.pk}",
        f"#poll-{prepared.pk}",
    }
    assert len(selectors.console_polls(workshop)["polls"]) == 2
    # A poll asked and closed during the new phase shows until the next move.
    later = open_poll(lead)
    services.poll_close(actor=lead, poll_id=later.pk)
    assert shown_to_the_plenary(workshop) == ["Faut-il plus de bancs ?"]


def test_a_draft_is_reworded_once_opened_it_stays_as_people_saw_it(lead, workshop):
    draft = services.poll_create(
        actor=lead, question="Humeur ?", kind="multiple", options=["A", "B", "C"], max_choices=3
    )
    execute_command(
        actor=lead,
        client_id="edit-1",
        name="poll.update",
        args={"poll": draft.pk, "question": "Votre humeur ?", "options": ["Bien", "", "Mal"]},
    )
    draft.refresh_from_db()
    assert draft.question == "Votre humeur ?" and draft.max_choices == 2
    assert list(draft.options.values_list("label", flat=True)) == ["Bien", "Mal"]
    with pytest.raises(Refused) as bad:
        services.poll_update(actor=lead, poll_id=draft.pk, question=" ", options=["X", "Y"])
    assert bad.value.code == "empty" or bad.value.code == "invalid"
    assert Poll.objects.get(pk=draft.pk).question == "Votre humeur ?"  # unchanged
    panel = fragments.polls_panel_swap(workshop.pk)["html"]
    assert 'data-command="poll.update"' in panel and "Bien\nMal</textarea>" in panel
    services.poll_open(actor=lead, poll_id=draft.pk)
    with pytest.raises(Refused) as opened:
        services.poll_update(actor=lead, poll_id=draft.pk, question="Autre ?", options=["X", "Y"])
    assert opened.value.code == "poll_opened"
