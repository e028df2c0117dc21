"""Proposals: made directly or from a closed workshop's outcomes, edited (every edit is a
version), published, withdrawn by their authors, merged when they are duplicates."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import provenance
from deliberation.models import (
    AUTHOR_NAME_MAX_LENGTH,
    LOCATION_MAX_LENGTH,
    PROPOSAL_BODY_MAX_LENGTH,
    PROPOSAL_TITLE_MAX_LENGTH,
    Follow,
    Notification,
    Person,
    Proposal,
    ProposalAuthor,
    ProposalVersion,
    Provenance,
    Space,
)
from deliberation.pace import check_pace
from deliberation.people import SpaceRole, Viewer, person_of
from deliberation.permissions import Action, allowed, require
from deliberation.services.common import proposal_for, require_open, space_of
from deliberation.services.follows import follow_add, follow_workshop_people, notify_followers
from deliberation.services.votes import recount_votes
from workshops.errors import Refused
from workshops.models import Cluster, Conclusion, Group, PostIt, Workshop
from workshops.services.common import clean_text

OUTCOME_KINDS = {"conclusion": Conclusion, "cluster": Cluster, "postit": PostIt}


def _fields(title: object, body: object, location: object) -> dict:
    location = location.strip() if isinstance(location, str) else ""
    if len(location) > LOCATION_MAX_LENGTH:
        raise Refused(
            "too_long",
            _("%(field)s is limited to %(max)d characters (%(length)d given).")
            % {"field": _("The location"), "max": LOCATION_MAX_LENGTH, "length": len(location)},
        )
    return {
        "title": clean_text(title, field=_("The title"), max_length=PROPOSAL_TITLE_MAX_LENGTH),
        "body": clean_text(body, field=_("The text"), max_length=PROPOSAL_BODY_MAX_LENGTH),
        "location": location,
    }


def _theme(space: Space, theme_id: object):
    if theme_id is None:
        return None
    theme = space.themes.filter(pk=theme_id).first() if type(theme_id) is int else None
    if theme is None:
        raise Refused("not_found", _("This theme does not exist."))
    return theme


def person_name(person: Person | None) -> str:
    """How a person is named on a proposal or a comment: their account's name, their
    workshop display name (none in an anonymous workshop), or nothing once anonymized."""
    if person is None or person.anonymized_at is not None:
        return ""
    if person.user_id is not None:
        return person.user.get_full_name() or person.user.get_username()
    participant = person.participant
    if participant is None or participant.workshop.anonymous:
        return ""
    return participant.display_name


def _author_rows(space: Space, viewer: Viewer, specs: list[dict] | None) -> list[ProposalAuthor]:
    """Authors a guest is (themselves), or those an organizer names: themselves, groups and
    workshops of the space, an organization's name."""
    me = person_of(viewer)
    if not allowed(viewer, Action.EDIT_ANY, space) or not specs:
        return [ProposalAuthor(kind=ProposalAuthor.Kind.PERSON, person=me, name=person_name(me))]
    rows = []
    workshops = space.workshops.all()
    for spec in specs:
        kind, ref = spec.get("kind"), spec.get("id")
        if kind == ProposalAuthor.Kind.PERSON:
            rows.append(ProposalAuthor(kind=kind, person=me, name=person_name(me)))
        elif kind == ProposalAuthor.Kind.GROUP:
            group = Group.objects.filter(pk=ref, workshop__in=workshops).first()
            if group is None:
                raise Refused("not_found", _("This group does not exist."))
            rows.append(ProposalAuthor(kind=kind, group=group, name=group.name[:80]))
        elif kind == ProposalAuthor.Kind.WORKSHOP:
            workshop = workshops.filter(pk=ref).first()
            if workshop is None:
                raise Refused("not_found", _("No workshop you lead has this code."))
            rows.append(ProposalAuthor(kind=kind, workshop=workshop, name=workshop.title[:80]))
        elif kind == ProposalAuthor.Kind.ORGANIZATION:
            name = clean_text(
                spec.get("name"), field=_("The author's name"), max_length=AUTHOR_NAME_MAX_LENGTH
            )
            rows.append(ProposalAuthor(kind=kind, name=name))
        else:
            raise Refused("invalid", _("Unknown kind of author."))
    return rows


def _save_authors(proposal: Proposal, rows: list[ProposalAuthor]) -> None:
    proposal.authors.all().delete()
    seen = set()
    for position, row in enumerate(rows):
        key = (row.kind, row.person_id, row.group_id, row.workshop_id, row.name)
        if key in seen:
            continue
        seen.add(key)
        row.proposal, row.position = proposal, position
        row.save()


