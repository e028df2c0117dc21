"""Starting workshops from blueprints and templates; the post-it label; co-facilitators."""

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import translation

from live.models import Event, Stream
from workshops import selectors, services
from workshops.actors import Actor, Role
from workshops.blueprints import BLUEPRINTS
from workshops.errors import Refused
from workshops.models import Group, Phase, Poll, PostIt, Workshop


def agenda(workshop: Workshop) -> list[tuple]:
    phases = workshop.phases.order_by("position")
    return [(p.position, p.title, p.planned_minutes, p.scope, p.activity) for p in phases]


def shape(workshop: Workshop) -> list[tuple]:
    """The agenda without titles: what a blueprint fixes whatever the language."""
    return [(minutes, scope, activity) for _p, _t, minutes, scope, activity in agenda(workshop)]


@pytest.fixture
def ran_workshop(workshop, lead, alice, bob):
    """A workshop that took place: settings, an agenda partly run, groups, people, post-its."""
    for title, minutes, scope, activity in [
        ("Accueil", 5, "plenary", "welcome"),
        ("Idées", 15, "breakouts", "brainstorm"),
        ("Restitution", 10, "plenary", "share"),
    ]:
        services.phase_add(actor=lead, title=title, minutes=minutes, scope=scope, activity=activity)
    first, second, third = workshop.phases.order_by("position")
    services.phase_start(actor=lead, phase_id=first.pk)
    services.phase_start(actor=lead, phase_id=second.pk)
    services.phase_move(actor=lead, phase_id=third.pk, to=0)
    table = services.groups_create(actor=lead, count=1, kind="table")[0]
    services.groups_create(actor=lead, count=1, kind="online")
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=table.pk)
    PostIt.objects.create(workshop=workshop, group=table, author=alice, text="Des bancs")
    PostIt.objects.create(workshop=workshop, author=bob, text="Un kiosque")
    Workshop.objects.filter(pk=workshop.pk).update(
        purpose="Imaginer le parc de demain",
        place="Maison de quartier",
        language="en",
        postit_label="Idée",
        video_url_template="https://meet.jit.si/atelier-{workshop}-{group}",
        self_choice=True,
        in_breakouts=True,
        status=Workshop.Status.CLOSED,
    )
    workshop.refresh_from_db()
    return workshop


# Blueprints


@pytest.mark.parametrize(
    ("blueprint", "expected"),
    [
        (
            "world_cafe",
            [
                (5, "plenary", "welcome"),
                (20, "breakouts", "brainstorm"),
                (20, "breakouts", "brainstorm"),
                (20, "breakouts", "brainstorm"),
                (15, "plenary", "share"),
            ],
        ),
        (
            "brainstorm_vote_conclude",
            [
                (5, "plenary", "poll"),
                (15, "breakouts", "brainstorm"),
                (5, "breakouts", "dot_vote"),
                (15, "breakouts", "write"),
                (10, "plenary", "share"),
            ],
        ),
        (
            "plenary_consultation",
            [
                (5, "plenary", "poll"),
                (10, "plenary", "welcome"),
                (20, "plenary", "brainstorm"),
                (10, "plenary", "dot_vote"),
                (10, "plenary", "share"),
            ],
        ),
    ],
)
def test_each_blueprint_creates_its_agenda_in_order(organizer, blueprint, expected):
    workshop = services.workshop_create_from_blueprint(
        organizer=organizer, blueprint=blueprint, title="Parc", place="Mairie", language="en"
    )
    assert shape(workshop) == expected
    assert [p for p, *_rest in agenda(workshop)] == list(range(len(expected)))
    assert set(workshop.phases.values_list("status", flat=True)) == {Phase.Status.PLANNED}
    assert (workshop.title, workshop.place, workshop.language) == ("Parc", "Mairie", "en")
    assert workshop.organizer == organizer and not workshop.is_template


def test_the_world_cafe_has_three_rounds_between_welcome_and_harvest(organizer):
    with translation.override("en"):
        workshop = services.workshop_create_from_blueprint(
            organizer=organizer, blueprint="world_cafe", title="Café"
        )
    assert [title for _p, title, *_rest in agenda(workshop)] == [
        "Welcome",
        "First round",
        "Second round",
        "Third round",
        "Harvest",
    ]


def test_blueprint_titles_are_stored_in_the_organizers_language(organizer):
    with translation.override("en"):
        workshop = services.workshop_create_from_blueprint(
            organizer=organizer, blueprint="plenary_consultation", title="Budget", language="fr"
        )
    with translation.override("fr"):
        titles = [title for _p, title, *_rest in agenda(workshop)]
    assert titles[:3] == ["Welcome poll", "Information", "Ideas"]


