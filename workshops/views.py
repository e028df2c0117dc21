"""Pages of the workshop: small functions that call selectors and services, then render."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workshops import links, selectors, services, throttle
from workshops.actors import (
    Actor,
    Role,
    View,
    remember_participant,
    remember_projector,
    resolve_actor,
)
from workshops.commands import execute_command
from workshops.errors import Refused
from workshops.forms import (
    FacilitatorInviteForm,
    JoinCodeForm,
    JoinForm,
    PostItForm,
    PostItSettingsForm,
    ScribeForm,
    WorkshopForm,
)
from workshops.models import Participant, Workshop, author_key
from workshops.throttle import counts_wrong_codes


def workshop_or_404(request: HttpRequest, code: str, *, joinable: bool = False) -> Workshop:
    """The workshop of this code, whose language its pages speak unless the visitor chose one.

    Guests' pages ask for a `joinable` one: a template is 404 to them."""
    find = selectors.joinable_workshop_by_code if joinable else selectors.workshop_by_code
    workshop = find(code)
    if workshop is None:
        raise Http404(_("No workshop has this code."))
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(workshop.language)
        request.LANGUAGE_CODE = workshop.language
    return workshop


def live_state(actor: Actor, view: View) -> dict:
    """What the page's socket module starts from. Read before the content it describes:
    an event committed in between is then replayed on top, never missed."""
    keys = selectors.followed_streams(actor)
    return {
        "url": reverse("live-socket", args=[actor.workshop_id]) + f"?view={view}",
        "streams": selectors.stream_positions(workshop_id=actor.workshop_id, keys=keys),
        "participant": actor.participant_id,
        "author": author_key(actor.participant_id) if actor.participant_id else None,
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = JoinCodeForm(request.GET or None)
    if form.is_valid():
        if throttle.too_many_failures(request):
            return throttle.slow_down(request)
        workshop = selectors.joinable_workshop_by_code(form.cleaned_data["code"])
        if workshop is not None:
            return redirect("join", workshop.join_code)
        throttle.note_failure(request)
        form.add_error("code", _("No workshop has this code. Check it on the screen."))
    return render(request, "workshops/home.html", {"form": form})


@require_http_methods(["GET", "POST"])
@counts_wrong_codes
def join(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(request, code, joinable=True)
    if resolve_actor(workshop=workshop, user=None, session=request.session, view=View.PARTICIPANT):
        return redirect("workshop", workshop.join_code)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_join(workshop=workshop, **form.cleaned_data)
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            remember_participant(request.session, participant)
            return redirect("workshop", workshop.join_code)
    status = 400 if form.errors else 200
    return render(
        request, "workshops/join.html", {"workshop": workshop, "form": form}, status=status
    )


def participant_actor(request: HttpRequest, workshop: Workshop) -> Actor | None:
    return resolve_actor(
        workshop=workshop, user=None, session=request.session, view=View.PARTICIPANT
    )


@require_GET
@counts_wrong_codes
def workshop_page(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(request, code, joinable=True)
    actor = participant_actor(request, workshop)
    if actor is None:
        return redirect("join", workshop.join_code)
    participant = selectors.participant_for_display(actor.participant_id)
    context = {
        "live": {
            **live_state(actor, View.PARTICIPANT),
            "dots": selectors.my_vote(participant),
            "answers": selectors.my_poll_answers(participant),
            # Anonymous boards carry no author mark: the page knows its own post-its.
            "mine": selectors.my_postit_ids(participant),
        },
        **selectors.participant_polls(participant),
        **selectors.shared_conclusions(workshop),
        **selectors.agenda_context(workshop.pk),
        **selectors.participant_place(participant),
        **selectors.speaking_queue(workshop.pk),
        "broadcast": selectors.latest_broadcast(workshop.pk),
        "form": PostItForm(initial={"client_id": get_random_string(24)}),
        "tables": selectors.scribe_tables(participant),
    }
    return render(request, "workshops/workshop.html", context)


PARTICIPANT_PARTS = {
    "place": "workshops/partials/place.html",
    "wall": "workshops/partials/wall.html",
    "polls": "workshops/partials/polls.html",
}


@require_GET
def workshop_part(request: HttpRequest, code: str, part: str) -> HttpResponse:
    """A region of the participant page, fetched again when the person's place changes."""
    workshop = workshop_or_404(request, code, joinable=True)
    actor = participant_actor(request, workshop)
    if actor is None or part not in PARTICIPANT_PARTS:
        raise Http404
    # Positions read before rendering: the page replays what committed in between.
    positions = live_state(actor, View.PARTICIPANT)["streams"]
    participant = selectors.participant_for_display(actor.participant_id)
    context = {
        **selectors.participant_place(participant),
        **selectors.participant_polls(participant),
        "positions": positions,
    }
    return render(request, PARTICIPANT_PARTS[part], context)


@require_POST
def postit_create(request: HttpRequest, code: str) -> HttpResponse:
    """The form's fallback without JavaScript; the page normally sends it over the socket."""
    workshop = workshop_or_404(request, code, joinable=True)
    actor = participant_actor(request, workshop)
    if actor is None:
        return redirect("join", workshop.join_code)
    form = PostItForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        optional = {key: data[key] for key in ("table", "signature") if data[key]}
        args = {"text": data["text"], "color": data["color"], **optional}
        try:
            execute_command(
                actor=actor, client_id=data["client_id"], name="postit.create", args=args
            )
        except Refused as refusal:
            messages.error(request, refusal.message)
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("workshop", workshop.join_code)


def projector_workshop(request: HttpRequest, code: str, token: str) -> Workshop:
    workshop = workshop_or_404(request, code)
    if not secrets.compare_digest(token.encode(), workshop.projector_token.encode()):
        raise Http404(_("This projector link is not valid."))
    return workshop


@require_GET
@counts_wrong_codes
def projector(request: HttpRequest, code: str, token: str) -> HttpResponse:
    workshop = projector_workshop(request, code, token)
    remember_projector(request.session, workshop)
    actor = resolve_actor(
        workshop=workshop, user=request.user, session=request.session, view=View.PROJECTOR
    )
    context = {
        **selectors.agenda_context(workshop.pk),
        **selectors.projector_stage(workshop),
        "plenary_polls": selectors.shown_polls(workshop.polls.filter(group=None))[:1],
        **selectors.shared_conclusions(workshop),
        "live": live_state(actor, View.PROJECTOR),
        "join_link": links.join_link(workshop, request),
        "broadcast": selectors.latest_broadcast(workshop.pk),
        **selectors.speaking_queue(workshop.pk),
    }
    return render(request, "workshops/projector.html", context)


@require_GET
@counts_wrong_codes
def projector_stage(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The projector's wall, fetched again when the workshop goes to groups or comes back."""
    workshop = projector_workshop(request, code, token)
    return render(
        request, "workshops/partials/projector_stage.html", selectors.projector_stage(workshop)
    )


@require_GET
@counts_wrong_codes
def join_qr(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(request, code)
    svg = links.qr_svg(links.join_link(workshop, request))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def create_workshop(user, data: dict) -> Workshop:
    """Blank, from a built-in blueprint, or as a copy of a template or previous workshop."""
    data = dict(data)
    start = data.pop("start_from")
    if start is None:
        return services.workshop_create(organizer=user, **data)
    if start.kind == "blueprint":
        return services.workshop_create_from_blueprint(organizer=user, blueprint=start.ref, **data)
    return services.workshop_duplicate(user=user, source_id=start.ref, title=data["title"])


@login_required
@require_http_methods(["GET", "POST"])
def organizer_home(request: HttpRequest) -> HttpResponse:
    led = selectors.led_workshops(request.user)
    form = WorkshopForm(request.POST or None, sources=led)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = create_workshop(request.user, form.cleaned_data)
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Workshop created. Share its code: %(code)s") % {"code": workshop.join_code},
            )
            return redirect("console", workshop.join_code)
    context = {
        "form": form,
        "workshops": [workshop for workshop in led if not workshop.is_template],
        "templates": [workshop for workshop in led if workshop.is_template],
    }
    return render(request, "workshops/organizer_home.html", context)


def copy_or_404(request: HttpRequest, source: Workshop, **options) -> Workshop | None:
    """Duplicate `source` for the person asking (404 if they do not lead it), or say why not."""
    try:
        return services.workshop_duplicate(user=request.user, source_id=source.pk, **options)
    except Refused as refusal:
        if refusal.code in ("not_found", "forbidden"):
            raise Http404(refusal.message) from None
        messages.error(request, refusal.message)
        return None


def copy_title(workshop: Workshop) -> str:
    # In the workshop's language, like the rest of its title; cut to fit in 200 characters.
    with translation.override(workshop.language):
        return _("%(title)s (copy)") % {"title": workshop.title[:180]}


@login_required
@require_POST
def workshop_duplicate(request: HttpRequest, code: str) -> HttpResponse:
    """A copy of the same kind: a workshop gives a workshop, a template a template."""
    source = selectors.workshop_by_code(code)
    if source is None:
        raise Http404(_("No workshop has this code."))
    copy = copy_or_404(request, source, title=copy_title(source), as_template=source.is_template)
    if copy is not None:
        messages.success(request, _("Duplicated as “%(title)s”.") % {"title": copy.title})
    return redirect("organizer-home")


@login_required
@require_POST
def workshop_save_as_template(request: HttpRequest, code: str) -> HttpResponse:
    source = selectors.workshop_by_code(code)
    if source is None:
        raise Http404(_("No workshop has this code."))
    if copy_or_404(request, source, as_template=True) is not None:
        messages.success(
            request, _("Saved as a template. Pick it under “Start from” to create a workshop.")
        )
    return redirect("organizer-home")


def render_settings(
    request: HttpRequest,
    workshop: Workshop,
    actor: Actor,
    *,
    label_form: PostItSettingsForm | None = None,
    invite_form: FacilitatorInviteForm | None = None,
) -> HttpResponse:
    label_form = label_form or PostItSettingsForm(
        initial={"postit_label": workshop.postit_label, "anonymous": workshop.anonymous}
    )
    invite_form = invite_form or FacilitatorInviteForm()
    is_organizer = actor.role == Role.ORGANIZER
    context = {
        "workshop": workshop,
        "label_form": label_form,
        "invite_form": invite_form,
        "is_organizer": is_organizer,
        "facilitators": selectors.workshop_facilitators(workshop.pk) if is_organizer else [],
    }
    status = 400 if label_form.errors or invite_form.errors else 200
    return render(request, "workshops/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def workshop_settings(request: HttpRequest, code: str) -> HttpResponse:
    """The post-it label (organizer and facilitators) and the co-facilitators (organizer)."""
    workshop = workshop_or_404(request, code)
    actor = lead_actor_or_404(request, workshop)
    if request.method != "POST":
        return render_settings(request, workshop, actor)
    form = PostItSettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.workshop_set_label(
                user=request.user, workshop_id=workshop.pk, postit_label=data["postit_label"]
            )
            services.workshop_set_anonymous(
                user=request.user, workshop_id=workshop.pk, anonymous=data["anonymous"]
            )
        except Refused as refusal:
            form.add_error("postit_label", refusal.message)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("workshop-settings", workshop.join_code)
    return render_settings(request, workshop, actor, label_form=form)


@login_required
@require_POST
def facilitator_invite(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(request, code)
    actor = lead_actor_or_404(request, workshop)
    form = FacilitatorInviteForm(request.POST)
    if form.is_valid():
        try:
            invitee = services.facilitator_invite(
                user=request.user, workshop_id=workshop.pk, **form.cleaned_data
            )
        except Refused as refusal:
            if refusal.code == "forbidden":
                raise PermissionDenied(refusal.message) from None
            form.add_error("username_or_email", refusal.message)
        else:
            messages.success(
                request,
                _("%(name)s now co-facilitates this workshop.") % {"name": invitee.get_username()},
            )
            return redirect("workshop-settings", workshop.join_code)
    return render_settings(request, workshop, actor, invite_form=form)


@login_required
@require_POST
def facilitator_remove(request: HttpRequest, code: str, user_id: int) -> HttpResponse:
    workshop = workshop_or_404(request, code)
    lead_actor_or_404(request, workshop)
    try:
        removed = services.facilitator_remove(
            user=request.user, workshop_id=workshop.pk, facilitator_id=user_id
        )
    except Refused as refusal:
        if refusal.code == "forbidden":
            raise PermissionDenied(refusal.message) from None
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("%(name)s no longer facilitates this workshop.") % {"name": removed.get_username()},
        )
    return redirect("workshop-settings", workshop.join_code)


def lead_actor_or_404(request: HttpRequest, workshop: Workshop) -> Actor:
    actor = resolve_actor(
        workshop=workshop, user=request.user, session=request.session, view=View.CONSOLE
    )
    if actor is None:
        raise Http404(_("You do not facilitate this workshop."))
    return actor


@login_required
@require_GET
def console_attendance(request: HttpRequest, code: str) -> HttpResponse:
    """The attendance card, polled by the console: presence changes with time, not events."""
    workshop = workshop_or_404(request, code)
    lead_actor_or_404(request, workshop)
    return render(
        request, "workshops/partials/attendance.html", selectors.attendance_panel(workshop)
    )


@login_required
@require_GET
def console(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(request, code)
    actor = lead_actor_or_404(request, workshop)
    context = {
        **selectors.agenda_context(workshop.pk),
        **selectors.attendance_panel(workshop),
        **selectors.speaking_queue(workshop.pk),
        "live": live_state(actor, View.CONSOLE),
        "join_link": links.join_link(workshop, request),
        "projector_link": links.projector_link(workshop, request),
        "scribe_link": links.scribe_link(workshop, request),
        "hidden_postits": selectors.hidden_postits(workshop.pk),
        "boards": selectors.all_boards(workshop),
        **selectors.console_polls(workshop),
        "broadcast": selectors.latest_broadcast(workshop.pk),
        **selectors.groups_panel(workshop.pk),
    }
    return render(request, "workshops/console.html", context)


@login_required
@require_GET
def console_boards(request: HttpRequest, code: str) -> HttpResponse:
    """The console's boards, fetched again when groups are created or deleted."""
    workshop = workshop_or_404(request, code)
    lead_actor_or_404(request, workshop)
    context = {"workshop": workshop, "boards": selectors.all_boards(workshop)}
    return render(request, "workshops/partials/boards.html", context)


@login_required
@require_GET
def console_suggestions(request: HttpRequest, code: str) -> HttpResponse:
    """Suggested clusters for one board, computed from its texts, for a facilitator to
    accept (as they are or edited) or ignore. Nothing changes until they accept one."""
    workshop = workshop_or_404(request, code)
    lead_actor_or_404(request, workshop)
    group = None
    group_id = request.GET.get("group", "")
    if group_id:
        if not group_id.isdigit():
            raise Http404
        group = get_object_or_404(workshop.groups, pk=int(group_id))
    context = {
        "workshop": workshop,
        "group": group,
        "suggestions": selectors.cluster_suggestions(workshop, group),
    }
    return render(request, "workshops/partials/suggestions.html", context)


def socket_upgrade_required(request: HttpRequest, workshop_id: int) -> HttpResponse:
    """The live socket's path answers plain HTTP with 426: it only speaks WebSocket."""
    return HttpResponse(_("This address only accepts WebSocket connections."), status=426)


@require_http_methods(["GET", "POST"])
@counts_wrong_codes
def tablet_pair(request: HttpRequest, pairing_code: str) -> HttpResponse:
    """A table's tablet opens the pairing link, confirms, and stays at that table."""
    group = services.group_by_pairing_code(pairing_code)
    if group is None:
        raise Http404(_("This pairing code is not valid."))
    workshop = workshop_or_404(request, group.workshop.join_code, joinable=True)
    if request.method == "POST":
        try:
            tablet = services.tablet_pair(pairing_code=pairing_code)
        except Refused as refusal:
            messages.error(request, refusal.message)
        else:
            remember_participant(request.session, tablet)
            return redirect("workshop", workshop.join_code)
    return render(request, "workshops/tablet_pair.html", {"workshop": workshop, "group": group})


@require_GET
@counts_wrong_codes
def tablet_pair_qr(request: HttpRequest, pairing_code: str) -> HttpResponse:
    group = services.group_by_pairing_code(pairing_code)
    if group is None:
        raise Http404
    url = links.absolute(reverse("tablet-pair", args=[group.pairing_code]), request)
    return HttpResponse(links.qr_svg(url), content_type="image/svg+xml")


@require_http_methods(["GET", "POST"])
@counts_wrong_codes
def scribe_join(request: HttpRequest, code: str, token: str) -> HttpResponse:
    """The console's scribe link: someone who types the tables' paper post-its joins."""
    workshop = workshop_or_404(request, code, joinable=True)
    if not workshop.scribe_token or not secrets.compare_digest(
        token.encode(), workshop.scribe_token.encode()
    ):
        raise Http404(_("This scribe link is not valid."))
    form = ScribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scribe = services.participant_join(
                workshop=workshop,
                display_name=form.cleaned_data["display_name"],
                location=Participant.Location.ROOM,
                kind=Participant.Kind.SCRIBE,
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            remember_participant(request.session, scribe)
            return redirect("workshop", workshop.join_code)
    return render(request, "workshops/scribe_join.html", {"workshop": workshop, "form": form})
