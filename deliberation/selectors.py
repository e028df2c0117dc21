"""Read-only queries of deliberation. Pages get what they show, in a few queries."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Prefetch, Q, QuerySet

from deliberation.models import (
    Answer,
    Comment,
    CommentVote,
    Follow,
    Notification,
    Person,
    Proposal,
    ProposalAuthor,
    Space,
    Vote,
)
from deliberation.people import Viewer, existing_person
from deliberation.permissions import Action, allowed
from workshops.models import Cluster, Conclusion, Participant, PostIt, Workshop

PROPOSALS_PER_PAGE = 12
COMMENTS_PER_PAGE = 20
REPLIES_PER_PAGE = 20
# Random order, stable per visitor: (id × seed) mod a prime shuffles ids the same way for
# one seed (kept in the visitor's session), differently for another.
RANDOM_PRIME = 1_000_003
SORTS = ("newest", "supported", "commented", "random")


def space_by_slug(slug: str) -> Space | None:
    return Space.objects.select_related("organizer").filter(slug=slug).first()


def team_spaces(user) -> list[Space]:
    return list(
        Space.objects.filter(Q(organizer=user) | Q(members__user=user))
        .distinct()
        .annotate(published=Count("proposals", filter=Q(proposals__status="published")))
        .order_by("-created_at", "-id")
    )


def organized_spaces(user) -> list[Space]:
    return list(
        Space.objects.filter(Q(organizer=user) | Q(members__user=user, members__role="organizer"))
        .distinct()
        .order_by("-created_at", "-id")
    )


def workshop_space(user, workshop: Workshop, title: str | None = None) -> Space | None:
    """The space already made for this workshop's proposals: linked to it, or one of the
    person's spaces, bearing that title (the workshop's by default)."""
    return (
        Space.objects.filter(
            Q(workshops=workshop) | Q(organizer=user), title=title or workshop.title
        )
        .order_by("created_at", "id")
        .first()
    )


def with_display(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return proposals.select_related(
        "state", "theme", "space", "provenance__workshop", "merged_into"
    ).prefetch_related(
        Prefetch(
            "authors",
            queryset=ProposalAuthor.objects.select_related(
                "person__user", "person__participant__workshop"
            ),
        )
    )


def listed_proposals(space: Space, viewer: Viewer) -> QuerySet[Proposal]:
    """Published proposals; hidden ones only for the team (who sees them marked)."""
    proposals = space.proposals.filter(status=Proposal.Status.PUBLISHED)
    if not allowed(viewer, Action.MODERATE, space):
        proposals = proposals.filter(hidden_at=None)
    return proposals


@dataclass
class Filters:
    theme: int | None = None
    state: int | None = None
    workshop: int | None = None
    q: str = ""
    sort: str = "newest"
    closed: bool = False  # include withdrawn and merged ones
    page: int = 1

    @property
    def active(self) -> bool:
        return bool(self.theme or self.state or self.workshop or self.q or self.closed)


def parse_filters(params) -> Filters:
    def whole(name: str) -> int | None:
        value = params.get(name, "")
        return int(value) if value.isdigit() and len(value) < 10 else None

    sort = params.get("sort", "newest")
    return Filters(
        theme=whole("theme"),
        state=whole("state"),
        workshop=whole("workshop"),
        q=params.get("q", "").strip()[:100],
        sort=sort if sort in SORTS else "newest",
        closed=params.get("closed") == "1",
        page=whole("page") or 1,
    )


def proposal_page(space: Space, viewer: Viewer, filters: Filters, seed: int) -> Page:
    proposals = listed_proposals(space, viewer)
    if not filters.closed:
        proposals = proposals.filter(withdrawn_at=None, merged_into=None)
    if filters.theme:
        proposals = proposals.filter(theme_id=filters.theme)
    if filters.state:
        proposals = proposals.filter(state_id=filters.state)
    if filters.workshop:
        proposals = proposals.filter(provenance__workshop_id=filters.workshop)
    if filters.q:
        proposals = proposals.filter(Q(title__icontains=filters.q) | Q(body__icontains=filters.q))
    order = {
        "newest": ["-published_at", "-id"],
        "supported": ["-supports_count", "-published_at", "-id"],
        "commented": ["-comments_count", "-published_at", "-id"],
    }.get(filters.sort)
    if order is None:
        shuffle = ExpressionWrapper(F("id") * seed % RANDOM_PRIME, output_field=BigIntegerField())
        proposals = proposals.annotate(shuffle=shuffle)
        order = ["shuffle", "id"]
    paginator = Paginator(with_display(proposals.order_by(*order)), PROPOSALS_PER_PAGE)
    return paginator.get_page(filters.page)


def space_workshops(space: Space) -> list[Workshop]:
    return list(space.workshops.order_by("-created_at", "-id"))


def drafts(space: Space, viewer: Viewer) -> list[Proposal]:
    """Drafts the viewer may finish: all of them for the team, their own for others."""
    proposals = space.proposals.filter(status=Proposal.Status.DRAFT)
    if not allowed(viewer, Action.READ_DRAFTS, space):
        person = existing_person(viewer)
        if person is None:
            return []
        proposals = proposals.filter(created_by=person)
    return list(with_display(proposals.order_by("-created_at", "-id")))


def proposal_by_number(space: Space, number: int) -> Proposal | None:
    return with_display(space.proposals.filter(number=number)).first()


@dataclass
class VoteBox:
    """The votes of a proposal as the viewer sees them."""

    proposal: Proposal
    mine: str | None
    may_vote: bool
    refusal: str  # why the viewer may not vote, when they may not
    threshold: int | None
    supports_left: int | None

    @property
    def mine_label(self) -> str:
        return str(dict(Vote.Value.choices).get(self.mine, ""))


def vote_box(proposal: Proposal, viewer: Viewer) -> VoteBox:
    from deliberation.services.votes import require_votes_open, supports_used
    from workshops.errors import Refused

    space = proposal.space
    person = existing_person(viewer)
    mine = (
        Vote.objects.filter(proposal=proposal, person=person)
        .values_list("value", flat=True)
        .first()
        if person
        else None
    )
    refusal = ""
    try:
        from deliberation.permissions import require

        require(viewer, Action.VOTE, space)
        require_votes_open(space, proposal)
    except Refused as refused:
        refusal = refused.message
    left = None
    if space.supports_per_person and viewer.known and not refusal:
        used = supports_used(person, space) if person else 0
        left = max(0, space.supports_per_person - used)
    return VoteBox(proposal, mine, not refusal, refusal, space.support_threshold, left)


def latest_answer(proposal: Proposal) -> Answer | None:
    return (
        proposal.answers.exclude(published_at=None)
        .select_related("state", "author")
        .order_by("-published_at", "-id")
        .first()
    )


def staged_answer(proposal: Proposal) -> Answer | None:
    return proposal.answers.filter(published_at=None).select_related("state").first()


def earlier_answers(proposal: Proposal, latest: Answer | None) -> list[Answer]:
    if latest is None:
        return []
    return list(
        proposal.answers.exclude(published_at=None)
        .exclude(pk=latest.pk)
        .select_related("state")
        .order_by("-published_at", "-id")
    )


def is_following(proposal: Proposal, viewer: Viewer) -> bool:
    person = existing_person(viewer)
    return bool(person and Follow.objects.filter(proposal=proposal, person=person).exists())


def comment_display(comments: QuerySet[Comment]) -> QuerySet[Comment]:
    return comments.select_related(
        "author__user",
        "author__participant__workshop",
        "parent__author__user",
        "parent__author__participant__workshop",
        "proposal__space",
    )


def root_comments(proposal: Proposal, page: int) -> Page:
    """A page of a proposal's threads, oldest first; their replies load on demand (large
    threads were Decidim's worst slowness)."""
    roots = comment_display(proposal.comments.filter(root=None)).order_by("created_at", "id")
    return Paginator(roots, COMMENTS_PER_PAGE).get_page(page)


