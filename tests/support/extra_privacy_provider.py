"""A second personal-data provider, as another app (deliberation) adds its own: it records
what it is asked, so that the tests see every provider called."""

CALLS: list[tuple[str, int]] = []


def export_participant(participant) -> dict:
    CALLS.append(("export", participant.pk))
    return {"follows": ["proposition 7"]}


def anonymize_participant(participant) -> None:
    CALLS.append(("anonymize", participant.pk))
