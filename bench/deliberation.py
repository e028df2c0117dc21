"""How deliberation's pages hold up as a space grows: many proposals, huge comment threads.

Decidim's worst slowness was large comment threads rendered whole. Here a proposal's page
shows one page of threads and loads replies on demand; this benchmark checks that its cost
stays flat while the thread grows, and times the list's sorts over many proposals.

Seeds its own PostgreSQL database (`atelier_bench_delib`, created and migrated if needed)
with bulk inserts, then renders each page in-process with Django's test client, several
times, and prints the median time and the number of SQL queries per page:

    .venv/bin/python -m bench.deliberation --proposals 2000 --comments 100 1000 10000
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/atelier_bench_delib"


def configure(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["REDIS_URL"] = ""  # nothing here publishes live
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    create_database(database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def create_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres",
        autocommit=True,
    ) as connection:  # fmt: skip
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def seed(proposals: int, rng: random.Random):
    """A fresh space with `proposals` published proposals and the people who comment."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from deliberation import services
    from deliberation.models import Person, Proposal, Space
    from workshops import services as workshop_services
    from workshops.models import Participant

    Space.objects.filter(slug__startswith="bench").delete()
    users = get_user_model()
    organizer = users.objects.filter(username="bench-organizer").first() or (
        users.objects.create_user("bench-organizer", password=None)
    )
    workshop = workshop_services.workshop_create(organizer=organizer, title="Banc d'essai")
    space = services.space_create(user=organizer, title="bench", workshop=workshop, language="fr")
    state = space.states.get(is_default=True)
    now = timezone.now()
    Proposal.objects.bulk_create(
        Proposal(
            space=space, number=n, title=f"Proposition {n} sur le parc", body="Un texte. " * 40,
            status=Proposal.Status.PUBLISHED, state=state, published_at=now,
            supports_count=rng.randrange(500), comments_count=rng.randrange(50),
        )
        for n in range(1, proposals + 1)
    )  # fmt: skip
    participants = Participant.objects.bulk_create(
        Participant(workshop=workshop, display_name=f"P{n}", location="remote") for n in range(200)
    )
    people = Person.objects.bulk_create(Person(participant=p) for p in participants)
    return space, people


def grow_thread(proposal, people, count: int, rng: random.Random) -> None:
    """Bring the proposal's comments to `count`: a root for every 10 comments, half of the
    replies in one hot thread (the kind that made Decidim slow), the rest spread."""
    from deliberation.models import Comment

    existing = Comment.objects.filter(proposal=proposal).count()
    roots = list(Comment.objects.filter(proposal=proposal, root=None))
    missing = count - existing
    new_roots = Comment.objects.bulk_create(
        Comment(proposal=proposal, author=rng.choice(people), body="Un avis argumenté. " * 5,
                alignment=rng.choice(["for", "against", "neutral"]))
        for _n in range(missing // 10)
    )  # fmt: skip
    roots += new_roots
    replies = missing - len(new_roots)
    Comment.objects.bulk_create(
        Comment(proposal=proposal, root=root, parent=root, author=rng.choice(people),
                body="Une réponse. " * 4)
        for root in (roots[0] if n % 2 else rng.choice(roots) for n in range(replies))
    )  # fmt: skip
    from django.db.models import Count

    for root in Comment.objects.filter(proposal=proposal, root=None).annotate(n=Count("thread")):
        if root.replies_count != root.n:
            Comment.objects.filter(pk=root.pk).update(replies_count=root.n)
    type(proposal).objects.filter(pk=proposal.pk).update(comments_count=count)


def measure(client, url: str, repeat: int, **headers) -> tuple[float, int]:
    """Median milliseconds and SQL queries of GET `url`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _n in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return statistics.median(times), queries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--comments", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    )
    args = parser.parse_args(argv)
    configure(args.database)
    from django.test import Client
    from django.urls import reverse

    rng = random.Random(0)
    space, people = seed(args.proposals, rng)
    client = Client()
    print(f"Python {platform.python_version()}, {args.proposals} proposals, "
          f"median of {args.repeat} renders (in-process, Django test client)\n")  # fmt: skip
    print("| page | ms (median) | SQL queries |")
    print("|---|---:|---:|")
    space_url = reverse("space", args=[space.slug])
    for sort in ("newest", "supported", "commented", "random"):
        ms, queries = measure(client, f"{space_url}?sort={sort}", args.repeat)
        print(f"| list of {args.proposals}, sort={sort} | {ms:.1f} | {queries} |")
    ms, queries = measure(client, f"{space_url}?q=parc&page=3", args.repeat)
    print(f"| list, text search, page 3 | {ms:.1f} | {queries} |")
    proposal = space.proposals.order_by("number").first()
    page_url = reverse("proposal", args=[space.slug, proposal.number])
    for count in sorted(args.comments):
        grow_thread(proposal, people, count, rng)
        ms, queries = measure(client, page_url, args.repeat)
        print(f"| proposal page, {count} comments | {ms:.1f} | {queries} |")
        root = proposal.comments.filter(root=None).order_by("-replies_count").first()
        replies_url = reverse("comment-replies", args=[space.slug, root.pk])
        ms, queries = measure(client, replies_url, args.repeat, **{"HX-Request": "true"})
        print(f"| replies of its largest thread ({root.replies_count}), first page | "
              f"{ms:.1f} | {queries} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