def replies(root: Comment, page: int) -> Page:
    thread = comment_display(Comment.objects.filter(root=root)).order_by("created_at", "id")
    return Paginator(thread, REPLIES_PER_PAGE).get_page(page)


def comment_by_id(space: Space, comment_id: int) -> Comment | None:
    return comment_display(Comment.objects.filter(pk=comment_id, proposal__space=space)).first()


def my_comment_votes(viewer: Viewer, comments) -> dict[int, int]:
    person = existing_person(viewer)
    ids = [comment.pk for comment in comments]
    if person is None or not ids:
        return {}
    return dict(
        CommentVote.objects.filter(person=person, comment_id__in=ids).values_list(
            "comment_id", "value"
        )
    )


def reply_page_of(comment: Comment) -> int:
    """The page of its thread's replies a reply is on (for its permalink)."""
    if comment.root_id is None:
        return 1
    before = Comment.objects.filter(root_id=comment.root_id).filter(
        Q(created_at__lt=comment.created_at) | Q(created_at=comment.created_at, id__lt=comment.pk)
    )
    return before.count() // REPLIES_PER_PAGE + 1


# The outcomes of a closed workshop, for the organizer to turn into proposals.


@dataclass
class OutcomeItem:
    kind: str
    row: object
    dots: int
    proposals: list = field(default_factory=list)


@dataclass
class BoardOutcomes:
    name: str
    clusters: list[OutcomeItem]
    postits: list[OutcomeItem]


def _born(workshop: Workshop) -> dict[tuple[str, int], list[Proposal]]:
    """Proposals already made from this workshop, by the outcome they came from."""
    born: dict[tuple[str, int], list[Proposal]] = {}
    proposals = Proposal.objects.filter(provenance__workshop=workshop).select_related(
        "provenance", "space", "state"
    )
    for proposal in proposals.order_by("number"):
        source = proposal.provenance
        ref = source.conclusion_id or source.cluster_id or source.postit_id
        if ref is not None:
            born.setdefault((source.kind, ref), []).append(proposal)
    return born


