"""Every HTTP view against every persona: who may open it, and an explicit refusal (a
login page, a 403 or a 404 that says why) for everyone else. A view added without a line
here fails `test_the_matrix_covers_every_view`."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import ERROR, get_messages
from django.test import Client
from django.urls import get_resolver, reverse

from deliberation import urls as deliberation_urls
from tests.support.personas import session_cookie
from workshops import services
from workshops.actors import Actor, Role
from workshops.models import Participant, Workshop

LEADS = {"organizer", "facilitator"}
GUESTS = {"participant", "tablet", "scribe"}
ACCOUNTS = LEADS | {"stranger"}
EVERYONE = LEADS | GUESTS | {"projector", "other_participant", "stranger", "anonymous"}


@dataclass
class World:
    workshop: Workshop
    ids: dict[str, object]
    clients: dict[str, Client]


@dataclass(frozen=True)
class View:
    name: str
    args: Callable[[World], list]
    allowed: set[str]
    method: str = "get"
    data: Callable[[World, str], dict] = lambda world, persona: {}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_cookie(cookie: str) -> Client:
    client = Client()
    client.cookies.load(cookie)
    return client


@pytest.fixture
def world(workshop, organizer, facilitator, stranger, alice, other_workshop, join) -> World:
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    (table,) = services.groups_create(actor=lead, count=1, kind="table")
    services.tablet_pairing_open(actor=lead, group_id=table.pk)
    table.refresh_from_db()
    tablet = services.tablet_pair(pairing_code=table.pairing_code)
    scribe = services.participant_join(
        workshop=workshop, display_name="Sam", location="room", kind=Participant.Kind.SCRIBE
    )
    outsider = join(other_workshop, "Oscar")
    invited = get_user_model().objects.create_user("ines", email="ines@example.org")
    clients = {
        "anonymous": Client(),
        "participant": with_cookie(session_cookie(participant=alice)),
        "tablet": with_cookie(session_cookie(participant=tablet)),
        "scribe": with_cookie(session_cookie(participant=scribe)),
        "projector": with_cookie(session_cookie(projector_of=workshop)),
        "other_participant": with_cookie(session_cookie(participant=outsider)),
        "stranger": logged_in(stranger),
        "facilitator": logged_in(facilitator),
        "organizer": logged_in(organizer),
    }
    ids = {
        "pairing_code": table.pairing_code,
        "table": table.pk,
        "facilitator": facilitator.pk,
        "invited": invited.username,
    }
    return World(workshop, ids, clients)


def code(world: World) -> list:
    return [world.workshop.join_code]


VIEWS = [
    View("home", lambda w: [], EVERYONE),
    View("join", code, EVERYONE),
    View("join-qr", code, EVERYONE),
    View("tablet-pair", lambda w: [w.ids["pairing_code"]], EVERYONE),
    View("tablet-pair-qr", lambda w: [w.ids["pairing_code"]], EVERYONE),
    View("scribe-join", lambda w: [*code(w), w.workshop.scribe_token], EVERYONE),
    View("projector", lambda w: [*code(w), w.workshop.projector_token], EVERYONE),
    View("projector-stage", lambda w: [*code(w), w.workshop.projector_token], EVERYONE),
    View("workshop", code, GUESTS),
    View("workshop-part", lambda w: [*code(w), "wall"], GUESTS),
    View(
        "postit-create",
        code,
        GUESTS,
        method="post",
        data=lambda w, persona: {
            "client_id": f"http-{persona}",
            "text": "Une idée",
            "color": "yellow",
            **({"table": w.ids["table"]} if persona == "scribe" else {}),
        },
    ),
    View("console", code, LEADS),
    View("console-attendance", code, LEADS),
    View("console-boards", code, LEADS),
    View("console-suggestions", code, LEADS),
    View("workshop-settings", code, LEADS),
    View("workshop-duplicate", code, LEADS, method="post"),
    View("workshop-save-as-template", code, LEADS, method="post"),
    View(
        "facilitator-invite",
        code,
        {"organizer"},
        method="post",
        data=lambda w, persona: {"username_or_email": w.ids["invited"]},
    ),
    View(
        "facilitator-remove",
        lambda w: [*code(w), w.ids["facilitator"]],
        {"organizer"},
        method="post",
    ),
    View("organizer-home", lambda w: [], ACCOUNTS),
    View("minutes", code, LEADS),
    View("minutes-panel", lambda w: [*code(w), "anonymous"], LEADS),
    View(
        "minutes-retention",
        code,
        {"organizer"},
        method="post",
        data=lambda w, persona: {"retention_days": 200},
    ),
    View("my-data", code, GUESTS),
    View("my-data-download", code, GUESTS),
    View("my-data-erase", code, GUESTS, method="post", data=lambda w, p: {"confirm": "erase"}),
    View("workshop-outcomes", code, LEADS),
    View("keep-informed", code, GUESTS),
]

# Not workshop views: Django's own (login, admin, language), the health check, the socket,
# and deliberation's spaces, whose own matrix is tests/deliberation/test_permissions.py.
# The minutes' files need minutes made first: tests/workshops/test_minutes_pages.py
# (test_nobody_else_reaches_the_minutes_or_their_files) covers who downloads them.
OUT_OF_MATRIX = {"login", "logout", "set_language", "healthz", "live-socket", "minutes-file"} | {
    pattern.name for pattern in deliberation_urls.urlpatterns
} - {"workshop-outcomes", "keep-informed"}


def test_the_matrix_covers_every_view():
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    assert {view.name for view in VIEWS} | OUT_OF_MATRIX >= names - {"admin"}, (
        "add the new view to VIEWS with who may open it"
    )


def refused(response) -> bool:
    if response.status_code in (403, 404):
        return True
    location = response.headers.get("Location", "")
    return response.status_code == 302 and ("/accounts/login/" in location or "/j/" in location)


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.name)
def test_each_persona_may_open_exactly_its_views(world, view):
    url = reverse(view.name, args=view.args(world))
    for persona in sorted(EVERYONE):
        client = world.clients[persona]
        response = getattr(client, view.method)(url, view.data(world, persona))
        if persona in view.allowed:
            assert response.status_code in (200, 302), (persona, response.status_code)
            assert not refused(response), (persona, response.headers.get("Location"))
            errors = [m for m in get_messages(response.wsgi_request) if m.level >= ERROR]
            assert not errors, (persona, errors)
        else:
            assert refused(response), (persona, response.status_code)
            if response.status_code in (403, 404):
                assert "<h1" in response.text  # a page that says so, not an empty answer


def test_a_refused_facilitator_sees_why(world):
    url = reverse("facilitator-invite", args=code(world))
    response = world.clients["facilitator"].post(url, {"username_or_email": "ines"})
    assert response.status_code == 403
    assert "You do not have access to this page." in response.text or "organizer" in response.text
