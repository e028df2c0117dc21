"""The workshop domain's tables. Rules that change them live in services.py."""

import hmac
import secrets
from datetime import timedelta
from hashlib import sha256

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Six characters from an alphabet without look-alikes (0/O, 1/I/L): 30^6 ≈ 729 million codes.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ2345679"
JOIN_CODE_LENGTH = 6
POSTIT_MAX_LENGTH = 280
DISPLAY_NAME_MAX_LENGTH = 40
CLUSTER_NAME_MAX_LENGTH = 60
# A socket pings every 25 s: someone unseen for longer than this is away (phone asleep,
# Wi-Fi lost), not gone: they come back with their place and everything they wrote.
PRESENT_WITHIN = timedelta(seconds=70)
PHASE_NOTES_MAX_LENGTH = 2000
MAX_RETENTION_DAYS = 3650


def new_export_salt() -> str:
    return secrets.token_hex(16)


def default_retention_days() -> int:
    """How long participants' identities are kept after a workshop, unless its organizer
    chooses otherwise (docs/operations.md, "Personal data")."""
    return settings.PRIVACY_RETENTION_DAYS


def author_key(participant_id: int) -> str:
    """An opaque mark of a post-it's author in shared HTML: a screen recognizes its own
    post-its by it, but nobody can tell whose the others are (anonymous workshops)."""
    message = f"atelier-author:{participant_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, sha256).hexdigest()[:16]


