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


@register.simple_tag
def poll_chart(results) -> str:
    """The chart of a poll's results as inline SVG (the same markup live and in exports):
    a word cloud for words, a pie for a single choice, bars for the others."""
    from workshops import charts
    from workshops.models import Poll

    poll = results.poll
    title = poll.question
    if poll.kind == Poll.Kind.WORDS:
        return charts.word_cloud(results.words, title=title, total=results.respondents)
    if poll.kind == Poll.Kind.SCALE:
        slices = [charts.Slice(str(value), count) for value, count in results.scale]
    else:
        slices = [charts.Slice(option.label, count) for option, count in results.options]
    if poll.kind == Poll.Kind.SINGLE:
        return charts.pie_chart(slices, title=title)
    # Several choices each: a share is of the people who answered.
    return charts.bar_chart(slices, title=title, total=results.respondents)


@register.filter
def markdown_html(text: str | None) -> str:
    """The Markdown a conclusion is kept in (headings, lists, bold, italics), as safe HTML:
    everything is escaped first, then only those few forms are turned into tags."""
    from workshops.markdown import to_html

    return to_html(text or "")
