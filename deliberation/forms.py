"""Forms of deliberation's pages: they shape and label input; services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from deliberation.models import (
    ANSWER_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    LOCATION_MAX_LENGTH,
    PROPOSAL_BODY_MAX_LENGTH,
    PROPOSAL_TITLE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Comment,
    Person,
    ProposalState,
    Report,
    SpaceMember,
)

BODY_HELP = _(
    "Paragraphs are separated by an empty line. Lines starting with “- ” make a list, "
    "“## ” a heading; **bold** and _italics_ work."
)


class SpaceCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What this space is for, shown above its proposals."),
    )


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SpaceSettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    guests_may_propose = forms.BooleanField(
        label=_("Participants may make proposals"), required=False
    )
    guests_may_comment = forms.BooleanField(label=_("Participants may comment"), required=False)
    guests_may_vote = forms.BooleanField(label=_("Participants may vote"), required=False)
    votes_open = forms.BooleanField(label=_("Votes are open"), required=False)
    support_threshold = forms.IntegerField(
        label=_("Support threshold"),
        required=False,
        min_value=1,
        help_text=_(
            "A proposal with this many supports before the end of the votes commits the "
            "organizers to answer it. Leave empty for none."
        ),
    )
    support_deadline = forms.DateTimeField(
        label=_("End of the votes"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Votes close at this date and time. Leave empty to keep them open."),
    )
    supports_per_person = forms.IntegerField(
        label=_("Supports per person"),
        required=False,
        min_value=1,
        help_text=_("How many proposals each person may support. Leave empty for no limit."),
    )
    reports_to_hide = forms.IntegerField(
        label=_("Reports that hide content"),
        min_value=1,
        max_value=100,
        help_text=_("Content reported this many times is hidden until a moderator decides."),
    )
    comment_edit_minutes = forms.IntegerField(
        label=_("Minutes to edit a comment"),
        min_value=0,
        max_value=24 * 60,
        help_text=_("How long after posting its author may still correct a comment."),
    )


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("Theme"), max_length=80)


class StateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=60)
    color = forms.ChoiceField(label=_("Color"), choices=ProposalState.Color.choices)
    can_be_answer = forms.BooleanField(label=_("Can be an answer"), required=False)
    notifies_followers = forms.BooleanField(label=_("Notifies followers"), required=False)
    counts_as_accepted = forms.BooleanField(label=_("Counts as accepted"), required=False)
    ends_voting = forms.BooleanField(label=_("Ends the votes"), required=False)


class MemberForm(forms.Form):
    username_or_email = forms.CharField(
        label=_("Username or email of an account"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=SpaceMember.Role.choices)


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=PROPOSAL_TITLE_MAX_LENGTH)
    body = forms.CharField(
        label=_("Text"),
        max_length=PROPOSAL_BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=BODY_HELP,
    )
    theme = forms.TypedChoiceField(label=_("Theme"), required=False, coerce=int, empty_value=None)
    location = forms.CharField(
        label=_("Location (optional)"),
        max_length=LOCATION_MAX_LENGTH,
        required=False,
        help_text=_("A place the proposal is about, e.g. “North entrance of the park”."),
    )
    authors = forms.MultipleChoiceField(
        label=_("Authors"), required=False, widget=forms.CheckboxSelectMultiple
    )
    organization = forms.CharField(
        label=_("Or an organization's name"),
        max_length=80,
        required=False,
        help_text=_("e.g. “City of Springfield” or “Neighbourhood committee”."),
    )

    def __init__(self, *args, themes=(), author_choices=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("No theme"))] + [(t.pk, t.name) for t in themes]
        if author_choices is None:
            del self.fields["authors"]
            del self.fields["organization"]
        else:
            self.fields["authors"].choices = author_choices

    def author_specs(self) -> list[dict] | None:
        if "authors" not in self.fields:
            return None
        specs = []
        for value in self.cleaned_data["authors"]:
            kind, _sep, ref = value.partition(":")
            specs.append({"kind": kind, "id": int(ref) if ref.isdigit() else None})
        if self.cleaned_data["organization"].strip():
            specs.append({"kind": "organization", "name": self.cleaned_data["organization"]})
        return specs


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An image (PNG, JPEG, GIF, WebP) or a PDF document."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf"}
        ),
    )
    title = forms.CharField(
        label=_("Description"),
        max_length=200,
        help_text=_("What it shows, for people who cannot see it."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    alignment = forms.ChoiceField(
        label=_("Your position"),
        choices=Comment.Alignment.choices,
        initial=Comment.Alignment.NEUTRAL,
        widget=forms.RadioSelect,
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details (optional)"), max_length=REASON_MAX_LENGTH, required=False
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown in its place"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("e.g. “Insults: contrary to the charter”."),
    )


class MergeForm(forms.Form):
    into = forms.TypedChoiceField(label=_("Merge into"), coerce=int)

    def __init__(self, *args, candidates=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [(p.pk, f"#{p.number} {p.title}") for p in candidates]


class AnswerForm(forms.Form):
    state = forms.TypedChoiceField(label=_("State"), coerce=int)
    text = forms.CharField(
        label=_("Official answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=BODY_HELP,
    )

    def __init__(self, *args, states=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [(s.pk, s.name) for s in states if s.can_be_answer]


CONSENT_LABEL = _(
    "I agree that Atelier keeps this address only to tell me what becomes of these "
    "proposals. I can stop at any time, from any email."
)


class EmailFollowForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    consent = forms.BooleanField(label=CONSENT_LABEL)


class KeepInformedForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email (optional)"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Never shown to anyone, never used for anything else."),
    )
    frequency = forms.ChoiceField(
        label=_("Emails"),
        choices=Person.Frequency.choices,
        initial=Person.Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(label=CONSENT_LABEL)


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Emails"), choices=Person.Frequency.choices, widget=forms.RadioSelect
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", "CSV"), ("json", "JSON")],
        initial="csv",
        widget=forms.RadioSelect,
    )
    personal = forms.BooleanField(
        label=_("Include the names of authors who are people"),
        required=False,
        help_text=_(
            "Personal data: only for the organizers' own use. Without it the export is open "
            "data (groups, workshops and organizations are still named)."
        ),
    )


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    workshop = forms.ChoiceField(label=_("Workshop"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("newest", _("Newest")),
            ("supported", _("Most supported")),
            ("commented", _("Most commented")),
            ("random", _("Random")),
        ],
    )
    closed = forms.BooleanField(label=_("Include withdrawn and merged"), required=False)

    def __init__(self, *args, space=None, workshops=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["theme"].choices = everything + [(t.pk, t.name) for t in space.themes.all()]
        self.fields["state"].choices = everything + [(s.pk, s.name) for s in space.states.all()]
        self.fields["workshop"].choices = everything + [(w.pk, w.title) for w in workshops]