def test_a_blueprint_workshop_is_an_ordinary_workshop_with_its_streams(organizer):
    workshop = services.workshop_create_from_blueprint(
        organizer=organizer, blueprint="world_cafe", title="Café"
    )
    assert len(workshop.join_code) == 6 and workshop.projector_token
    keys = set(Stream.objects.filter(workshop=workshop).values_list("key", flat=True))
    assert keys == {"workshop", "facilitators"}


def test_an_unknown_blueprint_is_refused_and_creates_nothing(organizer):
    with pytest.raises(Refused) as refusal:
        services.workshop_create_from_blueprint(organizer=organizer, blueprint="nope", title="X")
    assert refusal.value.code == "not_found"
    assert not Workshop.objects.exists()


def test_a_blueprint_with_a_bad_title_creates_nothing(organizer):
    with pytest.raises(Refused) as refusal:
        services.workshop_create_from_blueprint(
            organizer=organizer, blueprint="world_cafe", title=" "
        )
    assert refusal.value.code == "empty"
    assert not Workshop.objects.exists() and not Phase.objects.exists()


def test_every_blueprint_fits_the_phase_model():
    for blueprint in BLUEPRINTS.values():
        for phase in blueprint.phases:
            assert phase.scope in Phase.Scope.values
            assert phase.activity in Phase.Activity.values
            assert len(str(phase.title)) <= Phase._meta.get_field("title").max_length


# Duplicating


def test_duplicating_copies_the_settings_and_the_agenda_all_planned(organizer, ran_workshop):
    copy = services.workshop_duplicate(user=organizer, source_id=ran_workshop.pk, title="Parc 2")
    assert copy.pk != ran_workshop.pk and copy.title == "Parc 2"
    assert (copy.purpose, copy.place, copy.language) == (
        "Imaginer le parc de demain",
        "Maison de quartier",
        "en",
    )
    assert copy.postit_label == "Idée" and copy.self_choice
    assert copy.video_url_template == "https://meet.jit.si/atelier-{workshop}-{group}"
    assert copy.organizer == organizer and not copy.is_template
    assert copy.status == Workshop.Status.OPEN and not copy.in_breakouts
    assert [row[1:] for row in agenda(copy)] == [row[1:] for row in agenda(ran_workshop)]
    assert [p for p, *_rest in agenda(copy)] == [0, 1, 2]
    phases = copy.phases.all()
    assert {p.status for p in phases} == {Phase.Status.PLANNED}
    assert all(p.started_at is p.ended_at is p.ends_at is None for p in phases)


def test_a_copy_has_its_own_join_code_projector_token_and_streams(organizer, ran_workshop):
    copy = services.workshop_duplicate(user=organizer, source_id=ran_workshop.pk)
    assert copy.title == ran_workshop.title
    assert copy.join_code != ran_workshop.join_code
    assert copy.projector_token != ran_workshop.projector_token
    groups = list(copy.groups.order_by("position"))
    expected = {"workshop", "facilitators", *(f"group:{group.pk}" for group in groups)}
    keys = set(Stream.objects.filter(workshop=copy).values_list("key", flat=True))
    assert keys == expected
    assert Stream.objects.filter(workshop=copy).exclude(last_seq=0).count() == 0


def test_duplicating_never_copies_people_post_its_members_or_events(organizer, ran_workshop):
    copy = services.workshop_duplicate(user=organizer, source_id=ran_workshop.pk)
    assert not copy.participants.exists()
    assert not copy.postits.exists()
    assert not Event.objects.filter(stream__workshop=copy).exists()
    assert not copy.facilitators.exists()
    copied = [(g.name, g.kind) for g in copy.groups.order_by("position")]
    assert copied == [(g.name, g.kind) for g in ran_workshop.groups.order_by("position")]
    assert not Group.objects.filter(workshop=copy, members__isnull=False).exists()


def test_the_source_is_left_as_it_was(organizer, ran_workshop):
    before = (agenda(ran_workshop), ran_workshop.participants.count(), PostIt.objects.count())
    services.workshop_duplicate(user=organizer, source_id=ran_workshop.pk)
    after = (agenda(ran_workshop), ran_workshop.participants.count(), PostIt.objects.count())
    assert before == after


