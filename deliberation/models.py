"""Deliberation's tables: spaces of proposals, their comments, votes, answers and follows.

Rules that change them live in services/; docs/deliberation.md explains the model, the
states and who may do what.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PROPOSAL_TITLE_MAX_LENGTH = 150
PROPOSAL_BODY_MAX_LENGTH = 10_000
LOCATION_MAX_LENGTH = 200
COMMENT_MAX_LENGTH = 2_000
ANSWER_MAX_LENGTH = 10_000
AUTHOR_NAME_MAX_LENGTH = 80
REASON_MAX_LENGTH = 300


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Space(models.Model):
    """A participatory space: where the proposals of one process live (e.g. "Parc
    Jean-Moulin 2026"), fed by one or more workshops, with its own themes, states and
    rules (who may propose, comment and vote; support threshold, deadline and limit)."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organized_spaces"
    )
    # The workshops whose guests take part here, and whose outcomes become proposals here.
    workshops = models.ManyToManyField(
        "workshops.Workshop", blank=True, related_name="spaces", verbose_name=_("workshops")
    )
    guests_may_propose = models.BooleanField(_("guests may make proposals"), default=False)
    guests_may_comment = models.BooleanField(_("guests may comment"), default=True)
    guests_may_vote = models.BooleanField(_("guests may vote"), default=True)
    votes_open = models.BooleanField(_("votes are open"), default=True)
    # e.g. 100 supports before a date commit the organizer to answer.
    support_threshold = models.PositiveIntegerField(_("support threshold"), null=True, blank=True)
    support_deadline = models.DateTimeField(_("end of the votes"), null=True, blank=True)
    supports_per_person = models.PositiveSmallIntegerField(
        _("supports per person"), null=True, blank=True
    )
    # Content reported this many times is hidden until a moderator looks at it.
    reports_to_hide = models.PositiveSmallIntegerField(_("reports that hide content"), default=3)
    comment_edit_minutes = models.PositiveSmallIntegerField(
        _("minutes to edit a comment"), default=15
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")

    def __str__(self) -> str:
        return self.title


class SpaceMember(models.Model):
    """Someone with an account who runs the space with its organizer."""

    class Role(models.TextChoices):
        ORGANIZER = "organizer", _("Co-organizer")
        MODERATOR = "moderator", _("Moderator")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_roles"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["id"]
        verbose_name = _("space member")
        verbose_name_plural = _("space members")
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="one_role_per_space_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Theme(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(fields=["space", "name"], name="unique_theme_name_per_space")
        ]

    def __str__(self) -> str:
        return self.name


# The built-in states' names, translated when shown: a space's rows keep their key until
# the organizer renames them, so every reader sees them in their own language.
BUILT_IN_STATE_NAMES = {
    "not_answered": _("Not answered"),
    "evaluating": _("Evaluating"),
    "accepted": _("Accepted"),
    "rejected": _("Rejected"),
    "implemented": _("Implemented"),
}


