"""Personal data of participants (GDPR): what each app holds about one, and how it forgets.

Every app that keeps something about a participant is a *provider*: a module exposing

    export_participant(participant) -> dict       # what it holds, as JSON-ready data
    anonymize_participant(participant) -> None    # forget who they are, keep what they did

named in `PERSONAL_DATA_PROVIDERS`. A participant's download gathers every provider's
export; an erasure (on request, or at the end of the workshop's retention) calls every
provider's anonymize in one transaction (workshops.services.privacy). This module is the
workshop's own provider: display name, tablet signatures, presence and the speaking queue.
Contributions (post-its, dots, answers, conclusions) stay, attributed to nobody; the event
log carries ids only, so it needs no rewrite.
"""

from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from workshops.models import Dot, Participant, PollAnswer, PostIt, Workshop

PERSONAL_DATA_PROVIDERS: list[str] = [
    "workshops.privacy",
    "deliberation.privacy",
]


def collect_personal_data(participant: Participant) -> dict:
    """Everything the apps hold about one participant, keyed by provider."""
    return {
        path: import_string(f"{path}.export_participant")(participant)
        for path in PERSONAL_DATA_PROVIDERS
    }


def erase_personal_data(participant: Participant) -> None:
    """Every provider forgets the participant (the caller holds the transaction)."""
    for path in PERSONAL_DATA_PROVIDERS:
        import_string(f"{path}.anonymize_participant")(participant)


def stamp(moment) -> str | None:
    return moment.isoformat() if moment else None


def export_participant(participant: Participant) -> dict:
    """The workshop's data about a participant: who they said they were, where they sat,
    what they wrote, voted and answered (their own words, with the workshop's context)."""
    workshop = participant.workshop
    postits = PostIt.objects.filter(author=participant).select_related("group")
    dots = Dot.objects.filter(participant=participant).select_related(
        "phase", "postit", "conclusion__group"
    )
    answers = PollAnswer.objects.filter(participant=participant).select_related("poll")
    return {
        "workshop": {
            "title": workshop.title,
            "place": workshop.place,
            "created_at": stamp(workshop.created_at),
            "closed_at": stamp(workshop.closed_at),
        },
        "participant": {
            "display_name": participant.display_name,
            "kind": participant.kind,
            "location": participant.location,
            "group": participant.group.name if participant.group else None,
            "joined_at": stamp(participant.joined_at),
            "last_seen_at": stamp(participant.last_seen_at),
            "hand_raised_at": stamp(participant.hand_raised_at),
            "anonymized_at": stamp(participant.anonymized_at),
        },
        "postits": [
            {
                "text": postit.text,
                "signature": postit.signature,
                "color": postit.color,
                "board": postit.group.name if postit.group else None,
                "created_at": stamp(postit.created_at),
                "updated_at": stamp(postit.updated_at),
                "deleted_at": stamp(postit.deleted_at),
                "hidden_at": stamp(postit.hidden_at),
            }
            for postit in postits
        ],
        "dots": [
            {
                "phase": dot.phase.title,
                "postit": dot.postit.text if dot.postit else None,
                "conclusion_of": dot.conclusion.group.name if dot.conclusion else None,
                "created_at": stamp(dot.created_at),
            }
            for dot in dots
        ],
        "poll_answers": [
            {
                "question": answer.poll.question,
                "respondent": answer.respondent,
                "choices": [
                    option.label for option in answer.poll.options.filter(pk__in=answer.choices)
                ],
                "value": answer.value,
                "words": list(answer.words),
                "text": answer.text,
                "answered_at": stamp(answer.answered_at),
            }
            for answer in answers
        ],
    }


def anonymized_name(workshop: Workshop) -> str:
    with translation.override(workshop.language):
        return _("Anonymous participant")


def anonymize_participant(participant: Participant) -> None:
    """The name becomes neutral, first names typed at a tablet go, presence and the hand
    are cleared, and `anonymized_at` makes every session of theirs act as nobody."""
    participant.display_name = anonymized_name(participant.workshop)
    participant.anonymized_at = participant.anonymized_at or timezone.now()
    participant.last_seen_at = None
    participant.hand_raised_at = None
    participant.save(
        update_fields=["display_name", "anonymized_at", "last_seen_at", "hand_raised_at"]
    )
    PostIt.objects.filter(author=participant).exclude(signature="").update(signature="")
    Workshop.objects.filter(pk=participant.workshop_id, speaker=participant).update(speaker=None)


def retention_job(job) -> dict:
    """The daily job: participants of workshops past their retention are anonymized."""
    from workshops.services.privacy import participants_anonymize_expired

    return {"anonymized": participants_anonymize_expired()}
