"""Who may do what, through the pages: every role against every action, and the refusals
say why (DESIGN.md: roles are checked on every command, on the server). A view added to
deliberation/urls.py without a line here fails `test_the_matrix_covers_every_view`."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from deliberation import services
from deliberation import urls as deliberation_urls
from deliberation.models import Comment, Person, Proposal, Vote
from tests.deliberation.conftest import viewer_for
from tests.deliberation.test_pages import PNG
from tests.support.personas import session_cookie

pytestmark = pytest.mark.django_db

ROLES = ["organizer", "moderator", "guest", "account", "visitor"]


@pytest.fixture
def clients(space, organizer, moderator, alice, stranger) -> dict[str, Client]:
    """One browser per role: the organizer, a moderator, a guest of the space's workshop
    (Alice, by her workshop session), an account with no role here, and a visitor."""
    browsers = {role: Client() for role in ROLES}
    browsers["organizer"].force_login(organizer)
    browsers["moderator"].force_login(moderator)
    browsers["account"].force_login(stranger)
    browsers["guest"].cookies.load(session_cookie(participant=alice))
    return browsers


@pytest.fixture
def refs(space, as_organizer, as_alice, published, bob, alice, settings, tmp_path) -> dict:
    """What the views act on: comments by Bob and by Alice, a draft, a second proposal, an
    attachment, and Alice's follow-up token (she left an email)."""
    settings.MEDIA_ROOT = tmp_path
    as_bob = viewer_for(space, participant=bob)
    draft = services.proposal_create(viewer=as_organizer, title="Brouillon", body="Pas prêt")
    other = services.proposal_publish(
        viewer=as_organizer,
        proposal_id=services.proposal_create(viewer=as_organizer, title="Autre", body="x").pk,
    )
    attachment = services.attachment_add(
        viewer=as_organizer,
        proposal_id=published.pk,
        title="Plan",
        upload=SimpleUploadedFile("plan.png", PNG),
    )
    person = services.participant_keep_informed(
        participant=alice,
        email="alice@example.org",
        consent=True,
        frequency="immediate",
        language="fr",
    )
    return {
        "number": published.number,
        "draft": draft.number,
        "other": other.pk,
        "comment": services.comment_create(
            viewer=as_bob, proposal_id=published.pk, body="Un avis"
        ).pk,
        "alices_comment": services.comment_create(
            viewer=as_alice, proposal_id=published.pk, body="Le mien"
        ).pk,
        "attachment": attachment.pk,
        "token": Person.objects.get(pk=person.pk).token,
        "code": space.workshops.get().join_code,
    }


def url(name, space, *args):
    if name in {"workshop-outcomes", "keep-informed"}:
        return reverse(name, args=args)
    if name in {"followup-token", "email-confirm", "emails-stop"}:
        return reverse(name, args=args)
    if name in {"spaces", "followup"}:
        return reverse(name)
    return reverse(name, args=[space.slug, *args])


# (action, how to ask) → expected status per role, in ROLES' order.
MATRIX = {
    "read the space": ("get", "space", (), {}, [200, 200, 200, 200, 200]),
    "read a proposal": ("get", "proposal", ("number",), {}, [200, 200, 200, 200, 200]),
    "vote": ("post", "proposal-vote", ("number",), {"value": "for"}, [403, 403, 302, 403, 403]),
    "comment": (
        "post", "proposal-comments", ("number",), {"body": "Bien", "alignment": "for"},
        [302, 302, 302, 403, 403],
    ),
    "vote on a comment": (
        "post", "comment-vote", ("comment",), {"value": "up"}, [302, 302, 302, 403, 403],
    ),
    "follow": ("post", "proposal-follow", ("number",), {"following": "1"},
               [302, 302, 302, 302, 403]),
    "report": ("post", "proposal-report", ("number",), {"reason": "spam"},
               [302, 302, 302, 302, 403]),
    "answer": (
        "post", "proposal-answer", ("number",), {"action": "publish", "state": "accepted",
                                                  "text": "Oui."},
        [302, 403, 403, 403, 403],
    ),
    "hide": ("post", "proposal-moderate", ("number",), {"action": "hide", "reason": "Hors charte"},
             [302, 302, 403, 403, 403]),
    "make a proposal": ("post", "proposal-new", (), {"title": "Idée", "body": "Texte"},
                        [302, 403, 403, 403, 403]),
    "edit": ("post", "proposal-edit", ("number",), {"form": "proposal", "title": "Autre",
                                                     "body": "Texte"},
             [302, 403, 403, 403, 403]),
    "see the answers page": ("get", "space-answers", (), {}, [200, 403, 302, 403, 302]),
    "see the moderation page": ("get", "space-moderation", (), {}, [200, 200, 302, 403, 302]),
    "change the settings": ("get", "space-settings", (), {}, [200, 403, 302, 403, 302]),
    "export personal data": ("post", "space-export", (), {"format": "csv", "personal": "on"},
                             [200, 403, 403, 403, 403]),
    "export open data": ("get", "space-export", (), {"format": "csv"}, [200] * 5),
    "list one's spaces": ("get", "spaces", (), {}, [200, 200, 302, 200, 302]),
    "read the history": ("get", "proposal-history", ("number",), {}, [200] * 5),
    "read a draft": ("get", "proposal", ("draft",), {}, [200, 200, 404, 404, 404]),
    "publish a draft": ("post", "proposal-publish", ("draft",), {},
                        [302, 403, 404, 404, 404]),
    "withdraw": ("post", "proposal-withdraw", ("number",), {}, [302, 403, 403, 403, 403]),
    "merge": ("post", "proposal-merge", ("number",), {"into": "other"},
              [302, 403, 403, 403, 403]),
    "follow by email": ("post", "proposal-email-follow", ("number",),
                        {"email": "voisin@example.org", "consent": "on"}, [302] * 5),
    "open an attachment": ("get", "attachment", ("number", "attachment"), {}, [200] * 5),
    "read a comment's thread": ("get", "comment", ("comment",), {}, [200] * 5),
    "replies without JavaScript": ("get", "comment-replies", ("comment",), {}, [302] * 5),
    "edit one's comment": ("get", "comment-edit", ("alices_comment",), {},
                           [403, 403, 200, 403, 403]),
    "report a comment": ("post", "comment-report", ("comment",), {"reason": "spam"},
                         [302, 302, 302, 302, 403]),
    "hide a comment": ("post", "comment-moderate", ("comment",),
                       {"action": "hide", "reason": "Hors charte"}, [302, 302, 403, 403, 403]),
    "a workshop's outcomes": ("get", "workshop-outcomes", ("code",), {},
                              [200, 404, 302, 404, 302]),
    "keep informed": ("get", "keep-informed", ("code",), {}, [302, 302, 200, 302, 302]),
    "what became of my ideas": ("get", "followup", (), {}, [200] * 5),
    "the follow-up by its link": ("get", "followup-token", ("token",), {}, [200] * 5),
    "confirm an email by its link": ("get", "email-confirm", ("token",), {}, [200] * 5),
    "stop the emails by their link": ("get", "emails-stop", ("token",), {}, [200] * 5),
}  # fmt: skip


