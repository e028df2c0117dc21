"""Creating workshops (blank, from a blueprint, or as a copy), their settings, and joining them."""

import secrets
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from live import streams
from live.broadcast import emit
from live.models import Stream
from workshops.blueprints import BLUEPRINTS, PollSpec
from workshops.errors import Refused
from workshops.models import (
    DISPLAY_NAME_MAX_LENGTH,
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    Group,
    Participant,
    Phase,
    Poll,
    PollOption,
    Workshop,
)
from workshops.services.common import clean_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

POSTIT_LABEL_MAX_LENGTH = Workshop._meta.get_field("postit_label").max_length


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _i in range(JOIN_CODE_LENGTH))


def workshop_create(
    *,
    organizer,
    title: str,
    purpose: str = "",
    place: str = "",
    language: str = "fr",
    join_code: str | None = None,
) -> Workshop:
    """Create an open workshop with a fresh join code and its event streams."""
    title = clean_text(title, field=_("Title"), max_length=200)
    for _attempt in range(10):
        try:
            with transaction.atomic():
                workshop = Workshop.objects.create(
                    organizer=organizer,
                    title=title,
                    purpose=purpose.strip(),
                    place=place.strip(),
                    language=language,
                    join_code=join_code or new_join_code(),
                    projector_token=secrets.token_urlsafe(18),
                    scribe_token=secrets.token_urlsafe(18),
                )
                Stream.objects.bulk_create(
                    Stream(workshop=workshop, key=key)
                    for key in (streams.WORKSHOP, streams.FACILITATORS)
                )
                return workshop
        except IntegrityError:
            if join_code:
                raise Refused("code_taken", _("This join code is already in use.")) from None
    raise Refused("code_exhausted", _("No free join code was found; please try again."))


def participant_join(
    *,
    workshop: Workshop,
    display_name: str,
    location: str,
    kind: str = Participant.Kind.PERSON,
) -> Participant:
    """A guest joins with a display name and where they are; no account is created.

    A scribe (who opened the console's scribe link) joins the same way, as a scribe.
    """
    name = clean_text(display_name, field=_("Display name"), max_length=DISPLAY_NAME_MAX_LENGTH)
    if location not in Participant.Location.values:
        raise Refused("invalid", _("Say whether you are in the room or remote."))
    if kind not in (Participant.Kind.PERSON, Participant.Kind.SCRIBE):
        raise Refused("invalid", _("Tablets join through their table's pairing code."))
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if workshop.status == Workshop.Status.CLOSED:
            raise Refused("closed", _("This workshop is closed."))
        participant = Participant.objects.create(
            workshop=workshop, display_name=name, location=location, kind=kind
        )
        emit(
            workshop_id=workshop.pk,
            stream=streams.FACILITATORS,
            name="participant.joined",
            data={"participant": participant.pk, "location": location, "group": None},
        )
    return participant


def _workshop_led_by(
    user, workshop_id: object, *, organizer_only: bool = False, lock: bool = False
) -> Workshop:
    """The workshop, if `user` organizes it (or, unless `organizer_only`, facilitates it);
    with `lock`, its row locked until the transaction ends."""
    found = Workshop.objects.select_for_update() if lock else Workshop.objects
    workshop = found.filter(pk=workshop_id).first() if type(workshop_id) is int else None
    if workshop is None:
        raise Refused("not_found", _("This workshop does not exist."))
    if workshop.organizer_id == user.pk:
        return workshop
    if organizer_only:
        raise Refused("forbidden", _("Only the workshop's organizer can do this."))
    if not workshop.facilitators.filter(pk=user.pk).exists():
        raise Refused("forbidden", _("Only the workshop's facilitators can do this."))
    return workshop


