"""Open data: a workshop's post-its, votes, poll answers and conclusions as JSON and CSV.

Anonymized by construction (docs/open-data.md): participants appear only as pseudonyms,
an HMAC of their id keyed by the workshop's own salt, stable across exports of one
workshop and unrelated between workshops; no display name, signature or e-mail address is
ever read here. In a workshop with anonymous post-its, post-its carry no participant at
all. What was not public at the end is left out: post-its deleted by their authors or
hidden by the facilitators (and the dots on them), open answers not approved.

CSV cells that a spreadsheet would read as a formula (=, +, -, @, tab, carriage return
first) are prefixed with an apostrophe (OWASP's advice), so `=HYPERLINK(…)` stays text.
"""

import csv
import hashlib
import hmac
import io
import json
from collections.abc import Iterable
from datetime import datetime

from workshops.models import (
    Cluster,
    Conclusion,
    Dot,
    Group,
    Participant,
    Phase,
    Poll,
    PollAnswer,
    PostIt,
    Workshop,
)

FORMAT = "atelier-open-data"
VERSION = 1
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_TABLES = ("postits", "votes", "poll_answers", "conclusions")
CSV_COLUMNS = {
    "postits": (
        "id",
        "group_id",
        "group_name",
        "cluster_id",
        "cluster_name",
        "participant",
        "on_behalf_of_group_id",
        "text",
        "color",
        "created_at",
        "merged_into",
        "dots",
    ),
    "votes": (
        "phase_id",
        "phase_title",
        "participant",
        "postit_id",
        "conclusion_group_id",
        "created_at",
    ),
    "poll_answers": (
        "poll_id",
        "question",
        "poll_kind",
        "group_id",
        "participant",
        "respondent",
        "answer",
        "value",
        "answered_at",
    ),
    "conclusions": ("group_id", "group_name", "text", "dots"),
}


def pseudonym(workshop: Workshop, participant_id: int) -> str:
    digest = hmac.new(
        workshop.export_salt.encode(), f"participant:{participant_id}".encode(), hashlib.sha256
    )
    return "p-" + digest.hexdigest()[:16]


def stamp(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def open_data(workshop: Workshop, *, now: datetime) -> dict:
    """The whole open data set of a workshop, as the JSON file holds it."""
    groups = list(Group.objects.filter(workshop=workshop).order_by("position", "id"))
    phases = list(Phase.objects.filter(workshop=workshop).order_by("position", "id"))
    participants = list(Participant.objects.filter(workshop=workshop).order_by("joined_at", "id"))
    postits = list(
        PostIt.objects.filter(workshop=workshop, deleted_at=None, hidden_at=None).order_by(
            "created_at", "id"
        )
    )
    shown = {postit.pk for postit in postits}
    dots = list(
        Dot.objects.filter(phase__workshop=workshop)
        .select_related("conclusion")
        .order_by("created_at", "id")
    )
    dots = [dot for dot in dots if dot.postit_id is None or dot.postit_id in shown]
    dots_per_postit: dict[int, int] = {}
    dots_per_group: dict[int, int] = {}
    for dot in dots:
        if dot.postit_id:
            dots_per_postit[dot.postit_id] = dots_per_postit.get(dot.postit_id, 0) + 1
        else:
            group_id = dot.conclusion.group_id
            dots_per_group[group_id] = dots_per_group.get(group_id, 0) + 1
    alias = {p.pk: pseudonym(workshop, p.pk) for p in participants}
    polls = list(
        Poll.objects.filter(workshop=workshop)
        .exclude(status=Poll.Status.DRAFT)
        .prefetch_related("options")
        .order_by("opened_at", "id")
    )
    answers = PollAnswer.objects.filter(poll__in=polls).order_by("answered_at", "id")
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": now.isoformat(),
        "workshop": {
            "title": workshop.title,
            "purpose": workshop.purpose,
            "place": workshop.place,
            "language": workshop.language,
            "postit_label": workshop.postit_name,
            "anonymous_postits": workshop.anonymous,
            "created_at": stamp(workshop.created_at),
            "closed_at": stamp(workshop.closed_at),
        },
        "groups": [{"id": g.pk, "name": g.name, "kind": g.kind} for g in groups],
        "phases": [
            {
                "id": phase.pk,
                "position": phase.position + 1,
                "title": phase.title,
                "scope": phase.scope,
                "activity": phase.activity,
                "planned_minutes": phase.planned_minutes,
                "started_at": stamp(phase.started_at),
                "ended_at": stamp(phase.ended_at),
            }
            for phase in phases
        ],
        "participants": [
            {"id": alias[p.pk], "kind": p.kind, "location": p.location, "group_id": p.group_id}
            for p in participants
        ],
        "clusters": [
            {"id": c.pk, "group_id": c.group_id, "name": c.name}
            for c in Cluster.objects.filter(workshop=workshop).order_by(
                "group_id", "position", "id"
            )
        ],
        "postits": [
            {
                "id": postit.pk,
                "group_id": postit.group_id,
                "cluster_id": postit.cluster_id,
                "participant": None if workshop.anonymous else alias.get(postit.author_id),
                "on_behalf_of_group_id": postit.on_behalf_of_id,
                "text": postit.text,
                "color": postit.color,
                "created_at": stamp(postit.created_at),
                "merged_into": postit.merged_into_id,
                "dots": dots_per_postit.get(postit.pk, 0),
            }
            for postit in postits
        ],
        "votes": [
            {
                "phase_id": dot.phase_id,
                "participant": alias.get(dot.participant_id),
                "postit_id": dot.postit_id,
                "conclusion_group_id": dot.conclusion.group_id if dot.conclusion_id else None,
                "created_at": stamp(dot.created_at),
            }
            for dot in dots
        ],
        "polls": [poll_record(poll) for poll in polls],
        "poll_answers": [
            answer_record(answer, alias) for answer in answers if answer.approved or not answer.text
        ],
        "conclusions": [
            {
                "group_id": conclusion.group_id,
                "text": conclusion.markdown,
                "dots": dots_per_group.get(conclusion.group_id, 0),
            }
            for conclusion in Conclusion.objects.filter(workshop=workshop).order_by("group_id")
        ],
    }


