"""Pages, per persona: the guest joining, the participant, the projector, the organizer."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from workshops.models import Participant, PostIt, Workshop


@pytest.fixture
def guest(client, db):
    return client


def join_url(workshop) -> str:
    return reverse("join", args=[workshop.join_code])


def test_home_sends_a_typed_code_to_its_join_page(guest, workshop):
    response = guest.get(reverse("home"), {"code": workshop.join_code.lower()})
    assert response.status_code == 302 and response["Location"] == join_url(workshop)


def test_home_explains_an_unknown_code(guest, workshop):
    response = guest.get(reverse("home"), {"code": "ZZZZZZ"})
    assert response.status_code == 200
    assert "Vérifiez-le" in response.text or "Check it" in response.text


def test_a_guest_joins_with_a_name_and_lands_on_the_workshop(guest, workshop):
    response = guest.post(join_url(workshop), {"display_name": "Alice", "location": "remote"})
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop", args=[workshop.join_code])
    participant = Participant.objects.get()
    assert (participant.display_name, participant.location) == ("Alice", "remote")
    page = guest.get(response["Location"])
    assert page.status_code == 200 and "Alice" in page.text


def test_reloading_keeps_the_guest_in_and_the_join_page_sends_them_back(guest, workshop):
    guest.post(join_url(workshop), {"display_name": "Alice", "location": "room"})
    assert guest.get(reverse("workshop", args=[workshop.join_code])).status_code == 200
    again = guest.get(join_url(workshop))
    assert again.status_code == 302
    assert Participant.objects.count() == 1


def test_joining_without_a_name_shows_the_error_and_creates_nobody(guest, workshop):
    response = guest.post(join_url(workshop), {"display_name": "  ", "location": "remote"})
    assert response.status_code == 400
    assert not Participant.objects.exists()


def test_the_workshop_page_sends_strangers_to_the_join_form(guest, workshop):
    response = guest.get(reverse("workshop", args=[workshop.join_code]))
    assert response.status_code == 302 and response["Location"] == join_url(workshop)


def test_a_guest_of_one_workshop_is_a_stranger_in_another(guest, workshop, other_workshop):
    guest.post(join_url(workshop), {"display_name": "Alice", "location": "remote"})
    response = guest.get(reverse("workshop", args=[other_workshop.join_code]))
    assert response.status_code == 302 and response["Location"] == join_url(other_workshop)


def test_unknown_codes_are_404(guest):
    assert guest.get(reverse("join", args=["NOPE42"])).status_code == 404


def test_the_participant_page_embeds_its_live_state_and_escapes_post_its(guest, workshop):
    guest.post(join_url(workshop), {"display_name": "<b>Al</b>", "location": "remote"})
    participant = Participant.objects.get()
    PostIt.objects.create(workshop=workshop, author=participant, text="<script>alert(1)</script>")
    page = guest.get(reverse("workshop", args=[workshop.join_code])).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>Al</b>" not in page
    assert f'"url": "/ws/workshops/{workshop.pk}/?view=participant"' in page
    assert '"streams": {"workshop": 0}' in page


def test_the_form_fallback_posts_once_per_client_id(guest, workshop):
    guest.post(join_url(workshop), {"display_name": "Alice", "location": "remote"})
    url = reverse("postit-create", args=[workshop.join_code])
    form = {"text": "Sans JavaScript", "color": "green", "client_id": "form-1"}
    assert guest.post(url, form).status_code == 302
    assert guest.post(url, form).status_code == 302  # a double submit
    assert list(PostIt.objects.values_list("text", "color")) == [("Sans JavaScript", "green")]


def test_the_form_fallback_reports_a_too_long_post_it(guest, workshop):
    guest.post(join_url(workshop), {"display_name": "Alice", "location": "remote"})
    url = reverse("postit-create", args=[workshop.join_code])
    response = guest.post(
        url, {"text": "x" * 281, "color": "yellow", "client_id": "f2"}, follow=True
    )
    assert not PostIt.objects.exists()
    assert response.status_code == 200 and "280" in response.text


def test_the_projector_needs_its_token_and_shows_the_code_and_qr(guest, workshop):
    wrong = reverse("projector", args=[workshop.join_code, "wrong-token"])
    assert guest.get(wrong).status_code == 404
    url = reverse("projector", args=[workshop.join_code, workshop.projector_token])
    page = guest.get(url)
    assert page.status_code == 200
    assert workshop.join_code in page.text
    assert reverse("join-qr", args=[workshop.join_code]) in page.text
    assert "view=projector" in page.text


def test_the_qr_code_is_an_svg_of_the_join_link(guest, workshop, settings):
    settings.PUBLIC_URL = "http://192.0.2.10:8000"
    response = guest.get(reverse("join-qr", args=[workshop.join_code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<svg") and b"xmlns" in response.content


def test_links_use_public_url_for_phones_in_the_room(client, organizer, workshop, settings):
    settings.PUBLIC_URL = "http://192.0.2.10:8000"
    client.force_login(organizer)
    page = client.get(reverse("console", args=[workshop.join_code])).text
    assert f"http://192.0.2.10:8000/j/{workshop.join_code}/" in page


def test_the_console_is_for_the_organizer_and_facilitators_only(client, organizer, workshop):
    url = reverse("console", args=[workshop.join_code])
    assert client.get(url).status_code == 302  # to the login page
    stranger = get_user_model().objects.create_user("mallory", password="x-pass-12345")
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    workshop.facilitators.add(stranger)
    assert client.get(url).status_code == 200
    client.force_login(organizer)
    page = client.get(url)
    assert page.status_code == 200 and "view=console" in page.text


def test_an_organizer_creates_a_workshop_from_the_form(client, organizer):
    client.force_login(organizer)
    response = client.post(
        reverse("organizer-home"), {"title": "Parc", "purpose": "", "place": "", "language": "en"}
    )
    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console", args=[workshop.join_code])
    assert (workshop.organizer, workshop.language) == (organizer, "en")


def test_the_organizer_home_lists_only_their_workshops(client, organizer, workshop):
    other = get_user_model().objects.create_user("other", password="x-pass-12345")
    client.force_login(other)
    assert workshop.title not in client.get(reverse("organizer-home")).text
    client.force_login(organizer)
    assert workshop.title in client.get(reverse("organizer-home")).text


def test_the_socket_path_over_plain_http_asks_for_an_upgrade(guest, workshop):
    assert guest.get(f"/ws/workshops/{workshop.pk}/").status_code == 426


def test_the_admin_creates_workshops_through_the_service(admin_client, organizer):
    response = admin_client.post(
        reverse("admin:workshops_workshop_add"),
        {
            "title": "Depuis l'admin",
            "purpose": "",
            "place": "",
            "language": "fr",
            "status": "open",
            "organizer": organizer.pk,
        },
    )
    assert response.status_code == 302, response.content
    workshop = Workshop.objects.get(title="Depuis l'admin")
    assert len(workshop.join_code) == 6 and workshop.projector_token
    assert workshop.organizer == organizer


def test_workshop_pages_speak_the_workshops_language_unless_the_visitor_chose(guest, workshop):
    url = join_url(workshop)
    page = guest.get(url, headers={"accept-language": "en"})
    assert "Rejoindre" in page.text and page["Content-Language"] == "fr"
    guest.cookies["django_language"] = "en"
    assert "Join" in guest.get(url).text


def test_the_projector_answers_only_get_and_odd_tokens_are_404(guest, workshop):
    url = reverse("projector", args=[workshop.join_code, workshop.projector_token])
    assert guest.post(url).status_code == 405
    assert guest.get(reverse("projector", args=[workshop.join_code, "jéton"])).status_code == 404


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_workshop_language_defaults_to_the_organizer_s_pages_language(
    client, organizer, language
):
    client.force_login(organizer)
    client.cookies["django_language"] = language
    page = client.get(reverse("organizer-home")).text
    assert f'<option value="{language}" selected>' in page