def workshop_create_from_blueprint(
    *,
    organizer,
    blueprint: str,
    title: str,
    purpose: str = "",
    place: str = "",
    language: str = "fr",
) -> Workshop:
    """A new workshop whose agenda is one of the built-in blueprints, titled in the active
    language (the organizer's, who reads and edits them first)."""
    spec = BLUEPRINTS.get(blueprint)
    if spec is None:
        raise Refused("not_found", _("This built-in template does not exist."))
    with transaction.atomic():
        workshop = workshop_create(
            organizer=organizer, title=title, purpose=purpose, place=place, language=language
        )
        phases = Phase.objects.bulk_create(
            Phase(
                workshop=workshop,
                position=position,
                title=str(phase.title),
                planned_minutes=phase.minutes,
                scope=phase.scope,
                activity=phase.activity,
            )
            for position, phase in enumerate(spec.phases)
        )
        for phase, phase_spec in zip(phases, spec.phases, strict=True):
            if phase_spec.poll is not None:
                _prepare_poll(phase, phase_spec.poll)
    return workshop


def _prepare_poll(phase: Phase, spec: PollSpec) -> None:
    """The blueprint's plenary poll, a draft its phase opens when it starts."""
    poll = Poll.objects.create(
        workshop=phase.workshop, phase=phase, kind=spec.kind, question=str(spec.question)
    )
    PollOption.objects.bulk_create(
        PollOption(poll=poll, position=position, label=str(label))
        for position, label in enumerate(spec.options)
    )


def workshop_duplicate(
    *, user, source_id: int, title: str | None = None, as_template: bool = False
) -> Workshop:
    """A copy of a workshop's settings, agenda and (empty) groups, organized by `user`.

    What happened in the source stays there: no participant, post-it, group member, event,
    timing or co-facilitator is copied. The copy gets its own join code and projector token.
    """
    source = _workshop_led_by(user, source_id)
    with transaction.atomic():
        copy = workshop_create(
            organizer=user,
            title=source.title if title is None else title,
            purpose=source.purpose,
            place=source.place,
            language=source.language,
        )
        copy.postit_label = source.postit_label
        copy.anonymous = source.anonymous
        copy.video_url_template = source.video_url_template
        copy.self_choice = source.self_choice
        copy.is_template = as_template
        copy.save(
            update_fields=[
                "postit_label",
                "anonymous",
                "video_url_template",
                "self_choice",
                "is_template",
            ]
        )
        phases = _copy_agenda(source, copy)
        groups = _copy_groups(source, copy)
        _copy_prepared_polls(source, phases, groups)
    return copy


def _copy_agenda(source: Workshop, copy: Workshop) -> dict[int, Phase]:
    """The phases in order, all planned again: timings belong to the session that ran.
    Returns the copies by the source phase's id."""
    originals = list(source.phases.order_by("position", "id"))
    copies = Phase.objects.bulk_create(
        Phase(
            workshop=copy,
            position=position,
            title=phase.title,
            planned_minutes=phase.planned_minutes,
            scope=phase.scope,
            activity=phase.activity,
            dots_per_person=phase.dots_per_person,
            dots_stack=phase.dots_stack,
            dots_results_live=phase.dots_results_live,
        )
        for position, phase in enumerate(originals)
    )
    return {original.pk: phase for original, phase in zip(originals, copies, strict=True)}


def _copy_groups(source: Workshop, copy: Workshop) -> dict[int, Group]:
    """The tables and online groups, without their members, each with its event stream.
    Returns the copies by the source group's id."""
    originals = list(source.groups.order_by("position", "id"))
    groups = Group.objects.bulk_create(
        Group(workshop=copy, name=group.name, kind=group.kind, position=group.position)
        for group in originals
    )
    Stream.objects.bulk_create(
        Stream(workshop=copy, key=streams.group_stream(group.pk)) for group in groups
    )
    return {original.pk: group for original, group in zip(originals, groups, strict=True)}