def test_the_matrix_covers_every_view():
    names = {pattern.name for pattern in deliberation_urls.urlpatterns}
    assert {row[1] for row in MATRIX.values()} == names


@pytest.mark.parametrize("action", MATRIX)
def test_the_permission_matrix(action, space, published, refs, clients):
    method, name, arg_names, data, expected = MATRIX[action]
    args = [refs[arg] for arg in arg_names]
    if data.get("state") == "accepted":
        data = {**data, "state": space.states.get(title="Acceptée").pk}
    if data.get("into") == "other":
        data = {**data, "into": refs["other"]}
    statuses = {}
    # The least entitled first: what the allowed roles change comes last.
    for role in reversed(ROLES):
        response = getattr(clients[role], method)(url(name, space, *args), data)
        statuses[role] = response.status_code
        if response.status_code == 302 and name in {
            "space-answers",
            "space-moderation",
            "space-settings",
        }:
            assert response.url.startswith(reverse("login"))  # visitors are asked to log in
    assert statuses == dict(zip(ROLES, expected, strict=True))


def test_a_refusal_says_why(space, published, clients):
    visitor = clients["visitor"].post(
        url("proposal-vote", space, published.number), {"value": "for"}
    )
    assert "ouvrez-le depuis l’appareil utilisé pendant l’atelier" in visitor.text
    team = clients["organizer"].post(
        url("proposal-vote", space, published.number), {"value": "for"}
    )
    assert "L’équipe de l’espace répond aux propositions" in team.text
    assert not Vote.objects.exists()


def test_guests_comment_and_vote_only_when_the_organizer_allows_it(space, published, clients):
    space.guests_may_comment = False
    space.guests_may_vote = False
    space.save()
    guest = clients["guest"]
    vote = guest.post(url("proposal-vote", space, published.number), {"value": "for"})
    comment = guest.post(
        url("proposal-comments", space, published.number), {"body": "Mon avis", "alignment": "for"}
    )
    assert (vote.status_code, comment.status_code) == (403, 403)
    assert "n’a pas ouvert les votes aux participants" in vote.text
    assert "n’a pas ouvert les commentaires aux participants" in comment.text
    follow = guest.post(url("proposal-follow", space, published.number), {"following": "1"})
    assert follow.status_code == 302  # following stays open to them
    assert not Comment.objects.filter(body="Mon avis").exists()


def test_guests_make_proposals_when_the_organizer_allows_it(space, clients):
    space.guests_may_propose = True
    space.save()
    response = clients["guest"].post(
        url("proposal-new", space), {"title": "Un composteur", "body": "Au jardin", "publish": "1"}
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="Un composteur")
    assert proposal.is_published and [a.name for a in proposal.authors.all()] == ["Alice"]


def test_a_guest_of_another_workshop_is_a_visitor_here(
    space, outsider_in_other_workshop, published
):
    browser = Client()
    browser.cookies.load(session_cookie(participant=outsider_in_other_workshop))
    response = browser.post(url("proposal-vote", space, published.number), {"value": "for"})
    assert response.status_code == 403


def test_a_table_tablet_is_not_someone(space, published, workshop, organizer):
    from workshops import services as workshop_services
    from workshops.actors import Actor, Role

    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    [table] = workshop_services.groups_create(actor=lead, count=1, kind="table")
    workshop_services.tablet_pairing_open(actor=lead, group_id=table.pk)
    table.refresh_from_db()
    tablet = workshop_services.tablet_pair(pairing_code=table.pairing_code)
    browser = Client()
    browser.cookies.load(session_cookie(participant=tablet))
    response = browser.post(url("proposal-vote", space, published.number), {"value": "for"})
    assert response.status_code == 403


def test_drafts_are_not_found_by_those_who_may_not_see_them(space, as_organizer, clients):
    draft = services.proposal_create(viewer=as_organizer, title="Brouillon", body="Pas prêt")
    statuses = {
        role: clients[role].get(url("proposal", space, draft.number)).status_code for role in ROLES
    }
    assert statuses == {
        "organizer": 200,
        "moderator": 200,
        "guest": 404,
        "account": 404,
        "visitor": 404,
    }
