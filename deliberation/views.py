"""Pages of deliberation: ordinary HTTP pages rendered on the server, improved by htmx.

Every action is a form that posts and works without JavaScript (the page comes back with
a message); with htmx the same view answers the part of the page that changed. Refusals
are explicit: a 403 or 400 page (or fragment) saying why.
"""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from deliberation import exports, history, selectors, services
from deliberation.forms import (
    AnswerForm,
    AttachmentForm,
    CommentForm,
    EmailFollowForm,
    ExportForm,
    FilterForm,
    FrequencyForm,
    HideForm,
    KeepInformedForm,
    MemberForm,
    MergeForm,
    ProposalForm,
    ReportForm,
    SpaceCreateForm,
    SpaceSettingsForm,
    StateForm,
    ThemeForm,
)
from deliberation.models import Comment, Person, Proposal, ProposalState, Space
from deliberation.people import (
    Viewer,
    existing_person,
    resolve_viewer,
    session_participant_ids,
    session_people,
)
from deliberation.permissions import Action, allowed, require
from deliberation.services.comments import require_editable
from deliberation.services.common import may_see
from deliberation.services.follows import person_by_token
from deliberation.services.proposals import is_person_author, may_edit
from deliberation.services.spaces import STATE_FLAGS
from workshops.errors import Refused, SlowDown
from workshops.models import Participant
from workshops.selectors import led_workshops
from workshops.views import lead_actor_or_404, participant_actor, workshop_or_404

REFUSAL_STATUS = {"not_found": 404, "forbidden": 403, "unauthenticated": 403}
RANDOM_SEED = "deliberation_seed"


# Who, where, and how a refusal looks.


def space_or_404(request: HttpRequest, slug: str) -> Space:
    """The space, whose language its pages speak unless the visitor chose one."""
    space = selectors.space_by_slug(slug)
    if space is None:
        raise Http404(_("This space does not exist."))
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(space.language)
        request.LANGUAGE_CODE = space.language
    return space


def speak(request: HttpRequest, language: str | None) -> None:
    """Pages without a space or a workshop speak their reader's language (the one they
    left their email in, or their workshop's) unless the visitor chose one."""
    if language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(language)
        request.LANGUAGE_CODE = language


def viewer_of(request: HttpRequest, space: Space) -> Viewer:
    return resolve_viewer(space=space, user=request.user, session=request.session)


def abilities(viewer: Viewer, space: Space) -> dict[str, bool]:
    return {action.value: allowed(viewer, action, space) for action in Action}


def proposal_or_404(space: Space, viewer: Viewer, number: int) -> Proposal:
    proposal = selectors.proposal_by_number(space, number)
    if proposal is None or not may_see(viewer, proposal, space):
        raise Http404(_("This proposal does not exist."))
    return proposal


def comment_or_404(space: Space, viewer: Viewer, comment_id: int) -> Comment:
    comment = selectors.comment_by_id(space, comment_id)
    if comment is None or not may_see(viewer, comment.proposal, space):
        raise Http404(_("This comment does not exist."))
    return comment


def status_of(refusal: Refused) -> int:
    return 429 if isinstance(refusal, SlowDown) else REFUSAL_STATUS.get(refusal.code, 400)


def refused(
    request: HttpRequest, refusal: Refused, *, target: str | None = None, back: str = ""
) -> HttpResponse:
    """A refusal as a fragment in place (htmx: `target` is where the message goes), or as
    a page that says why and leads back."""
    status = status_of(refusal)
    if request.htmx and target:
        response = render(
            request, "deliberation/partials/refusal.html", {"refusal": refusal}, status=status
        )
        response = reswap(retarget(response, target), "innerHTML")
    else:
        context = {"refusal": refusal, "back": back or request.headers.get("referer", "")}
        response = render(request, "deliberation/refused.html", context, status=status)
    return with_retry_after(response, refusal)


def with_retry_after(response: HttpResponse, refusal: Refused | None) -> HttpResponse:
    """A `slow_down` says when to try again, for people and for scripts."""
    if isinstance(refusal, SlowDown):
        response["Retry-After"] = str(max(1, round(refusal.retry_after)))
    return response


def proposal_url(proposal: Proposal, anchor: str = "") -> str:
    url = reverse("proposal", args=[proposal.space.slug, proposal.number])
    return f"{url}#{anchor}" if anchor else url


