"""The workshop domain's tables. Rules that change them live in services.py."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Six characters from an alphabet without look-alikes (0/O, 1/I/L): 30^6 ≈ 729 million codes.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ2345679"
JOIN_CODE_LENGTH = 6
POSTIT_MAX_LENGTH = 280
DISPLAY_NAME_MAX_LENGTH = 40


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
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organized_workshops"
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_workshops"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return self.title


class Group(models.Model):
    """A breakout group (a table in the room, or an online group)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """A guest identified by a signed session: no account, only a display name."""

    class Location(models.TextChoices):
        ROOM = "room", _("In the room")
        REMOTE = "remote", _("Remote")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    display_name = models.CharField(_("display name"), max_length=DISPLAY_NAME_MAX_LENGTH)
    location = models.CharField(_("location"), max_length=10, choices=Location.choices)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.display_name


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
    text = models.CharField(_("text"), max_length=POSTIT_MAX_LENGTH)
    color = models.CharField(_("color"), max_length=10, choices=Color.choices, default=Color.YELLOW)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("post-it")
        verbose_name_plural = _("post-its")

    def __str__(self) -> str:
        return self.text[:40]
