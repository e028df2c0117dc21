"""The event log: per-audience streams with gap-free sequence numbers, and command receipts."""

from django.db import models


class Stream(models.Model):
    """One audience of a workshop ("workshop", "group:<id>", "facilitators").

    `last_seq` is bumped under a row lock in the transaction that appends the event, so
    sequence numbers are gap-free and commit in order (an auto-increment id is not).
    """

    workshop = models.ForeignKey("workshops.Workshop", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workshop", "key"], name="stream_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.workshop_id}/{self.key}@{self.last_seq}"


class Event(models.Model):
    """An immutable fact. Payloads carry ids, never names or emails (see live/events.py)."""

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    name = models.CharField(max_length=60)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="event_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.stream_id}#{self.seq} {self.name}"


class CommandReceipt(models.Model):
    """The outcome of a client command, so that replaying its id returns the same result."""

    actor = models.CharField(max_length=40)
    client_id = models.CharField(max_length=64)
    name = models.CharField(max_length=60)
    args_digest = models.CharField(max_length=64)
    result = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "client_id"], name="receipt_unique_id"),
        ]

    def __str__(self) -> str:
        return f"{self.actor}:{self.client_id} {self.name}"
