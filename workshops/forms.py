from collections.abc import Iterable
from typing import NamedTuple

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from workshops.blueprints import BLUEPRINTS
from workshops.models import (
    DISPLAY_NAME_MAX_LENGTH,
    MAX_RETENTION_DAYS,
    POSTIT_MAX_LENGTH,
    Participant,
    PostIt,
    Workshop,
)
from workshops.services.workshops import POSTIT_LABEL_MAX_LENGTH


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Workshop code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class JoinForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name, as others will see it"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    location = forms.ChoiceField(
        label=_("Where are you?"),
        choices=Participant.Location.choices,
        widget=forms.RadioSelect,
    )


class StartFrom(NamedTuple):
    """What a new workshop starts from: a built-in blueprint or a workshop to copy."""

    kind: str  # "blueprint" or "workshop"
    ref: str | int  # the blueprint's key or the workshop's id


def start_choices(sources: Iterable[Workshop]) -> list:
    """A blank agenda, each blueprint, then the person's templates and previous workshops."""
    sources = list(sources)
    choices: list = [
        ("", _("A blank agenda")),
        (
            _("Built-in templates"),
            [(f"blueprint:{key}", blueprint.name) for key, blueprint in BLUEPRINTS.items()],
        ),
    ]
    templates = [(f"workshop:{w.pk}", w.title) for w in sources if w.is_template]
    previous = [
        (f"workshop:{w.pk}", f"{w.title} · {w.join_code}") for w in sources if not w.is_template
    ]
    if templates:
        choices.append((_("My templates"), templates))
    if previous:
        choices.append((_("My previous workshops"), previous))
    return choices


class WorkshopForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    start_from = forms.ChoiceField(
        label=_("Start from"),
        required=False,
        help_text=_(
            "A built-in template brings its agenda. A copy of one of your templates or "
            "workshops keeps its purpose, place, language, agenda and groups, "
            "with the title above."
        ),
    )
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=_("Workshop language"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        help_text=_(
            "Participants' pages and the minutes speak it; each participant may still choose "
            "another language."
        ),
    )

    def __init__(self, *args, sources: Iterable[Workshop] = (), **kwargs) -> None:
        """`sources`: the workshops and templates the person may copy."""
        super().__init__(*args, **kwargs)
        self.fields["start_from"].choices = start_choices(sources)
        # The organizer's pages' language, not the site's default.
        self.fields["language"].initial = translation.get_supported_language_variant(
            translation.get_language() or settings.LANGUAGE_CODE
        )

    def clean_start_from(self) -> StartFrom | None:
        kind, _sep, ref = self.cleaned_data["start_from"].partition(":")
        if not kind:
            return None
        return StartFrom(kind, int(ref) if kind == "workshop" else ref)


class PostItSettingsForm(forms.Form):
    postit_label = forms.CharField(
        label=_("Name of a post-it"),
        max_length=POSTIT_LABEL_MAX_LENGTH,
        required=False,
        help_text=_(
            "What participants write on, for example “Idée” or “Constat / opportunité”. "
            "Leave it empty to say “Post-it”."
        ),
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous post-its"),
        required=False,
        help_text=_(
            "Authors' names are shown to nobody but the facilitators, who still see whether "
            "a post-it comes from a table, the room or a remote participant. Public exports "
            "leave names out."
        ),
    )


class FacilitatorInviteForm(forms.Form):
    username_or_email = forms.CharField(
        label=_("Username or e-mail address"),
        max_length=254,
        help_text=_(
            "They need an account already; they will find the workshop under “My workshops”."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class PostItForm(forms.Form):
    text = forms.CharField(
        label=_("Your post-it"),
        max_length=POSTIT_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "maxlength": POSTIT_MAX_LENGTH,
                "data-empty-message": _("Write something first."),
            }
        ),
    )
    color = forms.ChoiceField(
        label=_("Color"),
        choices=PostIt.Color.choices,
        initial=PostIt.Color.YELLOW,
        widget=forms.RadioSelect,
    )
    # Generated by the page, so that a double submit or a resent form posts once.
    client_id = forms.RegexField(regex=r"^[A-Za-z0-9_-]{1,64}$", widget=forms.HiddenInput)
    # A scribe's choice of table, and a tablet's optional first name (their own fields on
    # the page, read here when the page works without JavaScript).
    table = forms.IntegerField(required=False, widget=forms.HiddenInput)
    signature = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)


class ScribeForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name, shown with the post-its you type"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class MinutesForm(forms.Form):
    """Ask for the minutes; naming participants is the organizer's choice alone."""

    named = forms.BooleanField(
        label=_("Name the participants"),
        required=False,
        help_text=_(
            "The attendance list, and who wrote each post-it unless post-its are anonymous. "
            "Open data never has names."
        ),
    )


class RetentionForm(forms.Form):
    retention_days = forms.IntegerField(
        label=_("Days participants' names are kept after the workshop"),
        min_value=1,
        max_value=MAX_RETENTION_DAYS,
        help_text=_(
            "Then their names are erased; what they wrote stays, anonymous. "
            "Counted from the workshop's closing."
        ),
    )
