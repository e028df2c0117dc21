"""Grouping suggestions on a real-looking brainstorm, and on the cases that break naive code.

The sample (data/brainstorm_sample.json) lists paraphrases that must land together and
pairs of different topics that must stay apart; docs/grouping.md tunes the threshold on it.
"""

import json
from pathlib import Path

import pytest

from workshops import suggestions
from workshops.suggestions import Suggestion, likely_duplicates, suggest_clusters, suggest_name

SAMPLE = json.loads((Path(__file__).parent / "data" / "brainstorm_sample.json").read_text())
NOTES = [(postit["id"], postit["text"]) for postit in SAMPLE["postits"]]


@pytest.fixture(scope="module")
def sample_suggestions() -> list[Suggestion]:
    return suggest_clusters(NOTES)


def cluster_of(found: list[Suggestion]) -> dict[int, int]:
    """Post-it id → index of its suggestion (post-its left alone are absent)."""
    return {postit: index for index, group in enumerate(found) for postit in group.postit_ids}


# --- the sample -----------------------------------------------------------------------------


@pytest.mark.parametrize("group", SAMPLE["duplicates"], ids=str)
def test_paraphrases_of_the_sample_land_in_one_suggestion(sample_suggestions, group):
    where = cluster_of(sample_suggestions)
    assert all(postit in where for postit in group), [NOTES[i - 1][1] for i in group]
    assert len({where[postit] for postit in group}) == 1, [NOTES[i - 1][1] for i in group]


@pytest.mark.parametrize("pair", SAMPLE["apart"], ids=str)
def test_different_topics_of_the_sample_stay_apart(sample_suggestions, pair):
    where = cluster_of(sample_suggestions)
    first, second = pair
    assert first not in where or where.get(first) != where.get(second)


def test_suggestions_come_largest_first_with_their_ids_ascending(sample_suggestions):
    sizes = [len(group.postit_ids) for group in sample_suggestions]
    assert sizes == sorted(sizes, reverse=True)
    assert min(sizes) >= 2
    for group in sample_suggestions:
        assert list(group.postit_ids) == sorted(group.postit_ids)
    ties = [(len(g.postit_ids), g.postit_ids[0]) for g in sample_suggestions]
    assert ties == sorted(ties, key=lambda size_first: (-size_first[0], size_first[1]))


def test_the_sample_is_not_grouped_into_one_heap(sample_suggestions):
    """A threshold that is too loose passes the paraphrase test by putting everything together."""
    assert max(len(group.postit_ids) for group in sample_suggestions) <= 6
    assert sum(len(group.postit_ids) for group in sample_suggestions) < len(NOTES) * 0.75


def test_names_are_short_non_empty_labels(sample_suggestions):
    for group in sample_suggestions:
        assert group.name.strip()
        assert len(group.name) <= 40
    names = {group.postit_ids: group.name for group in sample_suggestions}
    assert names[(2, 13, 33)] == "Passage piéton"
    assert names[(9, 23, 39)] == "Éclairage"  # written "eclairage" once, "Éclairage" once


# --- edge cases -----------------------------------------------------------------------------


@pytest.mark.parametrize("notes", [[], [(1, "Plus de bancs")]], ids=["none", "one"])
def test_fewer_than_two_post_its_suggest_nothing(notes):
    assert suggest_clusters(notes) == []
    assert likely_duplicates(notes) == []


def test_blank_post_its_are_ignored():
    notes = [(1, "   "), (2, ""), (3, "\n\t"), (4, "Plus de bancs"), (5, "plus de bancs !")]
    assert [group.postit_ids for group in suggest_clusters(notes)] == [(4, 5)]
    # Even a threshold that groups everything leaves them out: there is nothing to compare.
    loose = suggest_clusters([*notes, (6, "Toilettes")], distance_threshold=1.5)
    assert [group.postit_ids for group in loose] == [(4, 5, 6)]
    assert suggest_clusters(notes[:3]) == []
    assert likely_duplicates(notes[:3]) == []


def test_identical_post_its_form_one_group():
    notes = [(postit, "Des toilettes dans le parc") for postit in (7, 3, 5, 9)]
    assert suggest_clusters(notes) == [Suggestion((3, 5, 7, 9), "Toilettes")]
    assert likely_duplicates(notes) == [(3, 5), (3, 7), (3, 9), (5, 7), (5, 9), (7, 9)]