def _copy_prepared_polls(
    source: Workshop, phases: dict[int, Phase], groups: dict[int, Group]
) -> None:
    """The polls prepared for a phase, as drafts again: the questions are part of the
    agenda, the answers belong to the session that ran."""
    prepared = source.polls.filter(phase__isnull=False).prefetch_related("options")
    for poll in prepared.order_by("created_at", "id"):
        copy = Poll.objects.create(
            workshop=phases[poll.phase_id].workshop,
            phase=phases[poll.phase_id],
            group=groups.get(poll.group_id),
            kind=poll.kind,
            question=poll.question,
            max_choices=poll.max_choices,
            results=poll.results,
            tablet_per_person=poll.tablet_per_person,
        )
        PollOption.objects.bulk_create(
            PollOption(poll=copy, position=option.position, label=option.label)
            for option in poll.options.all()
        )


def workshop_set_label(*, user, workshop_id: int, postit_label: str) -> Workshop:
    """What participants call a post-it ("Idée"…); empty goes back to "Post-it"."""
    workshop = _workshop_led_by(user, workshop_id)
    if isinstance(postit_label, str) and not postit_label.strip():
        label = ""
    else:
        label = clean_text(
            postit_label, field=_("Name of a post-it"), max_length=POSTIT_LABEL_MAX_LENGTH
        )
    workshop.postit_label = label
    workshop.save(update_fields=["postit_label"])
    return workshop


def workshop_set_anonymous(*, user, workshop_id: int, anonymous: bool) -> Workshop:
    """Show post-its' authors to nobody but the facilitators, or to everyone again. Every
    board is redrawn at once: a name must not stay on a screen after it was hidden."""
    if type(anonymous) is not bool:
        raise Refused("invalid", _("Say whether post-its are anonymous."))
    with transaction.atomic():
        # Locked before it is read: a post-it being written holds this row shared until
        # it commits, and its frame shows its author's name or not from what it read then
        # (`postit_create`); the boards are redrawn after it, never before.
        workshop = _workshop_led_by(user, workshop_id, lock=True)
        if workshop.anonymous != anonymous:
            workshop.anonymous = anonymous
            workshop.save(update_fields=["anonymous"])
            emit(
                workshop_id=workshop.pk,
                stream=streams.WORKSHOP,
                name="board.configured",
                data={"open": workshop.board_open, "anonymous": anonymous},
            )
            # Every board is drawn again, each on its own stream: names appear or
            # disappear at once, and no group receives another group's board.
            for group_id in [None, *workshop.groups.values_list("id", flat=True)]:
                emit(
                    workshop_id=workshop.pk,
                    stream=streams.board_stream(group_id),
                    name="board.redrawn",
                    data={"group": group_id},
                )
    return workshop


def facilitator_invite(*, user, workshop_id: int, username_or_email: str) -> "User":
    """Make an existing account a co-facilitator; inviting them twice changes nothing."""
    workshop = _workshop_led_by(user, workshop_id, organizer_only=True)
    invitee = _account_named(username_or_email)
    if invitee.pk == workshop.organizer_id:
        raise Refused("is_organizer", _("You already organize this workshop."))
    workshop.facilitators.add(invitee)
    return invitee


def _account_named(username_or_email: object) -> "User":
    """The active account with this username, or else this e-mail address, in any case."""
    wanted = clean_text(username_or_email, field=_("Username or e-mail address"), max_length=254)
    accounts = get_user_model().objects.filter(is_active=True)
    # The exact username first: "Bob" and "bob" may be two accounts.
    for lookup in (Q(username=wanted), Q(username__iexact=wanted), Q(email__iexact=wanted)):
        matches = list(accounts.filter(lookup)[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise Refused(
                "ambiguous_account", _("Several accounts match; give the exact username instead.")
            )
    raise Refused("unknown_account", _("No account has this username or e-mail address."))


def facilitator_remove(*, user, workshop_id: int, facilitator_id: int) -> "User":
    """Take a co-facilitator off the workshop; returns who was removed."""
    workshop = _workshop_led_by(user, workshop_id, organizer_only=True)
    facilitator = (
        workshop.facilitators.filter(pk=facilitator_id).first()
        if type(facilitator_id) is int
        else None
    )
    if facilitator is None:
        raise Refused("not_found", _("This person does not facilitate this workshop."))
    workshop.facilitators.remove(facilitator)
    return facilitator
