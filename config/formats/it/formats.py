"""Italian dates as Italian writes them: "5 marzo 2026, 14:30" where Django's own formats
give "05 Marzo 2026" and "Domenica 05 Marzo 2026 14:30". The lowercase month names come from
our catalog (config/formats/months.py); every other format is Django's."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