class Workshop(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    join_code = models.CharField(_("join code"), max_length=JOIN_CODE_LENGTH, unique=True)
    # Opens the read-only projector page on a room computer that nobody logs into.
    projector_token = models.CharField(max_length=32, unique=True)
    # Opens the scribe's page: typing paper post-its on behalf of the tables.
    scribe_token = models.CharField(max_length=32, blank=True)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organized_workshops"
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_workshops"
    )
    # What participants see instead of "post-it" ("Idée", "Constat / opportunité"…).
    postit_label = models.CharField(_("name of a post-it"), max_length=40, blank=True)
    # A template is a workshop nobody joins; it is copied to start new ones.
    is_template = models.BooleanField(_("template"), default=False)
    # Everyone is in their group (True) or back in the plenary (False); groups persist.
    in_breakouts = models.BooleanField(_("in breakout groups"), default=False)
    # Participants may pick their group themselves.
    self_choice = models.BooleanField(_("participants choose their group"), default=False)
    # e.g. https://meet.jit.si/atelier-{workshop}-{group}; {workshop} is the join code.
    video_url_template = models.CharField(_("video link template"), max_length=300, blank=True)
    # Who the facilitators gave the floor to, from the speaking queue.
    speaker = models.ForeignKey(
        "Participant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Authors' names are shown to nobody but the facilitators, and left out of public exports.
    anonymous = models.BooleanField(_("anonymous post-its"), default=False)
    # Participants move, edit and cluster every post-it of their board, not only their own.
    board_open = models.BooleanField(_("boards open to everyone"), default=False)
    # The groups' conclusions shown side by side to everyone, in the plenary.
    conclusions_shared = models.BooleanField(_("conclusions shared"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the facilitators closed it: nobody joins or writes any more; its outcomes
    # become proposals and its minutes can be exported.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Days after the workshop (its closing, else its creation) when participants' identities
    # are erased: their contributions stay, anonymous (workshops.privacy).
    retention_days = models.PositiveIntegerField(
        _("days participants' identities are kept"), default=default_retention_days
    )
    # Keys the pseudonymous participant ids of open data: stable across exports of this
    # workshop, unrelated to any other workshop's (and to SECRET_KEY, which may rotate).
    export_salt = models.CharField(max_length=64, default=new_export_salt, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return self.title

    @property
    def postit_name(self) -> str:
        return self.postit_label or str(_("Post-it"))

    @property
    def conclusions_due(self) -> bool:
        """Whether the groups' conclusion editors are unfolded: from the agenda's phase of
        writing the conclusion on (at once if the agenda has none)."""
        writing = self.phases.filter(activity__in=[Phase.Activity.WRITE, Phase.Activity.SHARE])
        return not writing.exists() or writing.filter(started_at__isnull=False).exists()


class Phase(models.Model):
    """One step of the agenda. Its timer is a deadline counted down by every screen."""

    class Scope(models.TextChoices):
        PLENARY = "plenary", _("Plenary")
        BREAKOUTS = "breakouts", _("Breakout groups")

    class Activity(models.TextChoices):
        WELCOME = "welcome", _("Welcome and information")
        BRAINSTORM = "brainstorm", _("Brainstorm")
        DOT_VOTE = "dot_vote", _("Dot vote")
        POLL = "poll", _("Poll")
        WRITE = "write", _("Write the conclusion")
        SHARE = "share", _("Share the conclusions")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=120)
    planned_minutes = models.PositiveSmallIntegerField(_("planned duration (minutes)"))
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    activity = models.CharField(_("activity"), max_length=12, choices=Activity.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLANNED)
    # Actual timings, for the minutes.
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # While running: when time is up. While paused: the seconds that were left.
    ends_at = models.DateTimeField(null=True, blank=True)
    paused_remaining = models.PositiveIntegerField(null=True, blank=True)
    # Dot vote: how many dots each participant gets, whether several may go on one post-it,
    # and whether the counts show while people vote or only once the phase has ended.
    dots_per_person = models.PositiveSmallIntegerField(_("dots per person"), default=3)
    dots_stack = models.BooleanField(_("several dots on one post-it"), default=False)
    dots_results_live = models.BooleanField(_("results shown while voting"), default=False)
    # What the facilitators noted about this phase on the console, for the minutes.
    notes = models.TextField(_("facilitators' notes"), blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop"],
                condition=models.Q(status__in=["running", "paused"]),
                name="one_current_phase_per_workshop",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_current(self) -> bool:
        return self.status in (self.Status.RUNNING, self.Status.PAUSED)

    @property
    def instructions(self) -> str:
        """What a participant should do now, shown under the phase's title."""
        return str(PHASE_INSTRUCTIONS[self.activity])


PHASE_INSTRUCTIONS = {
    Phase.Activity.WELCOME: _("Listen and get ready: the workshop is starting."),
    Phase.Activity.BRAINSTORM: _("Write your ideas, one per post-it."),
    Phase.Activity.DOT_VOTE: _("Put your dots on the ideas you prefer."),
    Phase.Activity.POLL: _("Answer the poll."),
    Phase.Activity.WRITE: _("Write your group's conclusion together."),
    Phase.Activity.SHARE: _("Listen to each group's conclusion."),
}


class Group(models.Model):
    """A breakout group: a table in the room, or an online group."""

    class Kind(models.TextChoices):
        TABLE = "table", _("Table in the room")
        ONLINE = "online", _("Online group")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ONLINE)
    position = models.PositiveIntegerField(default=0)
    # Shown on the console as a code and a QR: a tablet that opens it joins this table.
    pairing_code = models.CharField(max_length=12, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name

    @property
    def video_link(self) -> str:
        template = self.workshop.video_url_template
        if not template:
            return ""
        code = self.workshop.join_code.lower()
        return template.replace("{workshop}", code).replace("{group}", str(self.pk))


class Broadcast(models.Model):
    """A message a facilitator shows on every screen ("5 minutes left")."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="broadcasts")
    text = models.CharField(_("message"), max_length=280)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.text


class Participant(models.Model):
    """A guest identified by a signed session: no account, only a display name.

    A table tablet is a participant too: shared by the people at one table, paired to it
    for the whole session; what it writes is attributed to the table.
    """

    class Location(models.TextChoices):
        ROOM = "room", _("In the room")
        REMOTE = "remote", _("Remote")

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        TABLET = "tablet", _("Table tablet")
        SCRIBE = "scribe", _("Scribe")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    display_name = models.CharField(_("display name"), max_length=DISPLAY_NAME_MAX_LENGTH)
    location = models.CharField(_("location"), max_length=10, choices=Location.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    # Heartbeats of the live socket; a sleeping phone stops them and the person shows away.
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # The speaking queue: hands in the order they went up.
    hand_raised_at = models.DateTimeField(null=True, blank=True)
    # Identity erased (on request, or at the end of the workshop's retention): the display
    # name is neutral, signatures are gone and no session acts as this participant any more.
    anonymized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.display_name


class Cluster(models.Model):
    """A named lane of post-its on one board, made by hand or from a suggestion."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="clusters")
    # Null: the plenary board.
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="clusters"
    )
    name = models.CharField(_("name"), max_length=CLUSTER_NAME_MAX_LENGTH)
    # Lanes' order on the board, after the lane of post-its not sorted yet.
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "created_at", "id"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")

    def __str__(self) -> str:
        return self.name


class PostIt(models.Model):
    class Color(models.TextChoices):
        YELLOW = "yellow", _("Yellow")
        PINK = "pink", _("Pink")
        BLUE = "blue", _("Blue")
        GREEN = "green", _("Green")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="postits")
    # Null: the plenary board.
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="postits"
    )
    author = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="postits")
    # Written at a table's tablet: the optional first name typed with it.
    signature = models.CharField(_("first name"), max_length=DISPLAY_NAME_MAX_LENGTH, blank=True)
    # Typed by a scribe from a table's paper post-it: the table it belongs to.
    on_behalf_of = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(_("text"), max_length=POSTIT_MAX_LENGTH)
    color = models.CharField(_("color"), max_length=10, choices=Color.choices, default=Color.YELLOW)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Deleted by its author: gone from every board, kept for the record of the workshop.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Hidden by a facilitator (moderation): gone from every board until restored.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where it sits on its board: in a cluster's lane (or the lane of those not sorted
    # yet, None), at `position` in that lane.
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="postits"
    )
    position = models.PositiveIntegerField(default=0)
    # Merged by a facilitator into a duplicate: its text shows on that one, with its dots.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )

    class Meta:
        ordering = ["position", "created_at", "id"]
        verbose_name = _("post-it")
        verbose_name_plural = _("post-its")

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def author_key(self) -> str:
        return author_key(self.author_id)