class ProposalState(models.Model):
    """A state from the organizer's list: rows, not an enumeration (Decidim's lesson)."""

    class Color(models.TextChoices):
        GRAY = "gray", _("Gray")
        BLUE = "blue", _("Blue")
        AMBER = "amber", _("Amber")
        GREEN = "green", _("Green")
        RED = "red", _("Red")
        PURPLE = "purple", _("Purple")
        TEAL = "teal", _("Teal")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="states")
    title = models.CharField(_("title"), max_length=60)
    # One of BUILT_IN_STATE_NAMES while the organizer keeps the built-in name; "" otherwise.
    key = models.CharField(max_length=20, blank=True, default="")
    color = models.CharField(_("color"), max_length=10, choices=Color.choices, default="gray")
    # A new proposal is in the space's default state ("Not answered").
    is_default = models.BooleanField(_("state of new proposals"), default=False)
    can_be_answer = models.BooleanField(_("can be an answer"), default=True)
    notifies_followers = models.BooleanField(_("notifies followers"), default=True)
    counts_as_accepted = models.BooleanField(_("counts as accepted"), default=False)
    # A proposal in this state takes no more votes (e.g. rejected).
    ends_voting = models.BooleanField(_("ends the votes"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("proposal state")
        verbose_name_plural = _("proposal states")
        constraints = [
            models.UniqueConstraint(
                fields=["space"], condition=models.Q(is_default=True), name="one_default_state"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """What readers see: a built-in state in their language, a custom one as written."""
        built_in = BUILT_IN_STATE_NAMES.get(self.key)
        return str(built_in) if built_in is not None else self.title


class Person(models.Model):
    """Someone who takes part in deliberation: an account (organizers, moderators), a
    workshop's guest (identified by their workshop session), or only an email that follows
    proposals. Made the first time they act; holds the minimum: no name of its own, an
    email only when they gave one, with their consent."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("As soon as something happens")
        DAILY = "daily", _("One daily digest")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliberation_person",
    )
    participant = models.OneToOneField(
        "workshops.Participant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliberation_person",
    )
    email = models.EmailField(_("email"), blank=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    # When they ticked the consent box (kept as proof of consent, with the email).
    consented_at = models.DateTimeField(null=True, blank=True)
    frequency = models.CharField(
        _("emails"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    # In the links of emails: confirm, see one's follow-up, stop the emails.
    token = models.CharField(max_length=40, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    anonymized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"person #{self.pk}"

    @property
    def emailable(self) -> bool:
        return bool(self.email and self.email_confirmed_at)


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="proposals")
    # Its reference in the space, shown as #12 and in its permalink.
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=PROPOSAL_TITLE_MAX_LENGTH)
    body = models.TextField(_("text"))
    theme = models.ForeignKey(
        Theme,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        verbose_name=_("theme"),
    )
    location = models.CharField(_("location"), max_length=LOCATION_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # RESTRICT: a state in use cannot be deleted alone, but goes with its space.
    state = models.ForeignKey(ProposalState, on_delete=models.RESTRICT, related_name="proposals")
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The last official answer's publication.
    answered_at = models.DateTimeField(null=True, blank=True)
    # Withdrawal is a flag with a date, not a state: the state says what the organizer
    # answered, whatever the authors did.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reports_count = models.PositiveIntegerField(default=0)
    # When it first reached the space's threshold before the deadline: the organizer owes it
    # an answer from then on, whatever happens to its count.
    threshold_reached_at = models.DateTimeField(null=True, blank=True)
    # Counts kept with the votes and comments, in the same transactions, for sorting.
    supports_count = models.PositiveIntegerField(default=0)
    against_count = models.PositiveIntegerField(default=0)
    neutral_count = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(fields=["space", "number"], name="one_number_per_proposal")
        ]
        indexes = [models.Index(fields=["space", "status", "hidden_at"])]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_closed(self) -> bool:
        """Withdrawn or merged: kept with its history, but nothing more happens to it."""
        return self.withdrawn_at is not None or self.merged_into_id is not None


class Provenance(models.Model):
    """Where a proposal was born: references to the workshop's rows (which may later be
    anonymized or deleted) and a frozen copy of what they said and counted then."""

    class Kind(models.TextChoices):
        CONCLUSION = "conclusion", _("A group's conclusion")
        CLUSTER = "cluster", _("A cluster of post-its")
        POSTIT = "postit", _("A post-it")

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="provenance")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    workshop = models.ForeignKey(
        "workshops.Workshop", null=True, on_delete=models.SET_NULL, related_name="proposals_born"
    )
    group = models.ForeignKey(
        "workshops.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The dot vote the supporting post-its' figures come from.
    phase = models.ForeignKey(
        "workshops.Phase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conclusion = models.ForeignKey(
        "workshops.Conclusion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cluster = models.ForeignKey(
        "workshops.Cluster", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    postit = models.ForeignKey(
        "workshops.PostIt", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Frozen at creation: titles, names, texts, dot counts, the plenary's result. No
    # author's name: it must stay true and harmless once the workshop is anonymized.
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provenance")
        verbose_name_plural = _("provenances")

    def __str__(self) -> str:
        return f"{self.kind} → {self.proposal_id}"


class ProposalAuthor(models.Model):
    """Who a proposal is by: a person, a group of the workshop ("Table 2"), the workshop
    itself, or an organization's name ("Ville de Nanterre")."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        GROUP = "group", _("Group")
        WORKSHOP = "workshop", _("Workshop")
        ORGANIZATION = "organization", _("Organization")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="authors")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="authorships"
    )
    group = models.ForeignKey(
        "workshops.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    workshop = models.ForeignKey(
        "workshops.Workshop", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The name shown, kept as it was (a group renamed or deleted later keeps its credit).
    name = models.CharField(max_length=AUTHOR_NAME_MAX_LENGTH, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self) -> str:
        return self.name


class ProposalVersion(models.Model):
    """What a proposal said after each edit: its history is public."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=PROPOSAL_TITLE_MAX_LENGTH)
    body = models.TextField()
    theme = models.CharField(max_length=80, blank=True)
    location = models.CharField(max_length=LOCATION_MAX_LENGTH, blank=True)
    edited_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} v{self.number}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF document")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="deliberation/%Y/%m/")
    # Read by screen readers as the image's text alternative, and as the document's link.
    title = models.CharField(_("description"), max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title


class Vote(models.Model):
    """One person's position on a proposal: for (a support), against or neutral."""

    class Value(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        NEUTRAL = "neutral", _("Neutral")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="votes")
    value = models.CharField(max_length=8, choices=Value.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="one_vote_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.value} {self.proposal_id}"


class Answer(models.Model):
    """The organizer's official answer: staged first (not public), then published with its
    state, alone or with others in bulk. Earlier answers stay in the history."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="answers")
    state = models.ForeignKey(ProposalState, on_delete=models.RESTRICT, related_name="+")
    text = models.TextField(_("answer"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"],
                condition=models.Q(published_at__isnull=True),
                name="one_staged_answer_per_proposal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.state_id}"


class Comment(models.Model):
    """A comment or a reply. Replies hang from their thread's first comment (`root`) so a
    thread's page loads them without walking a tree; `parent` says whom they answer."""

    class Alignment(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        NEUTRAL = "neutral", _("Neutral")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="thread"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="comments")
    alignment = models.CharField(
        _("position"), max_length=8, choices=Alignment.choices, default=Alignment.NEUTRAL
    )
    body = models.TextField(_("comment"))
    # Written by a member of the space's team: shown with their role.
    official = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reports_count = models.PositiveIntegerField(default=0)
    up_count = models.PositiveIntegerField(default=0)
    down_count = models.PositiveIntegerField(default=0)
    # On a thread's first comment: how many replies it has (loaded on demand).
    replies_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["proposal", "root", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.body[:40]


class CommentVote(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="comment_votes")
    value = models.SmallIntegerField()  # +1 or -1
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment vote")
        verbose_name_plural = _("comment votes")
        constraints = [
            models.UniqueConstraint(fields=["comment", "person"], name="one_vote_per_comment"),
            models.CheckConstraint(condition=models.Q(value__in=[1, -1]), name="up_or_down"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.value:+d} {self.comment_id}"


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        OFFENSIVE = "offensive", _("Offensive, hateful or abusive")
        PERSONAL = "personal", _("Reveals personal information")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    details = models.CharField(_("details"), max_length=REASON_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A moderator looked at it (hid the content or restored it).
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(proposal__isnull=True) ^ models.Q(comment__isnull=True),
                name="report_on_one_target",
            ),
            models.UniqueConstraint(
                fields=["person", "proposal"],
                condition=models.Q(comment__isnull=True),
                name="one_report_per_proposal",
            ),
            models.UniqueConstraint(
                fields=["person", "comment"],
                condition=models.Q(proposal__isnull=True),
                name="one_report_per_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} by {self.person_id}"


class Follow(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Followed by hand")
        WORKSHOP = "workshop", _("Took part in its workshop")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="follows")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="follows")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="one_follow_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.proposal_id}"


class Notification(models.Model):
    """Something a person should know about a proposal they follow: shown on their
    follow-up page, and emailed (at once or in the daily digest) if they gave an email."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("Official answer")
        MERGED = "merged", _("Merged")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMMENT = "comment", _("New comment")
        REPLY = "reply", _("Reply to a comment")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What it said when it happened (the state's title, the proposal merged into).
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["person", "emailed_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.person_id}"
