"""Pages of the minutes and of personal data: small views over services and selectors.

Generated files are served here, to the workshop's organizer and facilitators only: they
are in the default storage, which has no public URL.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workshops import selectors, services
from workshops.actors import SESSION_PARTICIPANTS, Role
from workshops.errors import Refused
from workshops.forms import MinutesForm, RetentionForm
from workshops.minutes.exports import FILE_KINDS
from workshops.privacy import collect_personal_data
from workshops.services.privacy import participant_erase, retention_ends, workshop_set_retention
from workshops.views import lead_actor_or_404, participant_actor, workshop_or_404

# Only the minutes page's own styles and the standalone HTML's: nothing in an exported
# page runs, loads or submits anything (it is people's text, escaped, but still).
EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def render_minutes(
    request: HttpRequest,
    workshop,
    actor,
    *,
    form: MinutesForm | None = None,
    retention_form: RetentionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_organizer = actor.role == Role.ORGANIZER
    context = {
        **selectors.minutes_page(workshop),
        "is_organizer": is_organizer,
        "form": form or MinutesForm(),
        "retention_form": retention_form
        or RetentionForm(initial={"retention_days": workshop.retention_days}),
        "retention_ends": retention_ends(workshop),
        "anonymized": workshop.participants.exclude(anonymized_at=None).count(),
    }
    return render(request, "workshops/minutes.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def minutes(request: HttpRequest, code: str) -> HttpResponse:
    """The minutes and open data of a workshop: generate, follow, download."""
    workshop = workshop_or_404(request, code)
    actor = lead_actor_or_404(request, workshop)
    if request.method != "POST":
        return render_minutes(request, workshop, actor)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.export_request(actor=actor, named=form.cleaned_data["named"])
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The minutes are being generated."))
            return redirect("minutes", workshop.join_code)
    return render_minutes(request, workshop, actor, form=form, status=400)


@login_required
@require_GET
def minutes_panel(request: HttpRequest, code: str, variant: str) -> HttpResponse:
    """One kind of minutes, polled while it is being made (its progress, then its files)."""
    workshop = workshop_or_404(request, code)
    lead_actor_or_404(request, workshop)
    if variant not in ("anonymous", "named"):
        raise Http404
    context = {
        "workshop": workshop,
        "variant": selectors.export_variant(workshop, named=variant == "named"),
    }
    return render(request, "workshops/partials/export_panel.html", context)


@login_required
@require_GET
def minutes_file(request: HttpRequest, code: str, export_id: int, key: str) -> HttpResponse:
    workshop = workshop_or_404(request, code)
    lead_actor_or_404(request, workshop)
    export = get_object_or_404(workshop.exports, pk=export_id)
    entry = export.files.get(key)
    if entry is None or key not in FILE_KINDS or not default_storage.exists(entry["name"]):
        raise Http404(_("This file no longer exists: generate the minutes again."))
    kind = FILE_KINDS[key]
    name = entry["name"].rsplit("/", 1)[-1]
    # The HTML opens in the browser (to read or print); everything else downloads.
    response = FileResponse(
        default_storage.open(entry["name"], "rb"),
        as_attachment=key != "html",
        filename=name,
        content_type=kind.content_type,
    )
    response["Content-Security-Policy"] = EXPORT_CSP
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def minutes_retention(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(request, code)
    actor = lead_actor_or_404(request, workshop)
    form = RetentionForm(request.POST)
    if form.is_valid():
        try:
            workshop_set_retention(
                user=request.user, workshop_id=workshop.pk, days=form.cleaned_data["retention_days"]
            )
        except Refused as refusal:
            if refusal.code == "forbidden":
                raise PermissionDenied(refusal.message) from None
            form.add_error("retention_days", refusal.message)
        else:
            messages.success(request, _("Retention saved."))
            return redirect("minutes", workshop.join_code)
    return render_minutes(request, workshop, actor, retention_form=form, status=400)


# A participant's own data -----------------------------------------------------------


@require_GET
def my_data(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(request, code, joinable=True)
    actor = participant_actor(request, workshop)
    if actor is None:
        return redirect("join", workshop.join_code)
    participant = selectors.participant_for_display(actor.participant_id)
    context = {
        "workshop": workshop,
        "participant": participant,
        "retention_ends": retention_ends(workshop),
    }
    return render(request, "workshops/my_data.html", context)


@require_GET
def my_data_download(request: HttpRequest, code: str) -> HttpResponse:
    """Everything the apps hold about the person asking, as one JSON file."""
    workshop = workshop_or_404(request, code, joinable=True)
    actor = participant_actor(request, workshop)
    if actor is None:
        return redirect("join", workshop.join_code)
    participant = selectors.participant_for_display(actor.participant_id)
    data = {
        "exported_at": timezone.now().isoformat(),
        "data": collect_personal_data(participant),
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    what = pgettext("file name", "my-data")
    name = f"{slugify(workshop.title)[:60] or 'atelier'}-{what}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def my_data_erase(request: HttpRequest, code: str) -> HttpResponse:
    workshop = workshop_or_404(request, code, joinable=True)
    actor = participant_actor(request, workshop)
    if actor is None:
        return redirect("join", workshop.join_code)
    if request.POST.get("confirm") != "erase":
        messages.error(request, _("Tick the box to confirm the erasure."))
        return redirect("my-data", workshop.join_code)
    try:
        participant_erase(actor=actor)
    except Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("my-data", workshop.join_code)
    # This browser forgets the participant too (other devices already act as nobody).
    remembered = dict(request.session.get(SESSION_PARTICIPANTS, {}))
    remembered.pop(str(workshop.pk), None)
    request.session[SESSION_PARTICIPANTS] = remembered
    messages.success(
        request,
        _("Your name was erased from this workshop. What you wrote stays, anonymous."),
    )
    return redirect("home")