def workshop_outcomes(workshop: Workshop) -> dict:
    from deliberation.provenance import board_vote_phase, dot_counts, plenary_result, visible

    born = _born(workshop)
    conclusions = [
        OutcomeItem("conclusion", conclusion, 0, born.get(("conclusion", conclusion.pk), []))
        for conclusion in Conclusion.objects.filter(workshop=workshop)
        .exclude(markdown="")
        .select_related("group")
        .order_by("group__position", "group_id")
    ]
    for item in conclusions:
        item.result = plenary_result(item.row)
        item.dots = item.result["dots"] if item.result else 0
    conclusions.sort(key=lambda item: -item.dots)
    boards = []
    groups = [None, *workshop.groups.order_by("position", "id")]
    for group in groups:
        group_id = group.pk if group else None
        postits = list(visible(PostIt.objects.filter(workshop=workshop, group_id=group_id)))
        if not postits:
            continue
        counts = dot_counts(board_vote_phase(workshop, group_id), [p.pk for p in postits])
        clusters = []
        for cluster in Cluster.objects.filter(workshop=workshop, group_id=group_id):
            members = [postit for postit in postits if postit.cluster_id == cluster.pk]
            total = sum(counts.get(postit.pk, 0) for postit in members)
            clusters.append(
                OutcomeItem("cluster", cluster, total, born.get(("cluster", cluster.pk), []))
            )
            cluster.size = len(members)
        items = [
            OutcomeItem(
                "postit", postit, counts.get(postit.pk, 0), born.get(("postit", postit.pk), [])
            )
            for postit in postits
        ]
        clusters.sort(key=lambda item: -item.dots)
        items.sort(key=lambda item: (-item.dots, item.row.created_at))
        boards.append(BoardOutcomes(group.name if group else "", clusters, items))
    return {"conclusions": conclusions, "boards": boards}


# What became of my ideas.


def followup(people: list[Person], participants: list[Participant]) -> dict:
    """The proposals born from the workshops these participants took part in, the ones
    these people follow, and their notifications."""
    session_workshops = sorted({participant.workshop_id for participant in participants})
    born = with_display(
        Proposal.objects.filter(
            provenance__workshop_id__in=session_workshops,
            status=Proposal.Status.PUBLISHED,
            hidden_at=None,
        )
    ).order_by(F("answered_at").desc(nulls_last=True), "-published_at", "-id")
    followed = list(
        with_display(
            Proposal.objects.filter(
                follows__person__in=people, status=Proposal.Status.PUBLISHED, hidden_at=None
            ).exclude(provenance__workshop_id__in=session_workshops)
        ).distinct()
    )
    notifications = list(
        Notification.objects.filter(person__in=people)
        .select_related("proposal__space", "proposal__state", "comment")
        .order_by("-created_at", "-id")[:50]
    )
    born = list(born)
    answers = {
        answer.proposal_id: answer
        for answer in Answer.objects.filter(proposal__in=born + followed)
        .exclude(published_at=None)
        .select_related("state")
        .order_by("proposal_id", "published_at", "id")
    }  # the latest of each proposal wins: ordered oldest first
    for proposal in born + followed:
        proposal.latest_answer = answers.get(proposal.pk)
    return {
        "workshops": list(Workshop.objects.filter(pk__in=session_workshops)),
        "born": born,
        "followed": followed,
        "notifications": notifications,
        "unread": sum(1 for note in notifications if note.read_at is None),
    }


def unread_count(people: list[Person]) -> int:
    if not people:
        return 0
    return Notification.objects.filter(person__in=people, read_at=None).count()


# The team's pages.


def awaiting_answer(space: Space) -> dict:
    open_proposals = with_display(
        space.proposals.filter(
            status=Proposal.Status.PUBLISHED, withdrawn_at=None, merged_into=None
        )
    )
    staged = {
        answer.proposal_id: answer
        for answer in Answer.objects.filter(
            proposal__space=space, published_at=None
        ).select_related("state")
    }
    unanswered = list(
        open_proposals.filter(answered_at=None).order_by(
            F("threshold_reached_at").asc(nulls_last=True), "-supports_count", "number"
        )
    )
    with_staged = list(with_display(space.proposals.filter(pk__in=staged)).order_by("number"))
    for proposal in unanswered + with_staged:
        proposal.staged = staged.get(proposal.pk)
    return {"unanswered": unanswered, "staged": with_staged}


def moderation_queue(space: Space) -> dict:
    proposals = with_display(
        space.proposals.filter(Q(reports_count__gt=0) | Q(hidden_at__isnull=False))
    ).order_by("-reports_count", "-id")
    comments = (
        comment_display(
            Comment.objects.filter(proposal__space=space).filter(
                Q(reports_count__gt=0) | Q(hidden_at__isnull=False)
            )
        )
        .prefetch_related("reports")
        .order_by("-reports_count", "-id")
    )
    return {
        "proposals": list(proposals.prefetch_related("reports")),
        "comments": list(comments[:200]),
    }


def merge_candidates(proposal: Proposal) -> list[Proposal]:
    return list(
        proposal.space.proposals.filter(
            status=Proposal.Status.PUBLISHED, withdrawn_at=None, merged_into=None
        )
        .exclude(pk=proposal.pk)
        .order_by("number")
        .only("pk", "number", "title")
    )