def post_int(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


# Spaces.


@login_required
@require_http_methods(["GET", "POST"])
def spaces(request: HttpRequest) -> HttpResponse:
    form = SpaceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            space = services.space_create(user=request.user, **form.cleaned_data)
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Space created. Choose its themes and rules here."))
            return redirect("space-settings", space.slug)
    context = {"spaces": selectors.team_spaces(request.user), "form": form}
    return render(request, "deliberation/spaces.html", context, status=400 if form.errors else 200)


def random_seed(request: HttpRequest) -> int:
    """A number kept in the visitor's session: their random order stays the same."""
    seed = request.session.get(RANDOM_SEED)
    if not isinstance(seed, int):
        seed = secrets.randbelow(selectors.RANDOM_PRIME - 2) + 2
        request.session[RANDOM_SEED] = seed
    return seed


@require_GET
def space(request: HttpRequest, slug: str) -> HttpResponse:
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    filters = selectors.parse_filters(request.GET)
    seed = random_seed(request) if filters.sort == "random" else 1
    workshops = selectors.space_workshops(space)
    params = request.GET.copy()
    params.pop("page", None)
    display = "grid" if request.GET.get("display") == "grid" else "list"
    context = {
        "space": space,
        "viewer": viewer,
        "can": abilities(viewer, space),
        "filters": filters,
        "filter_form": FilterForm(request.GET or None, space=space, workshops=workshops),
        "page": selectors.proposal_page(space, viewer, filters, seed),
        "query": params.urlencode(),
        "display": display,
        "workshops": workshops,
        "drafts": selectors.drafts(space, viewer),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "deliberation/partials/results.html", context)
    return render(request, "deliberation/space.html", context)


# Proposals.


def author_choices(space: Space, viewer: Viewer) -> list | None:
    """What an organizer may name as authors: themselves, the space's workshops and their
    groups. Others are the author of what they propose, without choosing."""
    if not allowed(viewer, Action.EDIT_ANY, space):
        return None
    choices = [("person:", _("Me"))]
    for workshop in space.workshops.prefetch_related("groups"):
        choices.append((f"workshop:{workshop.pk}", workshop.title))
        choices.extend(
            (f"group:{group.pk}", f"{group.name} · {workshop.title}")
            for group in workshop.groups.all()
        )
    return choices


def author_initial(proposal: Proposal) -> dict:
    values, organization = [], ""
    for author in proposal.authors.all():
        if author.kind == "person":
            values.append("person:")
        elif author.kind == "group" and author.group_id:
            values.append(f"group:{author.group_id}")
        elif author.kind == "workshop" and author.workshop_id:
            values.append(f"workshop:{author.workshop_id}")
        elif author.kind == "organization":
            organization = author.name
    return {"authors": values, "organization": organization}


def proposal_form(space: Space, viewer: Viewer, data=None, proposal: Proposal | None = None):
    initial = None
    if proposal is not None:
        initial = {
            "title": proposal.title,
            "body": proposal.body,
            "theme": proposal.theme_id,
            "location": proposal.location,
            **author_initial(proposal),
        }
    return ProposalForm(
        data,
        initial=initial,
        themes=space.themes.all(),
        author_choices=author_choices(space, viewer),
    )


def proposal_fields(form: ProposalForm) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "body": data["body"],
        "theme_id": data["theme"],
        "location": data["location"],
        "authors": form.author_specs(),
    }