def test_saving_as_a_template_makes_a_workshop_nobody_joins(organizer, ran_workshop):
    template = services.workshop_duplicate(
        user=organizer, source_id=ran_workshop.pk, as_template=True
    )
    assert template.is_template and template.title == ran_workshop.title
    assert not Workshop.objects.get(pk=ran_workshop.pk).is_template


def test_a_workshop_started_from_a_template_is_not_a_template(organizer, ran_workshop):
    template = services.workshop_duplicate(
        user=organizer, source_id=ran_workshop.pk, as_template=True
    )
    workshop = services.workshop_duplicate(user=organizer, source_id=template.pk, title="Saison 2")
    assert not workshop.is_template and shape(workshop) == shape(template)


def test_a_facilitator_may_duplicate_and_organizes_the_copy(facilitator, ran_workshop):
    copy = services.workshop_duplicate(user=facilitator, source_id=ran_workshop.pk)
    assert copy.organizer == facilitator
    assert shape(copy) == shape(ran_workshop)


def test_a_stranger_cannot_duplicate_a_workshop(stranger, ran_workshop):
    with pytest.raises(Refused) as refusal:
        services.workshop_duplicate(user=stranger, source_id=ran_workshop.pk)
    assert refusal.value.code == "forbidden"
    assert Workshop.objects.count() == 1


@pytest.mark.parametrize("source_id", [0, 10**9, "1", None])
def test_duplicating_a_workshop_that_does_not_exist_is_refused(organizer, source_id):
    with pytest.raises(Refused) as refusal:
        services.workshop_duplicate(user=organizer, source_id=source_id)
    assert refusal.value.code == "not_found"


def test_a_copy_with_an_empty_title_is_refused_and_creates_nothing(organizer, ran_workshop):
    with pytest.raises(Refused) as refusal:
        services.workshop_duplicate(user=organizer, source_id=ran_workshop.pk, title="  ")
    assert refusal.value.code == "empty"
    assert Workshop.objects.count() == 1


def test_a_running_phase_copies_as_planned(organizer, workshop, lead):
    phase = services.phase_add(
        actor=lead, title="Accueil", minutes=5, scope="plenary", activity="welcome"
    )
    services.phase_start(actor=lead, phase_id=phase.pk)
    services.phase_pause(actor=lead)
    copy = services.workshop_duplicate(user=organizer, source_id=workshop.pk)
    copied = copy.phases.get()
    assert copied.status == Phase.Status.PLANNED and copied.paused_remaining is None


# The post-it label


def test_the_organizer_names_post_its_and_empty_goes_back_to_post_it(organizer, workshop):
    services.workshop_set_label(user=organizer, workshop_id=workshop.pk, postit_label=" Idée ")
    assert Workshop.objects.get(pk=workshop.pk).postit_name == "Idée"
    services.workshop_set_label(user=organizer, workshop_id=workshop.pk, postit_label="  ")
    workshop.refresh_from_db()
    assert workshop.postit_label == ""
    with translation.override("en"):
        assert workshop.postit_name == "Post-it"


def test_a_facilitator_may_name_post_its(facilitator, workshop):
    services.workshop_set_label(
        user=facilitator, workshop_id=workshop.pk, postit_label="Constat / opportunité"
    )
    assert Workshop.objects.get(pk=workshop.pk).postit_label == "Constat / opportunité"


def test_a_label_longer_than_forty_characters_is_refused(organizer, workshop):
    with pytest.raises(Refused) as refusal:
        services.workshop_set_label(user=organizer, workshop_id=workshop.pk, postit_label="x" * 41)
    assert refusal.value.code == "too_long"
    services.workshop_set_label(user=organizer, workshop_id=workshop.pk, postit_label="x" * 40)
    assert Workshop.objects.get(pk=workshop.pk).postit_label == "x" * 40


def test_a_stranger_cannot_name_post_its(stranger, workshop):
    with pytest.raises(Refused) as refusal:
        services.workshop_set_label(user=stranger, workshop_id=workshop.pk, postit_label="Idée")
    assert refusal.value.code == "forbidden"
    assert Workshop.objects.get(pk=workshop.pk).postit_label == ""


# Co-facilitators


@pytest.fixture
def camille(db):
    """An account that does not facilitate the workshop yet."""
    return get_user_model().objects.create_user(
        "camille", email="Camille.Martin@example.org", password="camille-pass-123"
    )