def _record_version(proposal: Proposal, editor: Person | None) -> ProposalVersion:
    last = proposal.versions.aggregate(last=Max("number"))["last"] or 0
    proposal.version = last + 1
    Proposal.objects.filter(pk=proposal.pk).update(version=proposal.version)
    return ProposalVersion.objects.create(
        proposal=proposal,
        number=proposal.version,
        title=proposal.title,
        body=proposal.body,
        theme=proposal.theme.name if proposal.theme else "",
        location=proposal.location,
        edited_by=editor,
    )


def _new_proposal(space: Space, creator: Person, fields: dict, theme) -> Proposal:
    """Numbered under the space's lock: #1, #2… without gaps or twins."""
    number = (space.proposals.aggregate(last=Max("number"))["last"] or 0) + 1
    default_state = space.states.filter(is_default=True).first()
    if default_state is None:
        raise Refused("invalid", _("The space has no state for new proposals."))
    return Proposal.objects.create(
        space=space,
        number=number,
        state=default_state,
        created_by=creator,
        theme=theme,
        version=0,
        **fields,
    )


def proposal_create(
    *,
    viewer: Viewer,
    title: str,
    body: str,
    theme_id: int | None = None,
    location: str = "",
    authors: list[dict] | None = None,
) -> Proposal:
    """A draft, made directly: published later by its author or the organizer."""
    fields = _fields(title, body, location)
    with transaction.atomic():
        space = space_of(viewer, lock=True)
        require(viewer, Action.CREATE, space)
        check_pace(viewer, "proposals")
        creator = person_of(viewer)
        proposal = _new_proposal(space, creator, fields, _theme(space, theme_id))
        _save_authors(proposal, _author_rows(space, viewer, authors))
        _record_version(proposal, creator)
    return proposal


def _outcome_row(workshop: Workshop, kind: object, object_id: object):
    model = OUTCOME_KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise Refused("invalid", _("Unknown kind of outcome."))
    rows = model.objects.filter(workshop=workshop)
    if model is PostIt:
        rows = provenance.visible(rows)
    found = rows.filter(pk=object_id).first() if type(object_id) is int else None
    if found is None:
        raise Refused("not_found", _("This outcome does not exist."))
    return found


def _outcome(workshop: Workshop, kind: str, object_id: int) -> provenance.Outcome:
    row = _outcome_row(workshop, kind, object_id)
    build = {
        "conclusion": provenance.from_conclusion,
        "cluster": provenance.from_cluster,
        "postit": provenance.from_postit,
    }[kind]
    return build(row, max_title=PROPOSAL_TITLE_MAX_LENGTH)


def _outcome_authors(outcome: provenance.Outcome) -> list[ProposalAuthor]:
    if outcome.group is not None:
        return [ProposalAuthor(kind="group", group=outcome.group, name=outcome.group.name[:80])]
    workshop = outcome.workshop
    return [ProposalAuthor(kind="workshop", workshop=workshop, name=workshop.title[:80])]


def proposal_from_outcome(
    *, viewer: Viewer, user, workshop_id: int, kind: str, object_id: int
) -> Proposal:
    """A draft made from a closed workshop's conclusion, cluster or post-it, in one action:
    its title and text taken from the outcome, its authors the group (or the workshop), its
    provenance frozen. The organizer edits it before publishing it."""
    from deliberation.services.spaces import leads_workshop

    with transaction.atomic():
        space = space_of(viewer, lock=True)
        require(viewer, Action.EDIT_ANY, space)
        workshop = Workshop.objects.filter(pk=workshop_id, is_template=False).first()
        if workshop is None or not leads_workshop(user, workshop):
            raise Refused("not_found", _("No workshop you lead has this code."))
        if workshop.status != Workshop.Status.CLOSED:
            raise Refused(
                "not_closed",
                _("Close the workshop first: its outcomes become proposals once it is over."),
            )
        outcome = _outcome(workshop, kind, object_id)
        space.workshops.add(workshop)
        creator = person_of(viewer)
        fields = {
            "title": outcome.title[:PROPOSAL_TITLE_MAX_LENGTH] or workshop.title[:150],
            "body": outcome.body[:PROPOSAL_BODY_MAX_LENGTH] or outcome.title,
            "location": workshop.place[:LOCATION_MAX_LENGTH],
        }
        proposal = _new_proposal(space, creator, fields, None)
        Provenance.objects.create(
            proposal=proposal,
            kind=outcome.kind,
            workshop=workshop,
            group=outcome.group,
            phase=outcome.phase,
            conclusion=outcome.conclusion,
            cluster=outcome.cluster,
            postit=outcome.postit,
            snapshot=outcome.snapshot,
        )
        _save_authors(proposal, _outcome_authors(outcome))
        _record_version(proposal, creator)
    return proposal


def is_person_author(viewer: Viewer, proposal: Proposal) -> bool:
    if viewer.participant_id is not None:
        return proposal.authors.filter(person__participant_id=viewer.participant_id).exists()
    if viewer.user_id is not None:
        return proposal.authors.filter(person__user_id=viewer.user_id).exists()
    return False


