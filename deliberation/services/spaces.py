"""Spaces: their settings, themes, states, team and workshops. Organizers only."""

import secrets
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from deliberation.models import BUILT_IN_STATE_NAMES, ProposalState, Space, SpaceMember, Theme
from deliberation.people import Viewer
from deliberation.permissions import Action, require
from deliberation.selectors import workshop_space
from deliberation.services.common import space_of
from workshops.errors import Refused
from workshops.jobs import job_enqueue
from workshops.models import Workshop
from workshops.services.common import clean_text

SPACE_TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5_000
THEME_MAX_LENGTH = 80
STATE_TITLE_MAX_LENGTH = 60
MAX_REPORTS_TO_HIDE = 100
MAX_EDIT_MINUTES = 24 * 60

# The default list (CitizenLab's and Decidim's, as PRODUCT.md names it). Rows the organizer
# may rename, recolor, reorder, complete or delete.
DEFAULT_STATES = [
    {
        "key": "not_answered",
        "color": "gray",
        "is_default": True,
        "can_be_answer": False,
        "notifies_followers": False,
    },
    {"key": "evaluating", "color": "blue"},
    {"key": "accepted", "color": "green", "counts_as_accepted": True},
    {"key": "rejected", "color": "red", "ends_voting": True},
    {"key": "implemented", "color": "purple", "counts_as_accepted": True},
]
STATE_FLAGS = ("can_be_answer", "notifies_followers", "counts_as_accepted", "ends_voting")


def leads_workshop(user, workshop: Workshop) -> bool:
    return workshop.organizer_id == user.pk or workshop.facilitators.filter(pk=user.pk).exists()


def unique_slug(title: str) -> str:
    base = slugify(title)[:50].strip("-") or "space"
    slug = base
    while Space.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


def space_create(
    *,
    user,
    title: str,
    description: str = "",
    language: str | None = None,
    workshop: Workshop | None = None,
) -> Space:
    """A space with the default states, in the organizer's language; optionally fed by a
    workshop they lead."""
    title = clean_text(title, field=_("The title"), max_length=SPACE_TITLE_MAX_LENGTH)
    language = language or translation.get_language() or "fr"
    if workshop is not None and not leads_workshop(user, workshop):
        raise Refused("forbidden", _("Only the workshop's facilitators can do this."))
    with transaction.atomic():
        if workshop is not None:
            # Locked: a double click makes one space, the second is refused.
            Workshop.objects.select_for_update().filter(pk=workshop.pk).first()
            existing = workshop_space(user, workshop, title)
            if existing is not None:
                raise Refused(
                    "duplicate",
                    _("The space “%(title)s” already exists for this workshop.")
                    % {"title": existing.title},
                )
        space = Space.objects.create(
            title=title,
            slug=unique_slug(title),
            description=description.strip()[:DESCRIPTION_MAX_LENGTH],
            language=language[:8],
            organizer=user,
        )
        # The title, in the space's language, is for exports and the admin; pages show the key's.
        with translation.override(space.language):
            ProposalState.objects.bulk_create(
                ProposalState(
                    space=space,
                    position=position,
                    title=str(BUILT_IN_STATE_NAMES[row["key"]]),
                    **row,
                )
                for position, row in enumerate(DEFAULT_STATES)
            )
        if workshop is not None:
            space.workshops.add(workshop)
    return space


def _whole(value: object, *, field: str, low: int, high: int, optional: bool) -> int | None:
    if value is None and optional:
        return None
    if type(value) is not int or not low <= value <= high:
        raise Refused(
            "invalid",
            _("%(field)s is a whole number from %(low)d to %(high)d.")
            % {"field": field, "low": low, "high": high},
        )
    return value


