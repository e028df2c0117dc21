from django.db import migrations, models
from django.utils import translation

# Frozen copy: the built-in states as they were created before they had a key.
BUILT_IN = {
    "not_answered": "Not answered",
    "evaluating": "Evaluating",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "implemented": "Implemented",
}
LANGUAGES = ("fr", "en", "it")


def key_the_built_in_states(apps, schema_editor):
    """A state still named as it was created, in any language, gets its key back."""
    ProposalState = apps.get_model("deliberation", "ProposalState")
    for key, english in BUILT_IN.items():
        names = set()
        for language in LANGUAGES:
            with translation.override(language):
                names.add(translation.gettext(english))
        ProposalState.objects.filter(key="", title__in=names).update(key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0002_space_language_italian"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposalstate",
            name="key",
            field=models.CharField(blank=True, default="", max_length=20),
        ),
        migrations.RunPython(key_the_built_in_states, migrations.RunPython.noop),
    ]
