import pytest
from tests.deliberation.conftest import viewer_for, write_conclusion
from tests.support.browser import beside_the_browser, join_from_phone
from deliberation import services
from workshops import services as ws
from workshops.actors import Actor, Role
from workshops.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def setup(workshop):
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=workshop.organizer_id)
    [table] = ws.groups_create(actor=lead, count=1, kind="table")
    alice = Participant.objects.get(workshop=workshop, display_name="Alice")
    ws.participant_move(actor=lead, participant_id=alice.pk, group_id=table.pk)
    ws.breakouts_open(actor=lead)
    a = Actor(workshop.pk, Role.PARTICIPANT, participant_id=alice.pk)
    p = ws.postit_create(actor=a, text="Des bancs à l'ombre")
    write_conclusion(a, table, ("heading", "Ombre et repos au parc", {"level": "2"}), ("paragraph", "Installer des bancs à l'ombre des platanes, et plus de poubelles près des jeux.", {}))
    ws.workshop_close(actor=lead)
    space = services.space_create(user=workshop.organizer, title="Parc Jean-Moulin 2026", workshop=workshop, language="fr")
    space.support_threshold = 50
    space.supports_per_person = 3
    space.save()
    org = viewer_for(space, user=workshop.organizer)
    services.theme_add(viewer=org, name="Nature")
    prop = services.proposal_from_outcome(viewer=org, user=workshop.organizer, workshop_id=workshop.pk, kind="conclusion", object_id=workshop.conclusions.get().pk)
    services.proposal_publish(viewer=org, proposal_id=prop.pk)
    for n in range(3):
        x = services.proposal_create(viewer=org, title=f"Proposition {n} avec un titre assez long pour voir", body="Texte **gras** et plus " * 10)
        services.proposal_publish(viewer=org, proposal_id=x.pk)
    av = viewer_for(space, participant=alice)
    services.vote_cast(viewer=av, proposal_id=prop.pk, value="for")
    c = services.comment_create(viewer=av, proposal_id=prop.pk, body="Oui, et des fontaines !", alignment="for")
    services.comment_create(viewer=org, proposal_id=prop.pk, body="Nous étudions le coût.", parent_id=c.pk)
    services.answer_publish_now(viewer=org, proposal_id=prop.pk, state_id=space.states.get(title="Acceptée").pk, text="Douze bancs seront posés en mai.")
    return space.slug, prop.number


def test_screens(daphne_server, new_page, workshop):
    server = daphne_server()
    phone = new_page(locale="fr-FR")
    join_from_phone(phone, server, workshop, "Alice", "remote")
    slug, number = beside_the_browser(setup, workshop=workshop)
    for name, path in [("space", f"/d/{slug}/"), ("proposal", f"/d/{slug}/{number}/"), ("followup", "/follow-up/"), ("workshop", f"/w/{workshop.join_code}/")]:
        phone.goto(server.url + path)
        phone.screenshot(path=f"/tmp/shot-{name}.png", full_page=True)
    workshop.organizer.set_password("x-pass-123456")
    workshop.organizer.save()
    laptop = new_page(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    laptop.goto(server.url + "/accounts/login/")
    laptop.fill("input[name=username]", workshop.organizer.username)
    laptop.fill("input[name=password]", "x-pass-123456")
    laptop.click("main form button[type=submit]")
    laptop.wait_for_url("**/organizer/")
    for name, path in [("org-proposal", f"/d/{slug}/{number}/"), ("outcomes", f"/w/{workshop.join_code}/outcomes/"), ("settings", f"/d/{slug}/settings/"), ("org-space", f"/d/{slug}/?display=grid")]:
        laptop.goto(server.url + path)
        laptop.screenshot(path=f"/tmp/shot-{name}.png", full_page=True)