class Dot(models.Model):
    """One dot a participant put on a post-it during a dot-vote phase."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="dots")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="dots")
    # On a post-it (a board's vote), or on a group's conclusion (the plenary's vote on them).
    postit = models.ForeignKey(
        PostIt, null=True, blank=True, on_delete=models.CASCADE, related_name="dots"
    )
    conclusion = models.ForeignKey(
        "Conclusion", null=True, blank=True, on_delete=models.CASCADE, related_name="dots"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("dot")
        verbose_name_plural = _("dots")
        indexes = [models.Index(fields=["phase", "participant"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(postit__isnull=True) ^ models.Q(conclusion__isnull=True),
                name="dot_on_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.postit_id or self.conclusion_id}"


POLL_QUESTION_MAX_LENGTH = 200
POLL_OPTION_MAX_LENGTH = 120
POLL_OPEN_ANSWER_MAX_LENGTH = 280
POLL_MAX_OPTIONS = 12
POLL_MAX_WORDS = 3


class Poll(models.Model):
    """A live question to the plenary or one group, prepared in the agenda or asked on the fly."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale from 1 to 5")
        WORDS = "words", _("Word cloud")
        OPEN = "open", _("Short open answer")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Results(models.TextChoices):
        LIVE = "live", _("Shown live")
        AT_CLOSE = "at_close", _("Shown when the poll closes")
        HIDDEN = "hidden", _("Hidden (facilitators only)")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="polls")
    # Null: the plenary.
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="polls"
    )
    # Prepared in the agenda: opened when this phase starts, closed when it ends.
    phase = models.ForeignKey(
        Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="polls"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    question = models.CharField(_("question"), max_length=POLL_QUESTION_MAX_LENGTH)
    max_choices = models.PositiveSmallIntegerField(_("maximum choices"), default=1)
    results = models.CharField(
        _("results"), max_length=10, choices=Results.choices, default=Results.LIVE
    )
    # A table tablet answers once for its table, unless each person at the table may answer.
    tablet_per_person = models.BooleanField(_("one answer per person at a tablet"), default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self) -> str:
        return self.question

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    @property
    def results_public(self) -> bool:
        """Whether participants and the projector see the results now."""
        if self.results == self.Results.LIVE:
            return self.status != self.Status.DRAFT
        return self.results == self.Results.AT_CLOSE and self.status == self.Status.CLOSED


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("label"), max_length=POLL_OPTION_MAX_LENGTH)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")

    def __str__(self) -> str:
        return self.label


class PollAnswer(models.Model):
    """One participant's answer, changed in place while the poll is open.

    `respondent` tells apart the people answering one after the other at a table tablet
    when the poll allows it; it is 0 for everyone else, so one answer per participant.
    """

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="answers")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="poll_answers"
    )
    respondent = models.PositiveSmallIntegerField(default=0)
    # Single and multiple choice: option ids. Scale: the value. Words: normalized words.
    choices = models.JSONField(default=list, blank=True)
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    words = models.JSONField(default=list, blank=True)
    text = models.CharField(max_length=POLL_OPEN_ANSWER_MAX_LENGTH, blank=True)
    # Open answers are shown once a facilitator approved them.
    approved = models.BooleanField(default=False)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["answered_at", "id"]
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "participant", "respondent"], name="one_answer_per_respondent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}/{self.participant_id}"


CONCLUSION_MAX_TEXT = 50_000


class Conclusion(models.Model):
    """A breakout group's conclusion, co-written live: a Yjs document kept as one compacted
    update (the whole state), plus its text as Markdown for minutes, search and proposals."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="conclusions")
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="conclusion")
    state = models.BinaryField(default=bytes)
    markdown = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Locked by a facilitator (the phase ended): read-only for everyone.
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")

    def __str__(self) -> str:
        return self.markdown[:40]

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


class Job(models.Model):
    """Work that must not run in a request or a socket handler (minutes, digests, deadlines):
    a row that a worker (`manage.py atelier_worker`) claims with a conditional update, so two
    workers never run the same job. `workshops.jobs` enqueues, claims and runs them."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # Not before this time: deadlines and daily digests are jobs that wait.
    run_at = models.DateTimeField()
    # At most one pending job per key ("digest:2026-12-02"): enqueuing twice is harmless.
    dedupe_key = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=120, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What a screen shows while it runs (0–100) and what it produced (a file's id…).
    progress = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run_at", "id"]
        indexes = [models.Index(fields=["status", "run_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(dedupe_key=""),
                name="one_pending_job_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} ({self.status})"


class Export(models.Model):
    """One generation of a workshop's minutes and open data, made by a background job.

    Its files live in Django's default storage (MEDIA_ROOT), never under a public URL: a
    view serves them to the workshop's organizer and facilitators only.
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="exports")
    # Participants' names in the minutes (attendance, authors unless post-its are
    # anonymous): only when the organizer asks. Open data never has names.
    named = models.BooleanField(_("named minutes"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    # {format: {"name": storage name, "size": bytes}}, filled when the job is done.
    files = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.workshop_id}/export#{self.pk}"