def poll_record(poll: Poll) -> dict:
    return {
        "id": poll.pk,
        "group_id": poll.group_id,
        "phase_id": poll.phase_id,
        "kind": poll.kind,
        "question": poll.question,
        "options": [{"id": option.pk, "label": option.label} for option in poll.options.all()],
        "opened_at": stamp(poll.opened_at),
        "closed_at": stamp(poll.closed_at),
    }


def answer_record(answer: PollAnswer, alias: dict[int, str]) -> dict:
    return {
        "poll_id": answer.poll_id,
        "participant": alias.get(answer.participant_id),
        "respondent": answer.respondent,
        "choices": list(answer.choices),
        "value": answer.value,
        "words": list(answer.words),
        "text": answer.text or None,
        "answered_at": stamp(answer.answered_at),
    }


def to_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


# CSV ---------------------------------------------------------------------------------


def inert(value: object) -> object:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_rows(data: dict, table: str) -> Iterable[dict]:
    groups = {group["id"]: group["name"] for group in data["groups"]}
    if table == "postits":
        clusters = {cluster["id"]: cluster["name"] for cluster in data["clusters"]}
        for postit in data["postits"]:
            yield {
                **postit,
                "group_name": groups.get(postit["group_id"], ""),
                "cluster_name": clusters.get(postit["cluster_id"], ""),
            }
    elif table == "votes":
        phases = {phase["id"]: phase["title"] for phase in data["phases"]}
        for vote in data["votes"]:
            yield {**vote, "phase_title": phases.get(vote["phase_id"], "")}
    elif table == "poll_answers":
        polls = {poll["id"]: poll for poll in data["polls"]}
        for answer in data["poll_answers"]:
            poll = polls[answer["poll_id"]]
            yield {
                **answer,
                "question": poll["question"],
                "poll_kind": poll["kind"],
                "group_id": poll["group_id"],
                "answer": answer_text(poll, answer),
            }
    elif table == "conclusions":
        for conclusion in data["conclusions"]:
            yield {**conclusion, "group_name": groups.get(conclusion["group_id"], "")}
    else:
        raise ValueError(f"unknown table {table!r}")


def answer_text(poll: dict, answer: dict) -> str:
    """An answer as a person reads it: the options' labels, the words, the text."""
    if answer["choices"]:
        labels = {option["id"]: option["label"] for option in poll["options"]}
        return " | ".join(labels.get(choice, str(choice)) for choice in answer["choices"])
    if answer["words"]:
        return " | ".join(answer["words"])
    if answer["value"] is not None:
        return str(answer["value"])
    return answer["text"] or ""


def to_csv(data: dict, table: str) -> bytes:
    """RFC 4180 CSV in UTF-8, one header line, dates in ISO 8601, empty cells for nulls."""
    buffer = io.StringIO()
    columns = CSV_COLUMNS[table]
    writer = csv.DictWriter(
        buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n"
    )
    writer.writeheader()
    for row in csv_rows(data, table):
        writer.writerow({column: inert(row.get(column)) for column in columns})
    return buffer.getvalue().encode()