@pytest.mark.parametrize("typed", ["camille", "CAMILLE", " Camille ", "camille.martin@EXAMPLE.org"])
def test_the_organizer_invites_an_account_by_username_or_email_in_any_case(
    organizer, workshop, camille, typed
):
    invitee = services.facilitator_invite(
        user=organizer, workshop_id=workshop.pk, username_or_email=typed
    )
    assert invitee == camille
    assert list(workshop.facilitators.all()) == [camille]


def test_inviting_twice_changes_nothing(organizer, workshop, camille):
    for _time in range(2):
        services.facilitator_invite(
            user=organizer, workshop_id=workshop.pk, username_or_email="camille"
        )
    assert list(workshop.facilitators.all()) == [camille]


def test_an_invited_facilitator_leads_the_workshop(organizer, workshop, camille):
    services.facilitator_invite(
        user=organizer, workshop_id=workshop.pk, username_or_email="camille"
    )
    services.workshop_set_label(user=camille, workshop_id=workshop.pk, postit_label="Idée")
    assert Workshop.objects.get(pk=workshop.pk).postit_label == "Idée"


@pytest.mark.parametrize("typed", ["nobody", "nobody@example.org", ""])
def test_inviting_an_unknown_account_is_refused(organizer, workshop, camille, typed):
    with pytest.raises(Refused) as refusal:
        services.facilitator_invite(
            user=organizer, workshop_id=workshop.pk, username_or_email=typed
        )
    assert refusal.value.code in ({"unknown_account"} if typed else {"empty"})
    assert not workshop.facilitators.exists()


def test_a_deactivated_account_cannot_be_invited(organizer, workshop, camille):
    camille.is_active = False
    camille.save()
    with pytest.raises(Refused) as refusal:
        services.facilitator_invite(
            user=organizer, workshop_id=workshop.pk, username_or_email="camille"
        )
    assert refusal.value.code == "unknown_account"


def test_the_organizer_cannot_invite_themself(organizer, workshop):
    with pytest.raises(Refused) as refusal:
        services.facilitator_invite(
            user=organizer, workshop_id=workshop.pk, username_or_email="OLIVIA"
        )
    assert refusal.value.code == "is_organizer"
    assert not workshop.facilitators.exists()


def test_an_email_shared_by_two_accounts_is_ambiguous_but_a_username_is_not(
    organizer, workshop, camille
):
    get_user_model().objects.create_user("camille2", email="camille.martin@example.org")
    with pytest.raises(Refused) as refusal:
        services.facilitator_invite(
            user=organizer, workshop_id=workshop.pk, username_or_email="camille.martin@example.org"
        )
    assert refusal.value.code == "ambiguous_account"
    invitee = services.facilitator_invite(
        user=organizer, workshop_id=workshop.pk, username_or_email="camille2"
    )
    assert invitee.username == "camille2"


def test_an_exact_username_wins_over_one_that_differs_only_in_case(organizer, workshop, camille):
    upper = get_user_model().objects.create_user("Camille")
    invitee = services.facilitator_invite(
        user=organizer, workshop_id=workshop.pk, username_or_email="Camille"
    )
    assert invitee == upper


def test_only_the_organizer_invites_and_removes(facilitator, workshop, camille, stranger):
    for user in (facilitator, stranger):
        with pytest.raises(Refused) as refusal:
            services.facilitator_invite(
                user=user, workshop_id=workshop.pk, username_or_email="mallory"
            )
        assert refusal.value.code == "forbidden"
        with pytest.raises(Refused) as refusal:
            services.facilitator_remove(
                user=user, workshop_id=workshop.pk, facilitator_id=facilitator.pk
            )
        assert refusal.value.code == "forbidden"
    assert list(workshop.facilitators.all()) == [facilitator]


def test_the_organizer_removes_a_facilitator_who_then_leads_nothing(
    organizer, workshop, facilitator
):
    removed = services.facilitator_remove(
        user=organizer, workshop_id=workshop.pk, facilitator_id=facilitator.pk
    )
    assert removed == facilitator and not workshop.facilitators.exists()
    with pytest.raises(Refused) as refusal:
        services.workshop_set_label(user=facilitator, workshop_id=workshop.pk, postit_label="Idée")
    assert refusal.value.code == "forbidden"


def test_removing_someone_who_does_not_facilitate_is_refused(organizer, workshop, stranger):
    for facilitator_id in (stranger.pk, organizer.pk, str(stranger.pk), None):
        with pytest.raises(Refused) as refusal:
            services.facilitator_remove(
                user=organizer, workshop_id=workshop.pk, facilitator_id=facilitator_id
            )
        assert refusal.value.code == "not_found"


