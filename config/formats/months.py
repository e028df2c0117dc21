"""The month names of dates ("15 marzo 2026"), in our catalogs so that each language writes
them as it should: Django's Italian catalog capitalizes them, Italian does not. Catalogs of
LOCALE_PATHS come first, so these entries replace Django's wherever a date is formatted.
Nothing reads this list: it is here for `makemessages`."""

from django.utils.translation import gettext_noop

MONTH_NAMES = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
