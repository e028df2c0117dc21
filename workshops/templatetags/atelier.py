import json
from datetime import datetime

from django import template

register = template.Library()


@register.filter
def epoch_ms(moment: datetime | None) -> int | str:
    """Milliseconds since the epoch, for timers that count down against the server's clock."""
    return int(moment.timestamp() * 1000) if moment else ""


@register.filter
def minutes_seconds(seconds: int | None) -> str:
    seconds = max(0, int(seconds or 0))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


@register.filter
def json_attribute(value: object) -> str:
    """JSON for an HTML attribute (the template's autoescaping then quotes it safely)."""
    return json.dumps(value)