def space_update(
    *,
    viewer: Viewer,
    title: str,
    description: str,
    guests_may_propose: bool,
    guests_may_comment: bool,
    guests_may_vote: bool,
    votes_open: bool,
    support_threshold: int | None,
    support_deadline: datetime | None,
    supports_per_person: int | None,
    reports_to_hide: int,
    comment_edit_minutes: int,
) -> Space:
    with transaction.atomic():
        space = space_of(viewer, lock=True)
        require(viewer, Action.CONFIGURE, space)
        space.title = clean_text(title, field=_("The title"), max_length=SPACE_TITLE_MAX_LENGTH)
        space.description = description.strip()[:DESCRIPTION_MAX_LENGTH]
        space.guests_may_propose = bool(guests_may_propose)
        space.guests_may_comment = bool(guests_may_comment)
        space.guests_may_vote = bool(guests_may_vote)
        space.votes_open = bool(votes_open)
        space.support_threshold = _whole(
            support_threshold, field=_("The threshold"), low=1, high=10**7, optional=True
        )
        space.supports_per_person = _whole(
            supports_per_person, field=_("The limit"), low=1, high=10_000, optional=True
        )
        space.reports_to_hide = _whole(
            reports_to_hide,
            field=_("The number of reports"),
            low=1,
            high=MAX_REPORTS_TO_HIDE,
            optional=False,
        )
        space.comment_edit_minutes = _whole(
            comment_edit_minutes,
            field=_("The editing time"),
            low=0,
            high=MAX_EDIT_MINUTES,
            optional=False,
        )
        deadline_moved = space.support_deadline != support_deadline
        space.support_deadline = support_deadline
        space.save()
        if deadline_moved and support_deadline and support_deadline > timezone.now():
            # The handler checks the deadline is still this one: moving it is harmless.
            job_enqueue(
                kind="deliberation.supports_closed",
                payload={"space": space.pk, "deadline": support_deadline.isoformat()},
                run_at=support_deadline,
                dedupe_key=f"supports-closed:{space.pk}:{support_deadline.isoformat()}",
            )
    return space


def _configured_space(viewer: Viewer) -> Space:
    space = space_of(viewer, lock=True)
    require(viewer, Action.CONFIGURE, space)
    return space


def _theme_name(space: Space, name: object, *, excluding: int | None = None) -> str:
    name = clean_text(name, field=_("The theme"), max_length=THEME_MAX_LENGTH)
    if space.themes.filter(name__iexact=name).exclude(pk=excluding).exists():
        raise Refused("duplicate", _("There is already a theme with this name."))
    return name


def theme_add(*, viewer: Viewer, name: str) -> Theme:
    with transaction.atomic():
        space = _configured_space(viewer)
        position = (space.themes.aggregate(last=Max("position"))["last"] or 0) + 1
        return Theme.objects.create(space=space, name=_theme_name(space, name), position=position)


def _theme(space: Space, theme_id: object) -> Theme:
    theme = space.themes.filter(pk=theme_id).first() if type(theme_id) is int else None
    if theme is None:
        raise Refused("not_found", _("This theme does not exist."))
    return theme


def theme_rename(*, viewer: Viewer, theme_id: int, name: str) -> Theme:
    with transaction.atomic():
        space = _configured_space(viewer)
        theme = _theme(space, theme_id)
        theme.name = _theme_name(space, name, excluding=theme.pk)
        theme.save(update_fields=["name"])
    return theme


def theme_delete(*, viewer: Viewer, theme_id: int) -> None:
    """Its proposals keep no theme; their versions still name it."""
    with transaction.atomic():
        _theme(_configured_space(viewer), theme_id).delete()


def _state(space: Space, state_id: object) -> ProposalState:
    state = space.states.filter(pk=state_id).first() if type(state_id) is int else None
    if state is None:
        raise Refused("not_found", _("This state does not exist."))
    return state


def _state_fields(space: Space, title: object, color: object, flags: dict) -> dict:
    if color not in ProposalState.Color.values:
        raise Refused("invalid", _("Unknown color."))
    unknown = set(flags) - set(STATE_FLAGS)
    if unknown:
        raise ValueError(f"unknown state flags {sorted(unknown)}")
    return {
        "title": clean_text(title, field=_("The state's title"), max_length=STATE_TITLE_MAX_LENGTH),
        "color": color,
        **{flag: bool(value) for flag, value in flags.items()},
    }