@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest, slug: str) -> HttpResponse:
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    try:
        require(viewer, Action.CREATE, space)
    except Refused as refusal:
        return refused(request, refusal, back=reverse("space", args=[space.slug]))
    form = proposal_form(space, viewer, request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(viewer=viewer, **proposal_fields(form))
            if "publish" in request.POST:
                services.proposal_publish(viewer=viewer, proposal_id=proposal.pk)
        except Refused as refused_by_service:
            refusal = refused_by_service
            form.add_error(None, refusal.message)  # the form comes back with what was written
        else:
            published = "publish" in request.POST
            messages.success(request, _("Proposal published.") if published else _("Draft saved."))
            return redirect(proposal_url(proposal))
    context = {"space": space, "form": form, "creating": True}
    status = status_of(refusal) if refusal else 400 if form.errors else 200
    page = render(request, "deliberation/proposal_form.html", context, status=status)
    return with_retry_after(page, refusal)


def proposal_context(
    request: HttpRequest, space: Space, viewer: Viewer, proposal: Proposal, **forms
) -> dict:
    can = abilities(viewer, space)
    latest = selectors.latest_answer(proposal)
    page = selectors.root_comments(proposal, 1)
    return {
        "space": space,
        "viewer": viewer,
        "can": can,
        "proposal": proposal,
        "hidden_for_me": proposal.hidden_at is not None and not can["moderate"],
        "provenance": getattr(proposal, "provenance", None),
        "workshop_link": workshop_link(request, viewer, proposal),
        "attachments": list(proposal.attachments.all()),
        "answer": latest,
        "earlier_answers": selectors.earlier_answers(proposal, latest),
        "staged": selectors.staged_answer(proposal) if can["answer"] else None,
        "votes": selectors.vote_box(proposal, viewer),
        "following": selectors.is_following(proposal, viewer),
        "merged_from": list(proposal.merged_from.order_by("number")),
        "comments": page,
        "my_comment_votes": selectors.my_comment_votes(viewer, page.object_list),
        "may_edit": may_edit(viewer, proposal),
        "may_withdraw": not proposal.is_closed
        and proposal.is_published
        and (viewer.is_organizer or is_person_author(viewer, proposal)),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "report_form": forms.get("report_form") or ReportForm(),
        "email_form": forms.get("email_form") or EmailFollowForm(),
        "hide_form": forms.get("hide_form") or HideForm(),
        "answer_form": forms.get("answer_form") or answer_form(space, proposal),
        "merge_form": MergeForm(candidates=selectors.merge_candidates(proposal))
        if can["merge"]
        else None,
        "permalink": request.build_absolute_uri(proposal_url(proposal)),
        **comment_extras(viewer),
    }


def workshop_link(request: HttpRequest, viewer: Viewer, proposal: Proposal) -> str:
    """Back to the workshop a proposal was born in, for who may open it: its leads (the
    outcomes page) and its participants (their workshop page)."""
    provenance = getattr(proposal, "provenance", None)
    workshop = provenance.workshop if provenance else None
    if workshop is None:
        return ""
    user = request.user
    if user.is_authenticated and (
        workshop.organizer_id == user.pk or workshop.facilitators.filter(pk=user.pk).exists()
    ):
        return reverse("workshop-outcomes", args=[workshop.join_code])
    if workshop.pk in participant_workshop_ids(request):
        return reverse("workshop", args=[workshop.join_code])
    return ""


def participant_workshop_ids(request: HttpRequest) -> set[int]:
    ids = session_participant_ids(request.session)
    return set(Participant.objects.filter(pk__in=ids).values_list("workshop_id", flat=True))


def answer_form(space: Space, proposal: Proposal, data=None) -> AnswerForm:
    staged = selectors.staged_answer(proposal)
    initial = {"state": staged.state_id, "text": staged.text} if staged else None
    return AnswerForm(data, initial=initial, states=space.states.all())


def render_proposal(request, space, viewer, proposal, *, status: int = 200, **forms):
    context = proposal_context(request, space, viewer, proposal, **forms)
    return render(request, "deliberation/proposal.html", context, status=status)


@require_GET
def proposal(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    return render_proposal(request, space, viewer, proposal_or_404(space, viewer, number))


@require_http_methods(["GET", "POST"])
def proposal_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The text, theme, location and authors; attachments; publishing a draft."""
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    proposal = proposal_or_404(space, viewer, number)
    if not may_edit(viewer, proposal):
        refusal = Refused("forbidden", _("You cannot edit this proposal."))
        return refused(request, refusal, back=proposal_url(proposal))
    form = proposal_form(space, viewer, proposal=proposal)
    attachment_form = AttachmentForm()
    which = request.POST.get("form") if request.method == "POST" else None
    try:
        if which == "proposal":
            form = proposal_form(space, viewer, request.POST, proposal)
            if form.is_valid():
                services.proposal_update(
                    viewer=viewer, proposal_id=proposal.pk, **proposal_fields(form)
                )
                if "publish" in request.POST:
                    services.proposal_publish(viewer=viewer, proposal_id=proposal.pk)
                    messages.success(request, _("Proposal published."))
                    return redirect(proposal_url(proposal))
                messages.success(request, _("Changes saved."))
                return redirect("proposal-edit", space.slug, proposal.number)
        elif which == "attachment":
            attachment_form = AttachmentForm(request.POST, request.FILES)
            if attachment_form.is_valid():
                services.attachment_add(
                    viewer=viewer,
                    proposal_id=proposal.pk,
                    upload=attachment_form.cleaned_data["file"],
                    title=attachment_form.cleaned_data["title"],
                )
                messages.success(request, _("Attachment added."))
                return redirect("proposal-edit", space.slug, proposal.number)
        elif which == "remove_attachment":
            services.attachment_remove(
                viewer=viewer, proposal_id=proposal.pk, attachment_id=post_int(request, "id")
            )
            messages.success(request, _("Attachment removed."))
            return redirect("proposal-edit", space.slug, proposal.number)
    except Refused as refusal:
        target = attachment_form if which == "attachment" else form
        target.add_error(None, refusal.message)
    context = {
        "space": space,
        "proposal": proposal,
        "form": form,
        "attachment_form": attachment_form,
        "attachments": list(proposal.attachments.all()),
        "creating": False,
    }
    status = 400 if form.errors or attachment_form.errors else 200
    return render(request, "deliberation/proposal_form.html", context, status=status)


@require_GET
def proposal_history(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    proposal = proposal_or_404(space, viewer, number)
    versions = list(
        proposal.versions.select_related("edited_by__user", "edited_by__participant__workshop")
    )
    context = {"space": space, "proposal": proposal, "changes": history.changes(versions)}
    return render(request, "deliberation/history.html", context)


def proposal_post(request: HttpRequest, slug: str, number: int):
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    return space, viewer, proposal_or_404(space, viewer, number)


@require_POST
def proposal_publish(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    _space, viewer, proposal = proposal_post(request, slug, number)
    try:
        services.proposal_publish(viewer=viewer, proposal_id=proposal.pk)
    except Refused as refusal:
        return refused(request, refusal, back=proposal_url(proposal))
    messages.success(request, _("Proposal published."))
    return redirect(proposal_url(proposal))


@require_POST
def proposal_withdraw(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    _space, viewer, proposal = proposal_post(request, slug, number)
    try:
        services.proposal_withdraw(viewer=viewer, proposal_id=proposal.pk)
    except Refused as refusal:
        return refused(request, refusal, back=proposal_url(proposal))
    messages.success(request, _("The proposal is withdrawn."))
    return redirect(proposal_url(proposal))


@require_POST
def proposal_vote(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    space, viewer, proposal = proposal_post(request, slug, number)
    value = request.POST.get("value", "")
    error, status = "", 200
    try:
        if value == "none":
            services.vote_remove(viewer=viewer, proposal_id=proposal.pk)
        else:
            services.vote_cast(viewer=viewer, proposal_id=proposal.pk, value=value)
    except Refused as refusal:
        if not request.htmx:
            return refused(request, refusal, back=proposal_url(proposal, "votes"))
        error, status = refusal.message, status_of(refusal)
    if not request.htmx:
        messages.success(request, _("Your vote is saved."))
        return redirect(proposal_url(proposal, "votes"))
    proposal.refresh_from_db()
    context = {
        "votes": selectors.vote_box(proposal, viewer),
        "proposal": proposal,
        "space": space,
        "error": error,
        "saved": not error,
    }
    return render(request, "deliberation/partials/vote_box.html", context, status=status)


@require_POST
def proposal_follow(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    space, viewer, proposal = proposal_post(request, slug, number)
    following = request.POST.get("following") == "1"
    try:
        services.proposal_follow(viewer=viewer, proposal_id=proposal.pk, following=following)
    except Refused as refusal:
        return refused(request, refusal, target="#follow-error", back=proposal_url(proposal))
    if not request.htmx:
        messages.success(
            request,
            _("You follow this proposal.") if following else _("You no longer follow it."),
        )
        return redirect(proposal_url(proposal, "follow"))
    context = {
        "proposal": proposal,
        "space": space,
        "following": following,
        "viewer": viewer,
        "can": abilities(viewer, space),
        "email_form": EmailFollowForm(),
        "announce": True,
    }
    return render(request, "deliberation/partials/follow_box.html", context)


@require_POST
def proposal_email_follow(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    space, viewer, proposal = proposal_post(request, slug, number)
    form = EmailFollowForm(request.POST)
    if form.is_valid():
        try:
            services.email_follow(
                viewer=viewer,
                proposal_id=proposal.pk,
                language=translation.get_language(),
                **form.cleaned_data,
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Almost done: confirm your address from the email we are sending you."),
            )
            return redirect(proposal_url(proposal, "follow"))
    return render_proposal(request, space, viewer, proposal, status=400, email_form=form)


@require_POST
def proposal_report(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    space, viewer, proposal = proposal_post(request, slug, number)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.report_create(viewer=viewer, proposal_id=proposal.pk, **form.cleaned_data)
        except Refused as refusal:
            return refused(request, refusal, back=proposal_url(proposal))
        messages.success(request, _("Thank you: the moderators will look at it."))
        return redirect(proposal_url(proposal))
    return render_proposal(request, space, viewer, proposal, status=400, report_form=form)


@require_POST
def proposal_moderate(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    space, viewer, proposal = proposal_post(request, slug, number)
    back = request.POST.get("back") or proposal_url(proposal)
    try:
        if request.POST.get("action") == "restore":
            services.content_restore(viewer=viewer, proposal_id=proposal.pk)
            messages.success(request, _("Shown again."))
        else:
            form = HideForm(request.POST)
            if not form.is_valid():
                return render_proposal(request, space, viewer, proposal, status=400, hide_form=form)
            services.content_hide(viewer=viewer, proposal_id=proposal.pk, **form.cleaned_data)
            messages.success(request, _("Hidden."))
    except Refused as refusal:
        return refused(request, refusal, back=proposal_url(proposal))
    return redirect(safe_back(back, proposal_url(proposal)))


def safe_back(url: str, default: str) -> str:
    """Back to a page of this site only."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return default


@require_POST
def proposal_merge(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    _space, viewer, proposal = proposal_post(request, slug, number)
    form = MergeForm(request.POST, candidates=selectors.merge_candidates(proposal))
    if not form.is_valid():
        return refused(
            request,
            Refused("invalid", _("Choose the proposal to merge it into.")),
            back=proposal_url(proposal),
        )
    try:
        services.proposal_merge(
            viewer=viewer, proposal_id=proposal.pk, into_id=form.cleaned_data["into"]
        )
    except Refused as refusal:
        return refused(request, refusal, back=proposal_url(proposal))
    messages.success(request, _("Merged: both proposals show it."))
    return redirect(proposal_url(proposal))


@require_POST
def proposal_answer(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    space, viewer, proposal = proposal_post(request, slug, number)
    action = request.POST.get("action", "stage")
    try:
        if action == "discard":
            services.answer_discard(viewer=viewer, proposal_id=proposal.pk)
            messages.success(request, _("The answer in preparation is deleted."))
            return redirect(proposal_url(proposal, "answer"))
        if action == "publish_staged":
            services.answers_publish(viewer=viewer, proposal_ids=[proposal.pk])
            messages.success(request, _("Official answer published."))
            return redirect(proposal_url(proposal, "answer"))
        form = answer_form(space, proposal, request.POST)
        if not form.is_valid():
            return render_proposal(request, space, viewer, proposal, status=400, answer_form=form)
        fields = {"state_id": form.cleaned_data["state"], "text": form.cleaned_data["text"]}
        if action == "publish":
            services.answer_publish_now(viewer=viewer, proposal_id=proposal.pk, **fields)
            messages.success(request, _("Official answer published."))
        else:
            services.answer_stage(viewer=viewer, proposal_id=proposal.pk, **fields)
            messages.success(request, _("Answer saved, not published yet."))
    except Refused as refusal:
        if refusal.code in REFUSAL_STATUS:
            return refused(request, refusal, back=proposal_url(proposal))
        form = answer_form(space, proposal, request.POST)
        form.is_valid()
        form.add_error(None, refusal.message)
        return render_proposal(request, space, viewer, proposal, status=400, answer_form=form)
    return redirect(proposal_url(proposal, "answer"))


@require_GET
def attachment(request: HttpRequest, slug: str, number: int, attachment_id: int) -> HttpResponse:
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    proposal = proposal_or_404(space, viewer, number)
    if proposal.hidden_at is not None and not allowed(viewer, Action.MODERATE, space):
        raise Http404
    found = proposal.attachments.filter(pk=attachment_id).first()
    if found is None:
        raise Http404
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    extension = found.file.name.rsplit(".", 1)[-1]
    disposition = "inline" if found.kind == "image" else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="proposal-{number}-{found.pk}.{extension}"'
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# Comments.


def comment_extras(viewer: Viewer) -> dict:
    """What every comment's template needs: whose comments are the viewer's own (no vote on
    them), and the positions a reply may take."""
    person = existing_person(viewer)
    return {"me": person.pk if person else None, "alignments": Comment.Alignment.choices}


def comment_context(viewer: Viewer, space: Space, comments) -> dict:
    return {
        "space": space,
        "viewer": viewer,
        "can": abilities(viewer, space),
        "my_comment_votes": selectors.my_comment_votes(viewer, comments),
        "comment_form": CommentForm(),
        **comment_extras(viewer),
    }


@require_http_methods(["GET", "POST"])
def proposal_comments(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """GET: a page of threads (more of them, with htmx). POST: a comment or a reply."""
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    proposal = proposal_or_404(space, viewer, number)
    if request.method == "POST":
        return comment_post(request, space, viewer, proposal)
    number_of_page = request.GET.get("page", "1")
    page = selectors.root_comments(proposal, int(number_of_page) if number_of_page.isdigit() else 1)
    context = {
        **comment_context(viewer, space, page.object_list),
        "proposal": proposal,
        "comments": page,
    }
    if request.htmx:
        return render(request, "deliberation/partials/comment_page.html", context)
    return render(request, "deliberation/comments.html", context)


def comment_post(request: HttpRequest, space: Space, viewer: Viewer, proposal: Proposal):
    form = CommentForm(request.POST)
    parent = form.data.get("parent", "")
    error_target = f"#comment-error-{parent or 'new'}"
    if not form.is_valid():
        refusal = Refused("invalid", " ".join(" ".join(errors) for errors in form.errors.values()))
        if request.htmx:
            return refused(request, refusal, target=error_target)
        return render_proposal(request, space, viewer, proposal, status=400, comment_form=form)
    try:
        comment = services.comment_create(
            viewer=viewer,
            proposal_id=proposal.pk,
            body=form.cleaned_data["body"],
            alignment=form.cleaned_data["alignment"],
            parent_id=form.cleaned_data["parent"],
        )
    except Refused as refusal:
        if request.htmx or refusal.code in REFUSAL_STATUS:
            return refused(request, refusal, target=error_target, back=proposal_url(proposal))
        form.add_error(None, refusal.message)  # the comment stays in the form, nothing lost
        page = render_proposal(
            request, space, viewer, proposal, status=status_of(refusal), comment_form=form
        )
        return with_retry_after(page, refusal)
    if not request.htmx:
        messages.success(request, _("Your comment is posted."))
        return redirect("comment", space.slug, comment.pk)
    comment = selectors.comment_by_id(space, comment.pk)
    proposal.refresh_from_db(fields=["comments_count"])  # counted again by comment_create
    context = {
        **comment_context(viewer, space, [comment]),
        "comment": comment,
        "proposal": proposal,
        "fresh": True,
    }
    return render(request, "deliberation/partials/comment_posted.html", context)


@require_GET
def comment(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    """A comment's permalink: its thread, with the page of replies it is on."""
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    comment = comment_or_404(space, viewer, comment_id)
    root = comment.root or comment
    if root.pk != comment.pk:
        root = selectors.comment_by_id(space, root.pk)
    page_number = request.GET.get("page", "")
    page_number = int(page_number) if page_number.isdigit() else selectors.reply_page_of(comment)
    replies = selectors.replies(root, page_number)
    shown = [root, *replies.object_list]
    context = {
        **comment_context(viewer, space, shown),
        "proposal": comment.proposal,
        "root": root,
        "replies": replies,
        "target": comment,
        "permalink": request.build_absolute_uri(reverse("comment", args=[space.slug, comment.pk])),
    }
    return render(request, "deliberation/comment.html", context)


@require_GET
def comment_replies(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    root = comment_or_404(space, viewer, comment_id)
    if not request.htmx:
        return redirect("comment", space.slug, root.pk)
    page_number = request.GET.get("page", "1")
    replies = selectors.replies(root, int(page_number) if page_number.isdigit() else 1)
    context = {
        **comment_context(viewer, space, replies.object_list),
        "root": root,
        "replies": replies,
        "proposal": root.proposal,
    }
    return render(request, "deliberation/partials/replies.html", context)


@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    comment = comment_or_404(space, viewer, comment_id)
    back = reverse("comment", args=[space.slug, comment.pk])
    try:
        require_editable(viewer, comment)
    except Refused as refusal:
        return refused(request, refusal, back=back)
    initial = {"body": comment.body, "alignment": comment.alignment}
    form = CommentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(
                viewer=viewer,
                comment_id=comment.pk,
                body=form.cleaned_data["body"],
                alignment=form.cleaned_data["alignment"],
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Comment saved."))
            return redirect(back)
    context = {"space": space, "comment": comment, "form": form, "back": back}
    status = 400 if form.errors else 200
    return render(request, "deliberation/comment_edit.html", context, status=status)


@require_POST
def comment_vote(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    comment = comment_or_404(space, viewer, comment_id)
    value = {"up": 1, "down": -1, "none": 0}.get(request.POST.get("value", ""))
    back = reverse("comment", args=[space.slug, comment.pk])
    try:
        comment = services.comment_vote(viewer=viewer, comment_id=comment.pk, value=value)
    except Refused as refusal:
        return refused(request, refusal, target=f"#comment-votes-error-{comment.pk}", back=back)
    if not request.htmx:
        return redirect(back)
    context = {
        "comment": comment,
        "space": space,
        "can": abilities(viewer, space),
        "my_comment_votes": selectors.my_comment_votes(viewer, [comment]),
        **comment_extras(viewer),
    }
    return render(request, "deliberation/partials/comment_votes.html", context)


@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    comment = comment_or_404(space, viewer, comment_id)
    back = reverse("comment", args=[space.slug, comment.pk])
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(viewer=viewer, comment_id=comment.pk, **form.cleaned_data)
        except Refused as refusal:
            return refused(request, refusal, back=back)
        messages.success(request, _("Thank you: the moderators will look at it."))
        return redirect(back)
    context = {"space": space, "comment": comment, "form": form, "back": back}
    return render(
        request, "deliberation/comment_report.html", context, status=400 if form.errors else 200
    )


@require_POST
def comment_moderate(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    comment = comment_or_404(space, viewer, comment_id)
    back = safe_back(
        request.POST.get("back", ""), reverse("comment", args=[space.slug, comment.pk])
    )
    try:
        if request.POST.get("action") == "restore":
            services.content_restore(viewer=viewer, comment_id=comment.pk)
            messages.success(request, _("Shown again."))
        else:
            form = HideForm(request.POST)
            if not form.is_valid():
                raise Refused(
                    "invalid", _("Say why it is hidden: the reason is shown in its place.")
                )
            services.content_hide(viewer=viewer, comment_id=comment.pk, **form.cleaned_data)
            messages.success(request, _("Hidden."))
    except Refused as refusal:
        return refused(request, refusal, back=back)
    return redirect(back)


# The team's pages.


def team_page(request: HttpRequest, slug: str, action: Action) -> tuple[Space, Viewer]:
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    try:
        require(viewer, action, space)
    except Refused as refusal:
        raise PermissionDenied(refusal.message) from None
    return space, viewer


@login_required
@require_http_methods(["GET", "POST"])
def space_answers(request: HttpRequest, slug: str) -> HttpResponse:
    """Proposals waiting for an answer, and the answers ready to publish, in bulk."""
    space, viewer = team_page(request, slug, Action.ANSWER)
    error = ""
    if request.method == "POST":
        ids = [int(pk) for pk in request.POST.getlist("proposal") if pk.isdigit() and len(pk) < 10]
        try:
            published = services.answers_publish(viewer=viewer, proposal_ids=ids)
        except Refused as refusal:
            error = refusal.message
        else:
            messages.success(
                request,
                _("%(count)d official answers published.") % {"count": len(published)},
            )
            return redirect("space-answers", space.slug)
    context = {"space": space, "error": error, **selectors.awaiting_answer(space)}
    return render(request, "deliberation/answers.html", context, status=400 if error else 200)


@login_required
@require_GET
def space_moderation(request: HttpRequest, slug: str) -> HttpResponse:
    space, _viewer = team_page(request, slug, Action.MODERATE)
    context = {"space": space, "hide_form": HideForm(), **selectors.moderation_queue(space)}
    return render(request, "deliberation/moderation.html", context)


SETTINGS_FORMS = {
    "theme_add": ThemeForm,
    "theme_rename": ThemeForm,
    "state_add": StateForm,
    "state_update": StateForm,
    "member_add": MemberForm,
}


def settings_action(request: HttpRequest, viewer: Viewer, space: Space, which: str):
    """Run one of the settings page's small forms; returns the bound form when invalid."""
    form_class = SETTINGS_FORMS.get(which)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return form
    data = form.cleaned_data if form is not None else {}
    ref = post_int(request, "id")
    actions = {
        "theme_add": lambda: services.theme_add(viewer=viewer, **data),
        "theme_rename": lambda: services.theme_rename(viewer=viewer, theme_id=ref, **data),
        "theme_delete": lambda: services.theme_delete(viewer=viewer, theme_id=ref),
        "state_add": lambda: services.state_add(viewer=viewer, **data),
        "state_update": lambda: services.state_update(viewer=viewer, state_id=ref, **data),
        "state_default": lambda: services.state_set_default(viewer=viewer, state_id=ref),
        "state_delete": lambda: services.state_delete(viewer=viewer, state_id=ref),
        "member_add": lambda: services.member_add(viewer=viewer, **data),
        "member_remove": lambda: services.member_remove(viewer=viewer, user_id=ref),
        "workshop_link": lambda: services.space_link_workshop(
            viewer=viewer, user=request.user, workshop_id=ref, linked=True
        ),
        "workshop_unlink": lambda: services.space_link_workshop(
            viewer=viewer, user=request.user, workshop_id=ref, linked=False
        ),
    }
    if which not in actions:
        raise Refused("invalid", _("Unknown action."))
    actions[which]()
    return None


def settings_initial(space: Space) -> dict:
    return {
        field: getattr(space, field)
        for field in SpaceSettingsForm.base_fields
        if field != "support_deadline"
    } | {
        "support_deadline": timezone.localtime(space.support_deadline)
        if space.support_deadline
        else None
    }


@login_required
@require_http_methods(["GET", "POST"])
def space_settings(request: HttpRequest, slug: str) -> HttpResponse:
    space, viewer = team_page(request, slug, Action.CONFIGURE)
    form = SpaceSettingsForm(initial=settings_initial(space))
    error, invalid = "", None
    which = request.POST.get("form", "") if request.method == "POST" else ""
    try:
        if which == "general":
            form = SpaceSettingsForm(request.POST)
            if form.is_valid():
                services.space_update(viewer=viewer, **form.cleaned_data)
                messages.success(request, _("Settings saved."))
                return redirect("space-settings", space.slug)
        elif which:
            invalid = settings_action(request, viewer, space, which)
            if invalid is None:
                messages.success(request, _("Saved."))
                return redirect("space-settings", space.slug)
    except Refused as refusal:
        if which == "general":
            form.add_error(None, refusal.message)
        else:
            error = refusal.message
    if invalid is not None:
        error = " ".join(" ".join(errors) for errors in invalid.errors.values())
    linked = set(space.workshops.values_list("pk", flat=True))
    context = {
        "space": space,
        "form": form,
        "error": error,
        "theme_form": ThemeForm(),
        "colors": ProposalState.Color.choices,
        "state_flags": [(name, StateForm.base_fields[name].label) for name in STATE_FLAGS],
        "member_form": MemberForm(),
        "members": space.members.select_related("user"),
        "states": space.states.all(),
        "themes": space.themes.all(),
        "workshops": [
            (workshop, workshop.pk in linked)
            for workshop in led_workshops(request.user)
            if not workshop.is_template
        ],
    }
    status = 400 if error or form.errors else 200
    return render(request, "deliberation/settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
def space_export(request: HttpRequest, slug: str) -> HttpResponse:
    """Open data for anyone (GET with a format); names of people only for an organizer who
    ticks the box (POST)."""
    space = space_or_404(request, slug)
    viewer = viewer_of(request, space)
    source = request.POST if request.method == "POST" else request.GET
    form = ExportForm(source or None)
    if not source or not form.is_valid():
        context = {"space": space, "form": form, "can": abilities(viewer, space)}
        return render(request, "deliberation/export.html", context)
    personal = form.cleaned_data["personal"]
    if personal and (
        request.method != "POST" or not allowed(viewer, Action.EXPORT_PERSONAL, space)
    ):
        raise PermissionDenied(_("Only the space's organizers can export personal data."))
    data = exports.rows(space, personal=personal)
    stamp = timezone.localdate().isoformat()
    suffix = "-personal" if personal else ""
    if form.cleaned_data["format"] == "json":
        response = HttpResponse(
            exports.to_json(space, data, personal=personal), content_type="application/json"
        )
        extension = "json"
    else:
        response = HttpResponse(exports.to_csv(data), content_type="text/csv; charset=utf-8")
        extension = "csv"
    name = f"{space.slug}-proposals-{stamp}{suffix}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# From a closed workshop to proposals.


@login_required
@require_http_methods(["GET", "POST"])
def workshop_outcomes(request: HttpRequest, code: str) -> HttpResponse:
    """The organizer's page after a workshop: its conclusions, clusters and post-its, each
    made a proposal in one action (a draft, pre-filled, to edit and publish)."""
    workshop = workshop_or_404(request, code)
    lead_actor_or_404(request, workshop)
    spaces = selectors.organized_spaces(request.user)
    chosen = post_int(request, "space") or (
        int(request.GET["space"]) if request.GET.get("space", "").isdigit() else None
    )
    linked_ids = set(workshop.spaces.values_list("pk", flat=True))
    linked = [space for space in spaces if space.pk in linked_ids]
    space = next((s for s in spaces if s.pk == chosen), None) or (linked or spaces or [None])[0]
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("form") == "space":
                space = services.space_create(
                    user=request.user,
                    title=workshop.title,
                    language=workshop.language,
                    workshop=workshop,
                )
                messages.success(request, _("Space created for this workshop's proposals."))
                return redirect(f"{reverse('workshop-outcomes', args=[code])}?space={space.pk}")
            if space is None:
                raise Refused("invalid", _("Create a space for the proposals first."))
            viewer = viewer_of(request, space)
            proposal = services.proposal_from_outcome(
                viewer=viewer,
                user=request.user,
                workshop_id=workshop.pk,
                kind=request.POST.get("kind", ""),
                object_id=post_int(request, "id"),
            )
        except Refused as refusal:
            error = refusal.message
        else:
            messages.success(
                request,
                _("Draft #%(number)d made from the workshop: check it, then publish it.")
                % {"number": proposal.number},
            )
            return redirect("proposal-edit", proposal.space.slug, proposal.number)
    context = {
        "workshop": workshop,
        "spaces": spaces,
        "space": space,
        "space_exists": selectors.workshop_space(request.user, workshop) is not None,
        "error": error,
        **(selectors.workshop_outcomes(workshop) if workshop.status == "closed" else {}),
    }
    return render(request, "deliberation/outcomes.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def keep_informed(request: HttpRequest, code: str) -> HttpResponse:
    """A participant leaves an email to hear what becomes of the workshop's proposals."""
    workshop = workshop_or_404(request, code, joinable=True)
    actor = participant_actor(request, workshop)
    if actor is None:
        return redirect("join", workshop.join_code)
    person = Person.objects.filter(participant_id=actor.participant_id).first()
    form = KeepInformedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_keep_informed(
                participant=Participant.objects.get(pk=actor.participant_id),
                language=translation.get_language(),
                **form.cleaned_data,
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Almost done: confirm your address from the email we are sending you."),
            )
            return redirect("followup")
    context = {"workshop": workshop, "form": form, "person": person}
    status = 400 if form.errors else 200
    return render(request, "deliberation/keep_informed.html", context, status=status)


# What became of my ideas.


def identities(request: HttpRequest, people: list[Person], token_person: Person | None) -> list:
    """(participant, person) pairs the page speaks for: the workshop identities of this
    browser (a person only once they acted or left an email), or the link's person."""
    if token_person is not None:
        return [(token_person.participant, token_person)]
    ids = session_participant_ids(request.session)
    participants = Participant.objects.filter(
        pk__in=ids, kind=Participant.Kind.PERSON
    ).select_related("workshop")
    by_participant = {person.participant_id: person for person in people if person.participant_id}
    return [(participant, by_participant.get(participant.pk)) for participant in participants]


def render_followup(request: HttpRequest, people: list[Person], *, token_person=None):
    pairs = identities(request, people, token_person)
    context = {
        **selectors.followup(
            people, [participant for participant, _person in pairs if participant]
        ),
        "identities": pairs,
        "token_person": token_person,
        "frequency_forms": {
            person.pk: FrequencyForm(initial={"frequency": person.frequency}) for person in people
        },
    }
    response = render(request, "deliberation/followup.html", context)
    services.notifications_seen(people=people)
    return response


@require_GET
def followup(request: HttpRequest) -> HttpResponse:
    """The proposals born from the workshops this browser took part in, and their state."""
    people = session_people(request.session, request.user)
    participant = (
        Participant.objects.filter(pk__in=session_participant_ids(request.session))
        .select_related("workshop")
        .order_by("-joined_at")
        .first()
    )
    speak(request, participant.workshop.language if participant else None)
    return render_followup(request, people)


@require_http_methods(["GET", "POST"])
def followup_token(request: HttpRequest, token: str) -> HttpResponse:
    """The same page from the link in every email; also where the emails are set."""
    person = person_by_token(token)
    if person is None:
        raise Http404(_("This link is not valid any more."))
    speak(request, person.language)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "forget":
                services.email_forget(person=person)
                messages.success(request, _("Your email is forgotten: no more emails."))
            else:
                form = FrequencyForm(request.POST)
                if not form.is_valid():
                    raise Refused("invalid", _("Unknown frequency."))
                services.frequency_set(person=person, frequency=form.cleaned_data["frequency"])
                messages.success(request, _("Saved."))
        except Refused as refusal:
            return refused(request, refusal, back=reverse("followup-token", args=[token]))
        back = request.POST.get("back", "")
        return redirect(safe_back(back, reverse("followup-token", args=[token])))
    return render_followup(request, [person], token_person=person)


@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the confirmation email: a button, so that a mail scanner opening links
    confirms nothing."""
    person = person_by_token(token)
    if person is None or not person.email:
        raise Http404(_("This link is not valid any more."))
    speak(request, person.language)
    if request.method == "POST":
        services.email_confirm(token=token)
        messages.success(request, _("Your address is confirmed."))
        return redirect("followup-token", token)
    return render(request, "deliberation/confirm.html", {"person": person})


@require_http_methods(["GET", "POST"])
def emails_stop(request: HttpRequest, token: str) -> HttpResponse:
    person = person_by_token(token)
    if person is None:
        raise Http404(_("This link is not valid any more."))
    speak(request, person.language)
    if request.method == "POST":
        services.emails_stop(token=token)
        return render(request, "deliberation/stopped.html", {"person": person})
    return render(request, "deliberation/stop.html", {"person": person})
