"""Pages of the workshop: small functions that call selectors and services, then render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workshops import links, selectors, services
from workshops.actors import (
    Actor,
    View,
    remember_participant,
    remember_projector,
    resolve_actor,
)
from workshops.commands import execute_command
from workshops.errors import Refused
from workshops.forms import JoinCodeForm, JoinForm, PostItForm, WorkshopForm
from workshops.models import Workshop


def workshop_or_404(request: HttpRequest, code: str) -> Workshop:
    """The workshop of this code, whose language its pages speak unless the visitor chose one."""
    workshop = selectors.workshop_by_code(code)
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
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = JoinCodeForm(request.GET or None)
    if form.is_valid():
        workshop = selectors.workshop_by_code(form.cleaned_data["code"])
        if workshop is not None:
            return redirect("join", workshop.join_code)
        form.add_error("code", _("No workshop has this code. Check it on the screen."))
    return render(request, "workshops/home.html", {"form": form})


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(request, code)
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
def workshop_page(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(request, code)
    actor = participant_actor(request, workshop)
    if actor is None:
        return redirect("join", workshop.join_code)
    participant = selectors.participant_for_display(actor.participant_id)
    context = {
        "live": live_state(actor, View.PARTICIPANT),
        **selectors.agenda_context(workshop.pk),
        **selectors.participant_place(participant),
        "broadcast": selectors.latest_broadcast(workshop.pk),
        "form": PostItForm(initial={"client_id": get_random_string(24)}),
    }
    return render(request, "workshops/workshop.html", context)


PARTICIPANT_PARTS = {
    "place": "workshops/partials/place.html",
    "wall": "workshops/partials/wall.html",
}


@require_GET
def workshop_part(request: HttpRequest, code: str, part: str) -> HttpResponse:
    """A region of the participant page, fetched again when the person's place changes."""
    workshop = workshop_or_404(request, code)
    actor = participant_actor(request, workshop)
    if actor is None or part not in PARTICIPANT_PARTS:
        raise Http404
    participant = selectors.participant_for_display(actor.participant_id)
    return render(request, PARTICIPANT_PARTS[part], selectors.participant_place(participant))


@require_POST
def postit_create(request: HttpRequest, code: str) -> HttpResponse:
    """The form's fallback without JavaScript; the page normally sends it over the socket."""
    workshop = workshop_or_404(request, code)
    actor = participant_actor(request, workshop)
    if actor is None:
        return redirect("join", workshop.join_code)
    form = PostItForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            execute_command(
                actor=actor,
                client_id=data["client_id"],
                name="postit.create",
                args={"text": data["text"], "color": data["color"]},
            )
        except Refused as refusal:
            messages.error(request, refusal.message)
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("workshop", workshop.join_code)


@require_GET
def projector(request: HttpRequest, code: str, token: str) -> HttpResponse:
    workshop = workshop_or_404(request, code)
    if token != workshop.projector_token:
        raise Http404(_("This projector link is not valid."))
    remember_projector(request.session, workshop)
    actor = resolve_actor(
        workshop=workshop, user=request.user, session=request.session, view=View.PROJECTOR
    )
    context = {
        **selectors.agenda_context(workshop.pk),
        "workshop": workshop,
        "live": live_state(actor, View.PROJECTOR),
        "join_link": links.join_link(workshop, request),
        "postits": selectors.board_postits(workshop_id=workshop.pk, group_id=None),
        "broadcast": selectors.latest_broadcast(workshop.pk),
    }
    return render(request, "workshops/projector.html", context)


@require_GET
def join_qr(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(request, code)
    svg = links.qr_svg(links.join_link(workshop, request))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def organizer_home(request: HttpRequest) -> HttpResponse:
    form = WorkshopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.workshop_create(organizer=request.user, **form.cleaned_data)
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Workshop created. Share its code: %(code)s") % {"code": workshop.join_code},
            )
            return redirect("console", workshop.join_code)
    workshops = (
        Workshop.objects.filter(Q(organizer=request.user) | Q(facilitators=request.user))
        .distinct()
        .order_by("-created_at")
    )
    return render(request, "workshops/organizer_home.html", {"form": form, "workshops": workshops})


@login_required
@require_GET
def console(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(request, code)
    actor = resolve_actor(
        workshop=workshop, user=request.user, session=request.session, view=View.CONSOLE
    )
    if actor is None:
        raise Http404(_("You do not facilitate this workshop."))
    context = {
        **selectors.agenda_context(workshop.pk),
        "workshop": workshop,
        "live": live_state(actor, View.CONSOLE),
        "join_link": links.join_link(workshop, request),
        "projector_link": links.projector_link(workshop, request),
        "participants": selectors.workshop_participants(workshop.pk),
        "attendance": selectors.attendance(workshop.pk),
        "postits": selectors.board_postits(workshop_id=workshop.pk, group_id=None),
        "broadcast": selectors.latest_broadcast(workshop.pk),
        **selectors.groups_panel(workshop.pk),
    }
    return render(request, "workshops/console.html", context)


def socket_upgrade_required(request: HttpRequest, workshop_id: int) -> HttpResponse:
    """The live socket's path answers plain HTTP with 426: it only speaks WebSocket."""
    return HttpResponse(_("This address only accepts WebSocket connections."), status=426)