def test_missing_accents_do_not_separate_a_post_it_from_its_twin():
    notes = [
        (1, "Sécurité à l'école"),
        (2, "Des jeux d'eau pour l'été"),
        (3, "securite a l ecole"),
        (4, "Un skatepark pour les ados"),
    ]
    assert [group.postit_ids for group in suggest_clusters(notes)] == [(1, 3)]


def test_request_words_alone_do_not_make_post_its_alike():
    """ "Installer des …" and "Plus de …" start many post-its about different things."""
    notes = [
        (1, "Installer des bancs"),
        (2, "Installer des poubelles"),
        (3, "Plus de toilettes"),
        (4, "Plus de lumière"),
    ]
    assert suggest_clusters(notes) == []


def test_italian_request_words_alone_do_not_make_post_its_alike():
    notes = [
        (1, "Installare delle panchine"),
        (2, "Installare dei cestini"),
        (3, "Servono più bagni pubblici nel parco"),
        (4, "Servono più fontanelle nel parco"),
        (5, "Ci vorrebbero delle piste ciclabili"),
        (6, "Ci vorrebbero delle feste di quartiere"),
    ]
    assert suggest_clusters(notes) == []


def test_italian_paraphrases_land_together():
    notes = [
        (1, "Mettere delle panchine all'ombra"),
        (2, "Panchine per gli anziani"),
        (3, "Mettere dei giochi per i bambini"),
        (4, "Giochi per i più piccoli"),
        (5, "Servono più alberi"),
        (6, "Alberi lungo il viale"),
    ]
    assert suggest_clusters(notes) == [
        Suggestion((1, 2), "Panchine"),
        Suggestion((3, 4), "Giochi"),
        Suggestion((5, 6), "Alberi"),
    ]


def test_an_empty_vocabulary_suggests_nothing(monkeypatch):
    monkeypatch.setattr(suggestions, "_content", lambda _text: "")
    notes = [(1, "Plus de bancs"), (2, "Plus de bancs")]
    assert suggest_clusters(notes) == []
    assert likely_duplicates(notes) == []


def test_a_group_without_a_shared_word_is_named_after_its_shortest_text():
    texts = [
        "Un grand kiosque couvert pour des concerts et des fêtes de quartier l'été",
        "Composteur collectif géré par l'association des parents d'élèves",
    ]
    assert suggest_name(texts) == "Composteur collectif géré par l'associa…"
    assert len(suggest_name(texts)) == 40
    assert suggest_name(["Oui", "Oui !"]) == "Oui"


def test_a_name_keeps_its_phrase_its_hyphen_and_its_capitals():
    texts = ["Bike racks near the supermarket", "supermarket: more bike racks"]
    assert suggest_name(texts) == "Bike racks"
    assert suggest_name(["Plus de bancs", "des bancs au soleil", "Bancs"]) == "Bancs"
    assert suggest_name(["rue victor hugo !", "Trottoir rue Victor Hugo"]) == "Victor Hugo"
    assert suggest_name(["Tables de pique-nique", "pique-nique au parc"]) == "Pique-nique"


def test_the_subject_of_the_whole_board_does_not_name_a_group():
    notes = [
        (1, "Vélos dans le quartier"),
        (2, "velos quartier"),
        (3, "Des vélos partout dans le quartier"),
        (4, "Fête de quartier en juin"),
        (5, "Un jardin pour le quartier"),
        (6, "Le quartier manque d'arbres"),
        (7, "Propreté du quartier"),
    ]
    assert suggest_clusters(notes) == [Suggestion((1, 2, 3), "Vélos")]
    # The same three post-its alone: "quartier" is as frequent there, and longer.
    assert suggest_name([text for _id, text in notes[:3]]) == "Quartier"


# --- likely duplicates ----------------------------------------------------------------------


def test_an_exact_duplicate_is_flagged_and_unrelated_post_its_are_not():
    notes = [
        (8, "Plus de bancs dans le parc"),
        (2, "Toilettes publiques"),
        (5, "Plus de bancs dans le parc"),
        (3, "More bike racks"),
        (4, "Plus de poubelles dans le parc"),
        (6, "Repeindre les bancs du parc"),  # same place and thing, another request
    ]
    assert likely_duplicates(notes) == [(5, 8)]


def test_duplicates_found_in_the_sample_are_paraphrases():
    groups = [set(group) for group in SAMPLE["duplicates"]]
    pairs = likely_duplicates(NOTES)
    assert pairs
    for first, second in pairs:
        assert any({first, second} <= group for group in groups), (first, second)