def may_edit(viewer: Viewer, proposal: Proposal) -> bool:
    """Organizers edit any proposal (its history is public). Its person authors edit it
    until someone votes on it or it is answered (what people supported stays what it was)."""
    if proposal.is_closed:
        return False
    if allowed(viewer, Action.EDIT_ANY, proposal.space):
        return True
    if viewer.role != SpaceRole.GUEST or not is_person_author(viewer, proposal):
        return False
    return proposal.answered_at is None and not proposal.votes.exists()


def proposal_update(
    *,
    viewer: Viewer,
    proposal_id: int,
    title: str,
    body: str,
    theme_id: int | None = None,
    location: str = "",
    authors: list[dict] | None = None,
) -> Proposal:
    """Change what a proposal says; an edit that changes something is a new version."""
    fields = _fields(title, body, location)
    with transaction.atomic():
        proposal = proposal_for(viewer, proposal_id, lock=True)
        if not may_edit(viewer, proposal):
            raise Refused("forbidden", _("You cannot edit this proposal."))
        theme = _theme(proposal.space, theme_id)
        before = (proposal.title, proposal.body, proposal.location, proposal.theme_id)
        for name, value in fields.items():
            setattr(proposal, name, value)
        proposal.theme = theme
        proposal.save()
        if authors is not None and allowed(viewer, Action.EDIT_ANY, proposal.space):
            _save_authors(proposal, _author_rows(proposal.space, viewer, authors))
        after = (proposal.title, proposal.body, proposal.location, proposal.theme_id)
        if after != before:
            _record_version(proposal, person_of(viewer))
    return proposal


def proposal_publish(*, viewer: Viewer, proposal_id: int) -> Proposal:
    """A draft becomes public. Its creator follows it, and so do the participants of its
    workshop who left an email."""
    with transaction.atomic():
        proposal = proposal_for(viewer, proposal_id, lock=True)
        if not (allowed(viewer, Action.EDIT_ANY, proposal.space) or may_edit(viewer, proposal)):
            raise Refused("forbidden", _("You cannot publish this proposal."))
        if proposal.is_published:
            return proposal
        proposal.status = Proposal.Status.PUBLISHED
        proposal.published_at = timezone.now()
        proposal.save(update_fields=["status", "published_at"])
        if proposal.created_by is not None:
            follow_add(proposal.created_by, proposal)
        follow_workshop_people(proposal)
    return proposal


def proposal_withdraw(*, viewer: Viewer, proposal_id: int) -> Proposal:
    """Its authors take it back: it stays visible, with its history, flagged and dated; it
    takes no more votes. Not a state: the organizer's answer, if any, stays what it was."""
    with transaction.atomic():
        proposal = proposal_for(viewer, proposal_id, lock=True)
        if not (is_person_author(viewer, proposal) or viewer.is_organizer):
            raise Refused("forbidden", _("Only its authors can withdraw a proposal."))
        require_open(proposal)
        proposal.withdrawn_at = timezone.now()
        proposal.save(update_fields=["withdrawn_at"])
        notify_followers(proposal, Notification.Kind.WITHDRAWN, exclude=person_of(viewer).pk)
    return proposal


def proposal_merge(*, viewer: Viewer, proposal_id: int, into_id: int) -> Proposal:
    """A duplicate joins another proposal: both show the trace. The duplicate's votes move
    where their voter has not voted yet (one vote per person), its followers follow the
    other one; its comments stay on it, readable."""
    with transaction.atomic():
        space = space_of(viewer)
        require(viewer, Action.MERGE, space)
        if proposal_id == into_id:
            raise Refused("invalid", _("A proposal cannot be merged into itself."))
        # Both rows locked in id order: two merges never wait for each other in a circle.
        first, second = sorted((proposal_id, into_id), key=lambda pk: pk if type(pk) is int else 0)
        locked = {pk: proposal_for(viewer, pk, lock=True) for pk in (first, second)}
        duplicate, target = locked[proposal_id], locked[into_id]
        for proposal in (duplicate, target):
            require_open(proposal)
        duplicate.merged_into = target
        duplicate.merged_at = timezone.now()
        duplicate.save(update_fields=["merged_into", "merged_at"])
        voted_target = target.votes.values("person_id")
        duplicate.votes.exclude(person_id__in=voted_target).update(proposal=target)
        recount_votes(duplicate)
        recount_votes(target)
        followers = duplicate.follows.values_list("person_id", flat=True)
        Follow.objects.bulk_create(
            [Follow(person_id=pk, proposal=target) for pk in followers], ignore_conflicts=True
        )
        notify_followers(
            duplicate,
            Notification.Kind.MERGED,
            exclude=person_of(viewer).pk,
            data={"into": target.number, "title": target.title},
        )
    return duplicate
