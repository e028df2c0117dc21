"""A whole small workshop played through the services, as the minutes' tests read it.

"Réaménager le parc Jean-Moulin": a welcome poll, ideas in two groups (a table in the
room with its tablet and a scribe, an online group), a dot vote, the groups' conclusions,
a plenary vote on them, notes by the facilitators, then the workshop is closed.
"""

from dataclasses import dataclass

from tests.support.personas import as_participant
from workshops import services
from workshops.actors import Actor, Role
from workshops.models import Conclusion, Group, Participant, Poll, PostIt, Workshop


@dataclass
class Story:
    workshop: Workshop
    lead: Actor
    table: Group
    online: Group
    people: dict[str, Participant]
    postits: dict[str, PostIt]
    poll: Poll


def play(workshop: Workshop, organizer, *, texts: dict[str, str] | None = None) -> Story:
    """Play the workshop; `texts` replaces some of what people write (by key)."""
    texts = {**DEFAULT_TEXTS, **(texts or {})}
    Workshop.objects.filter(pk=workshop.pk).update(
        purpose="Choisir ensemble les aménagements du parc.", place="Salle des fêtes"
    )
    workshop.refresh_from_db()
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)

    def phase(title, minutes, scope, activity, **dots):
        return services.phase_add(
            actor=lead, title=title, minutes=minutes, scope=scope, activity=activity, **dots
        )

    welcome = phase("Sondage d'accueil", 5, "plenary", "poll")
    ideas = phase("Idées en groupes", 15, "breakouts", "brainstorm")
    dots = phase("Vote par gommettes", 5, "breakouts", "dot_vote", dots=3, dots_stack=True)
    conclude = phase("Conclusion de groupe", 15, "breakouts", "write")
    plenary = phase("Restitution et vote", 10, "plenary", "dot_vote", dots=1)
    phase("Pot de clôture", 10, "plenary", "welcome")  # never held

    table, online = services.groups_create(actor=lead, count=1, kind="table") + (
        services.groups_create(actor=lead, count=1, kind="online")
    )
    services.group_rename(actor=lead, group_id=table.pk, name=texts["table"])
    services.group_rename(actor=lead, group_id=online.pk, name="Groupe en ligne")
    table.refresh_from_db()

    join = services.participant_join
    people = {
        "alice": join(workshop=workshop, display_name="Alice Martin", location="remote"),
        "bob": join(workshop=workshop, display_name="Bob Durand", location="room"),
        "chloe": join(workshop=workshop, display_name="Chloé Petit", location="room"),
        "scribe": join(
            workshop=workshop,
            display_name="Sam Scribe",
            location="room",
            kind=Participant.Kind.SCRIBE,
        ),
    }
    services.participants_assign(actor=lead, strategy="by_location")
    services.tablet_pairing_open(actor=lead, group_id=table.pk)
    table.refresh_from_db()
    people["tablet"] = services.tablet_pair(pairing_code=table.pairing_code)

    poll = services.poll_create(
        actor=lead,
        question=texts["question"],
        kind="single",
        options=["Oui", texts["option"]],
        phase_id=welcome.pk,
    )
    services.phase_start(actor=lead, phase_id=welcome.pk)
    yes, other = poll.options.order_by("position")
    for name, option in (("alice", yes), ("bob", yes), ("chloe", other)):
        services.poll_answer(actor=as_participant(people[name]), poll_id=poll.pk, answer=option.pk)
    services.phase_pause(actor=lead)
    services.phase_resume(actor=lead)

    services.phase_start(actor=lead, phase_id=ideas.pk)
    write = services.postit_create
    postits = {
        "benches": write(actor=as_participant(people["bob"]), text=texts["benches"]),
        "trees": write(actor=as_participant(people["chloe"]), text="Planter des arbres"),
        "shade": write(actor=as_participant(people["chloe"]), text="Plus d'ombre l'été"),
        "tablet": write(
            actor=as_participant(people["tablet"]), text="Des jeux d'eau", signature="Jeanne"
        ),
        "paper": write(
            actor=as_participant(people["scribe"]), text="Un kiosque à musique", table=table.pk
        ),
        "lights": write(actor=as_participant(people["alice"]), text=texts["lights"]),
        "rude": write(actor=as_participant(people["alice"]), text="Un message déplacé"),
        "oops": write(actor=as_participant(people["alice"]), text="Doublon effacé"),
    }
    services.phase_extend(actor=lead, minutes=5)
    services.cluster_create(
        actor=lead,
        name=texts["cluster"],
        group_id=table.pk,
        postit_ids=[postits["trees"].pk, postits["benches"].pk],
    )
    services.postit_merge(actor=lead, postit_id=postits["shade"].pk, into_id=postits["trees"].pk)
    services.postit_hide(actor=lead, postit_id=postits["rude"].pk)
    services.postit_delete(actor=as_participant(people["alice"]), postit_id=postits["oops"].pk)

    services.phase_start(actor=lead, phase_id=dots.pk)
    for name, target in (
        ("bob", "trees"),
        ("bob", "trees"),
        ("chloe", "trees"),
        ("chloe", "benches"),
        ("tablet", "tablet"),
        ("alice", "lights"),
    ):
        services.dot_add(actor=as_participant(people[name]), postit_id=postits[target].pk)

    services.phase_start(actor=lead, phase_id=conclude.pk)
    Conclusion.objects.create(workshop=workshop, group=table, markdown=texts["conclusion"])
    Conclusion.objects.create(
        workshop=workshop, group=online, markdown="Éclairer les allées le soir."
    )
    services.conclusions_share(actor=lead, shared=True)
    services.phase_start(actor=lead, phase_id=plenary.pk)
    table_conclusion, online_conclusion = Conclusion.objects.filter(workshop=workshop).order_by(
        "group__position"
    )
    for name, conclusion in (
        ("alice", online_conclusion),
        ("bob", table_conclusion),
        ("chloe", table_conclusion),
    ):
        services.dot_add(actor=as_participant(people[name]), conclusion_id=conclusion.pk)
    services.phase_note(actor=lead, phase_id=ideas.pk, notes=texts["notes"])
    services.workshop_close(actor=lead)
    workshop.refresh_from_db()
    return Story(workshop, lead, table, online, people, postits, poll)


DEFAULT_TEXTS = {
    "table": "Table du kiosque",
    "question": "Venez-vous souvent au parc ?",
    "option": "Rarement",
    "benches": "Des bancs à l'ombre",
    "lights": "Éclairer les allées",
    "cluster": "Nature",
    "conclusion": "## Nature\n\n- Planter des **arbres**\n- Des bancs _à l'ombre_",
    "notes": "Le groupe en ligne a démarré en retard.\n\nBonne énergie à la table.",
}
