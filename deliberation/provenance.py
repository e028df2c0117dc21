"""What a workshop outcome was when it became a proposal: its texts and figures, frozen.

A snapshot holds titles, names of groups and phases, post-its' texts with their dot counts
and the plenary's result, never an author's name: it stays true, and harmless, after the
workshop's participants are anonymized or its rows deleted.
"""

from dataclasses import dataclass

from django.db.models import Count

from workshops.models import Cluster, Conclusion, Dot, Group, Phase, PostIt, Workshop

MAX_SUPPORTING_POSTITS = 30


@dataclass
class Outcome:
    """An outcome ready to become a proposal: its provenance and a first draft of it."""

    kind: str  # "conclusion", "cluster" or "postit"
    workshop: Workshop
    group: Group | None
    phase: Phase | None
    conclusion: Conclusion | None
    cluster: Cluster | None
    postit: PostIt | None
    snapshot: dict
    title: str
    body: str


def visible(postits):
    return postits.filter(deleted_at=None, hidden_at=None, merged_into=None)


def board_vote_phase(workshop: Workshop, group_id: int | None) -> Phase | None:
    """The dot vote whose figures a board shows last: the latest one with dots on it."""
    phase_id = (
        Dot.objects.filter(
            phase__workshop=workshop, postit__group_id=group_id, postit__isnull=False
        )
        .order_by("-phase__ended_at", "-phase_id")
        .values_list("phase_id", flat=True)
        .first()
    )
    return Phase.objects.filter(pk=phase_id).first() if phase_id else None


def dot_counts(phase: Phase | None, postit_ids: list[int]) -> dict[int, int]:
    if phase is None or not postit_ids:
        return {}
    return dict(
        Dot.objects.filter(phase=phase, postit_id__in=postit_ids)
        .values("postit")
        .annotate(count=Count("id"))
        .values_list("postit", "count")
    )


def postit_rows(postits: list[PostIt], phase: Phase | None) -> list[dict]:
    """Each post-it's text (and the texts merged into it) with its dots, most voted first."""
    merged: dict[int, list[str]] = {}
    for duplicate in PostIt.objects.filter(
        merged_into__in=[postit.pk for postit in postits], deleted_at=None, hidden_at=None
    ).order_by("created_at", "id"):
        merged.setdefault(duplicate.merged_into_id, []).append(duplicate.text)
    counts = dot_counts(phase, [postit.pk for postit in postits])
    rows = [
        {
            "id": postit.pk,
            "text": postit.text,
            "merged": merged.get(postit.pk, []),
            "dots": counts.get(postit.pk, 0),
        }
        for postit in postits
    ]
    rows.sort(key=lambda row: -row["dots"])
    return rows[:MAX_SUPPORTING_POSTITS]


def base_snapshot(workshop: Workshop, group: Group | None, phase: Phase | None) -> dict:
    return {
        "workshop": {
            "title": workshop.title,
            "code": workshop.join_code,
            "closed_at": workshop.closed_at.isoformat() if workshop.closed_at else None,
        },
        "group": {"name": group.name, "kind": group.kind} if group else None,
        "phase": {"title": phase.title} if phase else None,
    }


def plenary_result(conclusion: Conclusion) -> dict | None:
    """The plenary's dot vote on the conclusions: this one's dots and rank."""
    phase_id = (
        Dot.objects.filter(phase__workshop_id=conclusion.workshop_id, conclusion__isnull=False)
        .order_by("-phase__ended_at", "-phase_id")
        .values_list("phase_id", flat=True)
        .first()
    )
    if phase_id is None:
        return None
    counts = dict(
        Dot.objects.filter(phase_id=phase_id, conclusion__isnull=False)
        .values("conclusion")
        .annotate(count=Count("id"))
        .values_list("conclusion", "count")
    )
    mine = counts.get(conclusion.pk, 0)
    conclusions = Conclusion.objects.filter(workshop_id=conclusion.workshop_id).count()
    return {
        "phase": Phase.objects.get(pk=phase_id).title,
        "dots": mine,
        "total": sum(counts.values()),
        # Ties share a rank: 1 + how many did better.
        "rank": 1 + sum(1 for count in counts.values() if count > mine),
        "of": conclusions,
    }


def title_from(text: str, *, max_length: int) -> str:
    """A first heading or line, without Markdown marks, cut at a word."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip().removeprefix("- ").replace("**", "")
        if line:
            if len(line) <= max_length:
                return line
            return line[: max_length - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return ""


def without_leading_heading(markdown: str, title: str) -> str:
    """The conclusion's text without the heading that became the proposal's title."""
    first, _sep, rest = markdown.strip().partition("\n")
    if first.startswith("#") and first.lstrip("#").strip() == title:
        return rest.strip()
    return markdown


def from_conclusion(conclusion: Conclusion, *, max_title: int) -> Outcome:
    group, workshop = conclusion.group, conclusion.workshop
    phase = board_vote_phase(workshop, group.pk)
    postits = list(visible(PostIt.objects.filter(workshop=workshop, group=group)))
    rows = [row for row in postit_rows(postits, phase) if row["dots"]] or postit_rows(
        postits, phase
    )
    snapshot = {
        **base_snapshot(workshop, group, phase),
        "conclusion": conclusion.markdown,
        "postits": rows,
        "plenary": plenary_result(conclusion),
    }
    title = title_from(conclusion.markdown, max_length=max_title) or group.name
    return Outcome(
        kind="conclusion",
        workshop=workshop,
        group=group,
        phase=phase,
        conclusion=conclusion,
        cluster=None,
        postit=None,
        snapshot=snapshot,
        title=title,
        body=without_leading_heading(conclusion.markdown, title) or conclusion.markdown,
    )


def from_cluster(cluster: Cluster, *, max_title: int) -> Outcome:
    workshop, group = cluster.workshop, cluster.group
    phase = board_vote_phase(workshop, cluster.group_id)
    postits = list(visible(cluster.postits.all()))
    rows = postit_rows(postits, phase)
    snapshot = {
        **base_snapshot(workshop, group, phase),
        "cluster": {"name": cluster.name, "dots": sum(row["dots"] for row in rows)},
        "postits": rows,
    }
    body = "\n".join(f"- {postit.text}" for postit in postits)
    return Outcome(
        kind="cluster",
        workshop=workshop,
        group=group,
        phase=phase,
        conclusion=None,
        cluster=cluster,
        postit=None,
        snapshot=snapshot,
        title=title_from(cluster.name, max_length=max_title),
        body=body,
    )


def from_postit(postit: PostIt, *, max_title: int) -> Outcome:
    workshop, group = postit.workshop, postit.group
    phase = board_vote_phase(workshop, postit.group_id)
    snapshot = {**base_snapshot(workshop, group, phase), "postits": postit_rows([postit], phase)}
    return Outcome(
        kind="postit",
        workshop=workshop,
        group=group,
        phase=phase,
        conclusion=None,
        cluster=None,
        postit=postit,
        snapshot=snapshot,
        title=title_from(postit.text, max_length=max_title),
        body=postit.text,
    )