def state_add(*, viewer: Viewer, title: str, color: str, **flags: bool) -> ProposalState:
    with transaction.atomic():
        space = _configured_space(viewer)
        fields = _state_fields(space, title, color, flags)
        position = (space.states.aggregate(last=Max("position"))["last"] or 0) + 1
        return ProposalState.objects.create(space=space, position=position, **fields)


def state_update(
    *, viewer: Viewer, state_id: int, title: str, color: str, **flags: bool
) -> ProposalState:
    with transaction.atomic():
        space = _configured_space(viewer)
        state = _state(space, state_id)
        shown = state.name
        for field, value in _state_fields(space, title, color, flags).items():
            setattr(state, field, value)
        if state.title != shown:
            state.key = ""  # renamed: the organizer's name from now on, in every language
        if state.is_default and state.can_be_answer:
            # New proposals start unanswered: the default state is never an answer.
            raise Refused("invalid", _("The state of new proposals cannot be an answer."))
        state.save()
    return state


def state_set_default(*, viewer: Viewer, state_id: int) -> ProposalState:
    with transaction.atomic():
        space = _configured_space(viewer)
        state = _state(space, state_id)
        if state.can_be_answer:
            raise Refused("invalid", _("The state of new proposals cannot be an answer."))
        space.states.filter(is_default=True).update(is_default=False)
        state.is_default = True
        state.save(update_fields=["is_default"])
    return state


def state_delete(*, viewer: Viewer, state_id: int) -> None:
    """Only a state nobody uses: proposals and answers keep the state they were given."""
    from deliberation.models import Answer

    with transaction.atomic():
        space = _configured_space(viewer)
        state = _state(space, state_id)
        if state.is_default:
            raise Refused("in_use", _("The state of new proposals cannot be deleted."))
        if state.proposals.exists() or Answer.objects.filter(state=state).exists():
            raise Refused(
                "in_use",
                _("Proposals are or were in this state: rename it instead of deleting it."),
            )
        state.delete()


def member_add(*, viewer: Viewer, username_or_email: str, role: str) -> SpaceMember:
    if role not in SpaceMember.Role.values:
        raise Refused("invalid", _("Unknown role."))
    wanted = clean_text(username_or_email, field=_("The username or email"), max_length=254)
    users = get_user_model().objects.filter(
        Q(username__iexact=wanted) | Q(email__iexact=wanted), is_active=True
    )
    user = users.first() if users.count() == 1 else None
    if user is None:
        raise Refused("not_found", _("Nobody has this username or email."))
    with transaction.atomic():
        space = _configured_space(viewer)
        if user.pk == space.organizer_id:
            raise Refused("invalid", _("This is the space's organizer."))
        member, _created = SpaceMember.objects.update_or_create(
            space=space, user=user, defaults={"role": role}
        )
    return member


def member_remove(*, viewer: Viewer, user_id: int) -> None:
    with transaction.atomic():
        space = _configured_space(viewer)
        removed, _kinds = SpaceMember.objects.filter(space=space, user_id=user_id).delete()
        if not removed:
            raise Refused("not_found", _("This person is not in the space's team."))


def space_link_workshop(*, viewer: Viewer, user, workshop_id: int, linked: bool) -> Space:
    """Feed the space from a workshop the organizer leads: its guests take part here."""
    with transaction.atomic():
        space = _configured_space(viewer)
        workshop = (
            Workshop.objects.filter(pk=workshop_id, is_template=False).first()
            if type(workshop_id) is int
            else None
        )
        if workshop is None or not leads_workshop(user, workshop):
            raise Refused("not_found", _("No workshop you lead has this code."))
        if linked:
            space.workshops.add(workshop)
        else:
            space.workshops.remove(workshop)
    return space