def test_none_of_these_commands_publishes_an_event(organizer, workshop, camille):
    before = Event.objects.count()
    services.workshop_create_from_blueprint(organizer=organizer, blueprint="world_cafe", title="C")
    services.workshop_duplicate(user=organizer, source_id=workshop.pk, as_template=True)
    services.workshop_set_label(user=organizer, workshop_id=workshop.pk, postit_label="Idée")
    services.facilitator_invite(
        user=organizer, workshop_id=workshop.pk, username_or_email="camille"
    )
    services.facilitator_remove(user=organizer, workshop_id=workshop.pk, facilitator_id=camille.pk)
    assert Event.objects.count() == before


# Poll phases come with their poll


def in_english(template: str, context: dict) -> str:
    with translation.override("en"):
        return render_to_string(template, context)


def lead_of(workshop: Workshop, organizer) -> Actor:
    return Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)


@pytest.mark.parametrize("blueprint", ["brainstorm_vote_conclude", "plenary_consultation"])
def test_a_blueprints_poll_phase_comes_with_a_draft_poll_it_opens(organizer, blueprint):
    with translation.override("en"):
        workshop = services.workshop_create_from_blueprint(
            organizer=organizer, blueprint=blueprint, title="Parc", language="en"
        )
    phase = workshop.phases.get(activity=Phase.Activity.POLL)
    poll = Poll.objects.get(workshop=workshop)
    assert (poll.phase, poll.group, poll.status) == (phase, None, Poll.Status.DRAFT)
    assert poll.question == "How do you feel about today's topic?"
    assert poll.options.count() >= 2
    services.phase_start(actor=lead_of(workshop, organizer), phase_id=phase.pk)
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.OPEN
    now = in_english("workshops/partials/now.html", selectors.agenda_context(workshop.pk))
    assert "Answer the poll." in now


def test_a_blueprints_poll_is_written_in_the_organizers_language(organizer):
    with translation.override("fr"):
        workshop = services.workshop_create_from_blueprint(
            organizer=organizer, blueprint="brainstorm_vote_conclude", title="Parc"
        )
    assert (
        Poll.objects.get(workshop=workshop).question
        == "Comment abordez-vous le sujet du jour\u00a0?"
    )


def test_a_poll_phase_without_a_poll_tells_people_it_is_coming(organizer):
    workshop = services.workshop_create_from_blueprint(
        organizer=organizer, blueprint="brainstorm_vote_conclude", title="Parc", language="en"
    )
    lead = lead_of(workshop, organizer)
    poll = Poll.objects.get(workshop=workshop)
    services.poll_delete(actor=lead, poll_id=poll.pk)
    services.phase_start(actor=lead, phase_id=workshop.phases.get(activity="poll").pk)
    now = in_english("workshops/partials/now.html", selectors.agenda_context(workshop.pk))
    assert "The poll is coming." in now and "Answer the poll." not in now
    panel = in_english("workshops/partials/polls_panel.html", selectors.console_polls(workshop))
    assert "write the question of each poll phase" in panel
    asked = services.poll_create(actor=lead, question="Prêts ?", kind="scale")
    services.poll_open(actor=lead, poll_id=asked.pk)
    now = in_english("workshops/partials/now.html", selectors.agenda_context(workshop.pk))
    assert "Answer the poll." in now


def test_duplicating_copies_the_prepared_polls_as_drafts_without_answers(organizer):
    source = services.workshop_create_from_blueprint(
        organizer=organizer, blueprint="brainstorm_vote_conclude", title="Parc", language="en"
    )
    lead = lead_of(source, organizer)
    services.phase_start(actor=lead, phase_id=source.phases.get(activity="poll").pk)
    person = services.participant_join(workshop=source, display_name="Léa", location="room")
    poll = Poll.objects.get(workshop=source)
    services.poll_answer(
        actor=Actor(source.pk, Role.PARTICIPANT, participant_id=person.pk),
        poll_id=poll.pk,
        answer=poll.options.first().pk,
    )
    copy = services.workshop_duplicate(user=organizer, source_id=source.pk)
    copied = Poll.objects.get(workshop=copy)
    assert copied.phase == copy.phases.get(activity="poll")
    assert (copied.status, copied.question) == (Poll.Status.DRAFT, poll.question)
    assert list(copied.options.values_list("label", flat=True)) == list(
        poll.options.values_list("label", flat=True)
    )
    assert not copied.answers.exists() and poll.answers.count() == 1
