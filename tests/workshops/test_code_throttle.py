"""Wrong codes are limited per address so codes cannot be enumerated; right codes never are,
because a whole venue often shares one address."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

ADDRESSES = ["127.0.0.1", "9.9.9.9", "10.0.0.2"]


@pytest.fixture(autouse=True)
def fresh_counters():
    """Only this file's counters: the cache is Redis, shared with other test runs."""
    keys = [f"code-failures:{address}" for address in ADDRESSES]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


LIMIT = override_settings(CODE_FAILURES_PER_ADDRESS=5, CODE_FAILURES_WINDOW_S=600)


@LIMIT
def test_an_address_that_types_too_many_wrong_codes_is_asked_to_wait(client, db, workshop):
    client.cookies["django_language"] = "en"
    for attempt in range(5):
        response = client.get(reverse("join", args=[f"ZZZZZ{attempt}"]))
        assert response.status_code == 404
        assert "No workshop has this code." in response.text
    blocked = client.get(reverse("join", args=[workshop.join_code]))
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "600"
    assert "Please wait 10 minutes" in blocked.text
    home = client.get(reverse("home"), {"code": workshop.join_code})
    assert home.status_code == 429


@LIMIT
def test_a_whole_room_joining_from_one_address_is_never_limited(client, db, workshop):
    for person in range(40):
        client.cookies.clear()
        response = client.post(
            reverse("join", args=[workshop.join_code]),
            {"display_name": f"Personne {person}", "location": "room"},
        )
        assert response.status_code == 302, person
    assert workshop.participants.count() == 40


@LIMIT
def test_the_home_form_counts_wrong_codes_too(client, db, workshop):
    for _attempt in range(5):
        assert client.get(reverse("home"), {"code": "ZZZZZZ"}).status_code == 200
    assert client.get(reverse("home"), {"code": "ZZZZZZ"}).status_code == 429


@override_settings(CODE_FAILURES_PER_ADDRESS=6, CODE_FAILURES_WINDOW_S=600)
def test_wrong_secret_links_and_pairing_codes_count_as_wrong_codes(client, db, workshop):
    urls = [
        reverse("projector", args=[workshop.join_code, "not-the-token"]),
        reverse("scribe-join", args=[workshop.join_code, "not-the-token"]),
        reverse("tablet-pair", args=["NOPE12"]),
        reverse("join-qr", args=["ZZZZZZ"]),
        reverse("tablet-pair-qr", args=["NOPE12"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("join", args=[workshop.join_code])).status_code == 200
    assert client.get(reverse("join", args=["ZZZZZZ"])).status_code == 404  # the sixth
    assert client.get(reverse("join", args=[workshop.join_code])).status_code == 429


@LIMIT
@override_settings(TRUST_X_FORWARDED_FOR=True)
def test_behind_a_load_balancer_each_client_address_is_counted_apart(client, db, workshop):
    for _attempt in range(5):
        client.get(reverse("join", args=["ZZZZZZ"]), HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.1")
    assert (
        client.get(reverse("join", args=["ZZZZZZ"]), HTTP_X_FORWARDED_FOR="10.0.0.2").status_code
        == 404
    )
    assert (
        client.get(
            reverse("join", args=["ZZZZZZ"]), HTTP_X_FORWARDED_FOR="9.9.9.9, 10.0.0.1"
        ).status_code
        == 429
    )


def test_an_unknown_page_says_so_in_the_visitor_s_language(client, db):
    client.cookies["django_language"] = "en"
    response = client.get("/nothing/here/")
    assert response.status_code == 404
    assert "This page does not exist" in response.text
    assert "Resolver404" not in response.text
