"""Organizer pages, per persona: starting from templates, duplicating, and the settings page."""

import pytest
from django.test import Client
from django.urls import reverse

from workshops import services
from workshops.models import Participant, Workshop


def english(client: Client) -> Client:
    """Pages speak the workshop's language unless the visitor chose one: these choose English."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def as_organizer(client, organizer) -> Client:
    client.force_login(organizer)
    return english(client)


@pytest.fixture
def as_facilitator(client, facilitator) -> Client:
    client.force_login(facilitator)
    return english(client)


@pytest.fixture
def as_stranger(client, stranger) -> Client:
    client.force_login(stranger)
    return english(client)


@pytest.fixture
def anonymous(client, db) -> Client:
    return english(client)


@pytest.fixture
def template(organizer, workshop) -> Workshop:
    services.workshop_set_label(user=organizer, workshop_id=workshop.pk, postit_label="Idée")
    return services.workshop_duplicate(
        user=organizer, source_id=workshop.pk, title="Modèle de concertation", as_template=True
    )


def settings_url(workshop: Workshop) -> str:
    return reverse("workshop-settings", args=[workshop.join_code])


def create(client: Client, **fields) -> object:
    form = {"title": "Nouveau", "purpose": "", "place": "", "language": "fr", **fields}
    return client.post(reverse("organizer-home"), form)


# Starting from a blueprint, a template or a previous workshop


def test_start_from_offers_blank_blueprints_and_the_organizers_own_workshops(
    as_organizer, workshop, template, other_workshop
):
    page = as_organizer.get(reverse("organizer-home")).text
    assert 'name="start_from"' in page
    assert "A blank agenda" in page and "World café" in page
    assert "Brainstorm → vote → conclusions" in page and "Plenary consultation" in page
    for own in (workshop, template, other_workshop):
        assert f'value="workshop:{own.pk}"' in page


def test_start_from_never_offers_someone_elses_workshops(as_stranger, workshop):
    page = as_stranger.get(reverse("organizer-home")).text
    assert f'value="workshop:{workshop.pk}"' not in page and workshop.title not in page


def test_an_organizer_starts_a_workshop_from_a_blueprint(as_organizer):
    response = create(as_organizer, title="Café du quartier", start_from="blueprint:world_cafe")
    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console", args=[workshop.join_code])
    assert workshop.phases.count() == 5 and workshop.title == "Café du quartier"


def test_an_organizer_starts_a_workshop_from_their_template(as_organizer, template):
    response = create(as_organizer, title="Concertation 2025", start_from=f"workshop:{template.pk}")
    workshop = Workshop.objects.get(title="Concertation 2025")
    assert response.status_code == 302
    assert not workshop.is_template and workshop.postit_label == "Idée"


def test_a_blank_start_creates_a_workshop_without_agenda(as_organizer):
    assert create(as_organizer, start_from="").status_code == 302
    assert not Workshop.objects.get().phases.exists()


def test_nobody_starts_from_someone_elses_workshop(as_stranger, workshop):
    response = create(as_stranger, start_from=f"workshop:{workshop.pk}")
    assert response.status_code == 200 and "start_from" in response.context["form"].errors
    assert Workshop.objects.count() == 1


def test_templates_are_listed_apart_from_workshops(as_organizer, workshop, template):
    page = as_organizer.get(reverse("organizer-home"))
    assert page.context["workshops"] == [workshop]
    assert page.context["templates"] == [template]
    assert page.text.index("My templates") < page.text.index(template.title)


# Duplicate and save as template


def test_the_organizer_duplicates_a_workshop_from_its_card(as_organizer, workshop):
    page = as_organizer.get(reverse("organizer-home")).text
    url = reverse("workshop-duplicate", args=[workshop.join_code])
    assert f'action="{url}"' in page and "csrfmiddlewaretoken" in page
    response = as_organizer.post(url, follow=True)
    assert response.redirect_chain == [(reverse("organizer-home"), 302)]
    copy = Workshop.objects.exclude(pk=workshop.pk).get()
    assert copy.title == f"{workshop.title} (copie)" or copy.title == f"{workshop.title} (copy)"
    assert not copy.is_template and copy.title in response.text


def test_duplicating_a_template_gives_a_template(as_organizer, template):
    as_organizer.post(reverse("workshop-duplicate", args=[template.join_code]))
    assert Workshop.objects.filter(is_template=True).count() == 2


def test_the_organizer_saves_a_workshop_as_a_template(as_organizer, workshop):
    url = reverse("workshop-save-as-template", args=[workshop.join_code])
    assert f'action="{url}"' in as_organizer.get(reverse("organizer-home")).text
    response = as_organizer.post(url, follow=True)
    assert response.redirect_chain == [(reverse("organizer-home"), 302)]
    template = Workshop.objects.get(is_template=True)
    assert template.title == workshop.title
    assert response.context["templates"] == [template]
    assert "Saved as a template" in response.text


def test_a_facilitator_duplicates_and_organizes_the_copy(as_facilitator, facilitator, workshop):
    response = as_facilitator.post(reverse("workshop-duplicate", args=[workshop.join_code]))
    assert response.status_code == 302
    assert Workshop.objects.exclude(pk=workshop.pk).get().organizer == facilitator


@pytest.mark.parametrize("name", ["workshop-duplicate", "workshop-save-as-template"])
def test_strangers_cannot_copy_a_workshop(as_stranger, workshop, name):
    assert as_stranger.post(reverse(name, args=[workshop.join_code])).status_code == 404
    assert as_stranger.post(reverse(name, args=["NOPE42"])).status_code == 404
    assert Workshop.objects.count() == 1


@pytest.mark.parametrize("name", ["workshop-duplicate", "workshop-save-as-template"])
def test_copying_needs_a_login_and_a_post(anonymous, organizer, workshop, name):
    url = reverse(name, args=[workshop.join_code])
    response = anonymous.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    anonymous.force_login(organizer)
    assert anonymous.get(url).status_code == 405
    assert Workshop.objects.count() == 1


def test_copy_buttons_need_the_csrf_token(organizer, workshop):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(organizer)
    assert strict.post(reverse("workshop-duplicate", args=[workshop.join_code])).status_code == 403
    assert Workshop.objects.count() == 1


# Templates are not joinable


def test_guests_cannot_join_a_template(anonymous, template):
    assert anonymous.get(reverse("join", args=[template.join_code])).status_code == 404
    response = anonymous.post(
        reverse("join", args=[template.join_code]), {"display_name": "Alice", "location": "room"}
    )
    assert response.status_code == 404 and not Participant.objects.exists()
    assert anonymous.get(reverse("workshop", args=[template.join_code])).status_code == 404


def test_the_home_page_does_not_send_a_templates_code_to_a_join_page(anonymous, template):
    response = anonymous.get(reverse("home"), {"code": template.join_code})
    assert response.status_code == 200 and "Check it" in response.text


def test_the_organizer_still_edits_a_templates_agenda_in_its_console(as_organizer, template):
    assert as_organizer.get(reverse("console", args=[template.join_code])).status_code == 200


# The settings page


def test_the_console_and_the_cards_link_to_the_settings(as_organizer, workshop):
    url = settings_url(workshop)
    assert url in as_organizer.get(reverse("console", args=[workshop.join_code])).text
    assert url in as_organizer.get(reverse("organizer-home")).text


def test_the_organizer_sees_the_label_and_the_co_facilitators(as_organizer, workshop, facilitator):
    page = as_organizer.get(settings_url(workshop))
    assert page.status_code == 200
    assert 'name="postit_label"' in page.text and "Constat / opportunité" in page.text
    assert 'name="username_or_email"' in page.text and "fatou" in page.text
    remove = reverse("facilitator-remove", args=[workshop.join_code, facilitator.pk])
    assert f'action="{remove}"' in page.text


def test_a_facilitator_sees_the_label_but_not_the_co_facilitators(as_facilitator, workshop):
    page = as_facilitator.get(settings_url(workshop))
    assert page.status_code == 200 and 'name="postit_label"' in page.text
    assert 'name="username_or_email"' not in page.text


def test_the_settings_are_404_to_strangers_and_ask_anonymous_visitors_to_log_in(
    as_stranger, workshop, client
):
    assert as_stranger.get(settings_url(workshop)).status_code == 404
    assert as_stranger.post(settings_url(workshop), {"postit_label": "x"}).status_code == 404
    client.logout()
    response = client.get(settings_url(workshop))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Workshop.objects.get(pk=workshop.pk).postit_label == ""


def test_the_settings_page_escapes_the_title(as_organizer, organizer):
    workshop = services.workshop_create(organizer=organizer, title="<script>x</script>")
    page = as_organizer.get(settings_url(workshop)).text
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("persona", ["as_organizer", "as_facilitator"])
def test_leads_rename_post_its(request, workshop, persona):
    client = request.getfixturevalue(persona)
    response = client.post(settings_url(workshop), {"postit_label": "Idée"}, follow=True)
    assert response.redirect_chain == [(settings_url(workshop), 302)]
    assert Workshop.objects.get(pk=workshop.pk).postit_label == "Idée"
    assert "Settings saved." in response.text and 'value="Idée"' in response.text


def test_an_empty_label_goes_back_to_post_it(as_organizer, organizer, workshop):
    services.workshop_set_label(user=organizer, workshop_id=workshop.pk, postit_label="Idée")
    as_organizer.post(settings_url(workshop), {"postit_label": ""})
    assert Workshop.objects.get(pk=workshop.pk).postit_label == ""


def test_a_too_long_label_is_shown_as_an_error(as_organizer, workshop):
    response = as_organizer.post(settings_url(workshop), {"postit_label": "x" * 41})
    assert response.status_code == 400 and "40" in response.text
    assert Workshop.objects.get(pk=workshop.pk).postit_label == ""


def test_the_organizer_invites_a_co_facilitator_by_email(as_organizer, workshop, stranger):
    stranger.email = "mallory@example.org"
    stranger.save()
    url = reverse("facilitator-invite", args=[workshop.join_code])
    response = as_organizer.post(url, {"username_or_email": "Mallory@Example.org"}, follow=True)
    assert response.redirect_chain == [(settings_url(workshop), 302)]
    assert list(workshop.facilitators.all()) == [stranger]
    assert "mallory now co-facilitates this workshop." in response.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [("nobody", "No account has this username"), ("olivia", "You already organize")],
)
def test_inviting_an_unknown_account_or_oneself_shows_why(as_organizer, workshop, typed, message):
    url = reverse("facilitator-invite", args=[workshop.join_code])
    response = as_organizer.post(url, {"username_or_email": typed})
    assert response.status_code == 400 and message in response.text
    assert not workshop.facilitators.exists()


def test_the_organizer_removes_a_co_facilitator(as_organizer, workshop, facilitator):
    url = reverse("facilitator-remove", args=[workshop.join_code, facilitator.pk])
    response = as_organizer.post(url, follow=True)
    assert response.redirect_chain == [(settings_url(workshop), 302)]
    assert not workshop.facilitators.exists()
    assert "fatou no longer facilitates this workshop." in response.text


def test_a_facilitator_cannot_invite_or_remove(as_facilitator, workshop, facilitator, stranger):
    invite = reverse("facilitator-invite", args=[workshop.join_code])
    remove = reverse("facilitator-remove", args=[workshop.join_code, facilitator.pk])
    assert as_facilitator.post(invite, {"username_or_email": "mallory"}).status_code == 403
    assert as_facilitator.post(remove).status_code == 403
    assert list(workshop.facilitators.all()) == [facilitator]


def test_strangers_cannot_invite_or_remove(as_stranger, workshop, facilitator):
    invite = reverse("facilitator-invite", args=[workshop.join_code])
    remove = reverse("facilitator-remove", args=[workshop.join_code, facilitator.pk])
    assert as_stranger.post(invite, {"username_or_email": "mallory"}).status_code == 404
    assert as_stranger.post(remove).status_code == 404
    assert list(workshop.facilitators.all()) == [facilitator]


def test_removing_someone_who_is_not_a_facilitator_says_so(as_organizer, workshop, stranger):
    url = reverse("facilitator-remove", args=[workshop.join_code, stranger.pk])
    response = as_organizer.post(url, follow=True)
    assert "does not facilitate this workshop" in response.text
