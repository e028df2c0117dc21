"""What changed from one version of a proposal to the next, word by word."""

import difflib
import re
from dataclasses import dataclass

from deliberation.models import ProposalVersion

TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class Piece:
    kind: str  # "same", "added" or "removed"
    text: str


def word_diff(before: str, after: str) -> list[Piece]:
    old, new = TOKENS.findall(before), TOKENS.findall(after)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(old[a1:a2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(Piece("removed", "".join(old[a1:a2])))
        if op in ("insert", "replace"):
            pieces.append(Piece("added", "".join(new[b1:b2])))
    return pieces


@dataclass
class Change:
    version: ProposalVersion
    title: list[Piece] | None
    body: list[Piece] | None
    theme: tuple[str, str] | None
    location: tuple[str, str] | None


def changes(versions: list[ProposalVersion]) -> list[Change]:
    """Newest first; each with what differs from the version before it (the first one
    shows its whole text as added)."""
    result, previous = [], None
    for version in versions:
        before = previous or ProposalVersion(title="", body="", theme="", location="")
        result.append(
            Change(
                version=version,
                title=word_diff(before.title, version.title)
                if before.title != version.title
                else None,
                body=word_diff(before.body, version.body) if before.body != version.body else None,
                theme=(before.theme, version.theme) if before.theme != version.theme else None,
                location=(before.location, version.location)
                if before.location != version.location
                else None,
            )
        )
        previous = version
    return list(reversed(result))
