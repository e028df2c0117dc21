"""One workshop as a file, and back: every row of the session (agenda, groups, people,
post-its, votes, polls, conclusions, the event log) with the accounts that lead it.

The whole database is backed up with PostgreSQL's own tools (docs/operations.md); this is
for moving one workshop, or restoring it alone after a mistake.
"""

import datetime
import json
from collections.abc import Iterable

from django.contrib.admin.utils import NestedObjects
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from workshops.models import Workshop

FORMAT = "atelier-workshop"
VERSION = 1


class RestoreError(Exception):
    pass


def _session_rows(workshop: Workshop) -> list[models.Model]:
    """The workshop and everything deleting it would delete (its cascade)."""
    collector = NestedObjects(using="default")
    collector.collect([workshop])
    rows: list[models.Model] = []
    for model, instances in collector.data.items():
        if model._meta.auto_created:
            continue  # many-to-many links travel with their rows (a workshop's facilitators)
        rows.extend(sorted(instances, key=lambda row: row.pk))
    return rows


def _leading_accounts(workshop: Workshop, rows: Iterable[models.Model]) -> list[models.Model]:
    """The accounts the rows point to: the organizer, co-facilitators, who hid a post-it."""
    user_model = get_user_model()
    ids = {workshop.organizer_id, *workshop.facilitators.values_list("pk", flat=True)}
    for row in rows:
        for field in row._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model:
                ids.add(getattr(row, field.attname))
    ids.discard(None)
    return list(user_model.objects.filter(pk__in=ids).order_by("pk"))


class ExactTimes(DjangoJSONEncoder):
    """Times to the microsecond. DjangoJSONEncoder keeps milliseconds: a restored workshop
    would differ from the one dumped (a time with under a millisecond's microseconds even
    changed its text on the next dump), and rows ordered by time could tie."""

    def default(self, o: object) -> object:
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


def dump_workshop(workshop: Workshop) -> str:
    """The workshop as JSON text: accounts first, then rows in an order that loads."""
    rows = _session_rows(workshop)
    accounts = _leading_accounts(workshop, rows)
    # Cycles (a workshop's speaker is one of its participants) load inside one transaction,
    # PostgreSQL checking foreign keys at commit.
    models_present = sorted({type(row) for row in rows}, key=lambda model: model._meta.label)
    ordered = serializers.sort_dependencies([(None, models_present)], allow_cycles=True)
    by_model: dict[type, list[models.Model]] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    in_order = [row for model in ordered for row in by_model.get(model, [])]
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "join_code": workshop.join_code,
        "accounts": json.loads(serializers.serialize("json", accounts, cls=ExactTimes)),
        "rows": json.loads(serializers.serialize("json", in_order, cls=ExactTimes)),
    }
    return json.dumps(payload, ensure_ascii=False, indent=1)


@transaction.atomic
def restore_workshop(text: str) -> Workshop:
    """Load a dumped workshop into this database, with the same ids. Refused, changing
    nothing, if the file is not a dump or any of its rows is already here."""
    try:
        payload = json.loads(text)
    except ValueError as error:
        raise RestoreError(f"not JSON: {error}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise RestoreError("not an Atelier workshop dump")
    if payload.get("version") != VERSION:
        raise RestoreError(f"dump version {payload.get('version')} is not {VERSION}")
    if Workshop.objects.filter(join_code=payload["join_code"]).exists():
        raise RestoreError(f"workshop {payload['join_code']} is already in this database")
    touched: set[type[models.Model]] = set()
    for part in ("accounts", "rows"):
        for loaded in serializers.deserialize("json", json.dumps(payload[part])):
            model = type(loaded.object)
            if model.objects.filter(pk=loaded.object.pk).exists():
                if part == "accounts":
                    continue  # the same account, already here: keep it
                raise RestoreError(f"{model._meta.label} {loaded.object.pk} already exists")
            loaded.save()
            touched.add(model)
    _reset_sequences(touched)
    return Workshop.objects.get(join_code=payload["join_code"])


def _reset_sequences(models_loaded: set[type[models.Model]]) -> None:
    """Rows came with their ids: move PostgreSQL's id sequences past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_loaded))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
