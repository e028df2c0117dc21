"""Suggest groups of similar post-its, and likely duplicates, for the facilitator to accept.

Pure functions over `(id, text)` pairs: no ORM, no network, no model to download. Post-its are
compared by TF-IDF over character n-grams (3 to 5 letters, inside word boundaries), which
matches "vélo"/"velo", "toilettes"/"toillettes" and "arbre"/"arbres" in French and English
alike, then grouped by average-linkage clustering on cosine distance. docs/grouping.md says
why this method and how the thresholds were tuned on tests/workshops/data/brainstorm_sample.json.
"""

import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer, strip_accents_unicode

# Tuned on the sample (docs/grouping.md): every paraphrase group holds from 0.67 and the first
# pair of different topics merges at 0.78; 0.72 sits in the middle.
DISTANCE_THRESHOLD = 0.72
# Below this cosine distance two post-its say the same thing in nearly the same words.
DUPLICATE_THRESHOLD = 0.25
NAME_MAX_LENGTH = 40
NAME_MIN_LETTERS = 4

# Words that carry no topic in a post-it: articles, prepositions, pronouns, and the request
# fillers ("plus de", "more", "svp", "installer", "need") that would otherwise group "Plus de
# bancs" with "Plus de poubelles". Written without accents: they are compared without them.
# French words, French fillers, then English ones, then Italian ones.
_STOPWORD_TEXT = """
a ai as au aux avec c ca ce cela ces cet cette d dans de des du elle elles en est et etre eu il
ils j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne ni nos notre nous on ont ou
par pas peu plus pour qu que quel quelle qui s sa sans se ses si son sont sur t ta te tes toi ton
tres trop tu un une vos votre vous y
svp merci oui non bien aussi encore faut besoin avoir faire fait mettre installer ajouter creer
prevoir idee pourquoi
about all also an and any are at be been but by can could do for from get has have how i if in
into is it its more much need no not of on or our out please put should so some than that the
their them there these they this those to too very want was we were what when which will with
would you your add make idea
ad al alla alle agli allo anche ancora che chi ci col come con cosa da dal dalla dalle dagli dai
dallo degli dei del della delle dello di ed era essere gli ha hanno ho io li lo mi molto negli nei
nel nella nelle nello noi nostra nostro nostri ogni perche piu poco quale quali quando quella
quelli quello questa queste questi questo sei sia siamo sono sua sue sugli sui sul sulla sulle
suo suoi tra fra tutti tutto tutte una uno vi voi vostro vostra
servono serve servirebbe servirebbero vorrei vorremmo vorrebbe vorrebbero bisogna mettere
installare aggiungere creare fare avere prevedere grazie favore
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Letters and digits, hyphenated words kept whole ("pique-nique", "drop-off").
WORD = re.compile(r"\w+(?:-\w+)*")


@dataclass(frozen=True)
class Suggestion:
    """A suggested group: its post-its (ids ascending) and a label the facilitator may edit."""

    postit_ids: tuple[int, ...]
    name: str


@dataclass(frozen=True)
class BoardFrequencies:
    """On how many of the board's post-its each candidate label appears."""

    postits: int
    containing: Mapping[str, int]

    @classmethod
    def of(cls, terms: Sequence[Mapping[str, str]]) -> Self:
        return cls(len(terms), Counter(key for note_terms in terms for key in note_terms))

    def rarity(self, key: str) -> float:
        """Smoothed inverse document frequency, as TfidfVectorizer computes it."""
        return math.log((1 + self.postits) / (1 + self.containing.get(key, 0))) + 1


def suggest_clusters(
    notes: Sequence[tuple[int, str]], *, distance_threshold: float = DISTANCE_THRESHOLD
) -> list[Suggestion]:
    """Groups of 2+ post-its that say similar things, largest first (ties: smallest id first).

    Blank post-its are ignored. A post-it alone in its cluster is not suggested: grouping it
    with nothing would only add noise to the board.
    """
    ids, texts = _usable(notes)
    distances = _distances(texts)
    if distances is None:
        return []
    labels = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=distance_threshold,
    ).fit_predict(distances)
    members: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        members.setdefault(int(label), []).append(index)
    clusters = [sorted(group, key=ids.__getitem__) for group in members.values() if len(group) > 1]
    clusters.sort(key=lambda group: (-len(group), ids[group[0]]))
    terms = [_terms(text) for text in texts]
    board = BoardFrequencies.of(terms)
    return [
        Suggestion(
            tuple(ids[i] for i in group),
            _name([texts[i] for i in group], [terms[i] for i in group], board),
        )
        for group in clusters
    ]


def likely_duplicates(
    notes: Sequence[tuple[int, str]], *, threshold: float = DUPLICATE_THRESHOLD
) -> list[tuple[int, int]]:
    """Pairs (smaller id, larger id) of near-identical post-its, sorted, for a "merge?" hint."""
    ids, texts = _usable(notes)
    distances = _distances(texts)
    if distances is None:
        return []
    rows, columns = np.nonzero(np.triu(distances < threshold, k=1))
    return sorted(
        (min(ids[a], ids[b]), max(ids[a], ids[b])) for a, b in zip(rows, columns, strict=True)
    )


def suggest_name(texts: Sequence[str], board: BoardFrequencies | None = None) -> str:
    """A short label: the content word (or two-word phrase) shared by the most post-its.

    The count is weighted as in TF-IDF by how rare the term is on the whole `board` (by
    default, these texts): the workshop's own subject ("école", "parc") is on many post-its of
    every group and names none. Words are compared without accents or case but shown as
    written (the accented spelling wins a tie: "eclairage" and "Éclairage" give "Éclairage").
    A phrase wins over its words when it is on as many post-its ("Passage piéton"). Without a
    word shared by two post-its, the shortest text stands for the group.
    """
    terms = [_terms(text) for text in texts]
    return _name(texts, terms, board or BoardFrequencies.of(terms))


# --- helpers -------------------------------------------------------------------------------


def _name(texts: Sequence[str], terms: Sequence[dict[str, str]], board: BoardFrequencies) -> str:
    """suggest_name, given each text's candidate labels (`_terms`)."""
    counts = Counter(key for note_terms in terms for key in note_terms)
    shared = [key for key, count in counts.items() if count > 1]
    if not shared:
        return _truncate(min((text.strip() for text in texts), key=len))
    order: dict[str, int] = {}
    for key in (key for note_terms in terms for key in note_terms):
        order.setdefault(key, len(order))
    best = min(
        shared,
        key=lambda key: (
            -counts[key] * board.rarity(key),
            -len(key.split()),
            -len(key),
            order[key],
        ),
    )
    spellings = Counter(note_terms[best] for note_terms in terms if best in note_terms)
    form = max(spellings, key=lambda written: (spellings[written], _care(written)))
    return _truncate(form[:1].upper() + form[1:])


def _usable(notes: Sequence[tuple[int, str]]) -> tuple[list[int], list[str]]:
    """Ids and texts of the post-its that say something (blank ones cannot be compared)."""
    kept = [(postit_id, text) for postit_id, text in notes if text and text.strip()]
    return [postit_id for postit_id, _text in kept], [text for _id, text in kept]


@functools.lru_cache(maxsize=8192)
def _fold(word: str) -> str:
    """The form words are compared in: lower case, without accents."""
    return strip_accents_unicode(word.lower())


def _content(text: str) -> str:
    """The text without stopwords, so that shared fillers ("plus de … dans le parc") do not
    make unrelated post-its look alike. A post-it made only of stopwords is kept whole."""
    words = [word for word in WORD.findall(text) if _fold(word) not in STOPWORDS]
    return " ".join(words) if words else text


def _distances(texts: list[str]) -> np.ndarray | None:
    """Cosine distances between the texts' TF-IDF vectors, or None when nothing can be
    compared (fewer than two texts, or no character n-gram at all)."""
    if len(texts) < 2:
        return None
    vectorizer = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        strip_accents="unicode",
        lowercase=True,
        sublinear_tf=True,
    )
    try:
        vectors = vectorizer.fit_transform([_content(text) for text in texts])
    except ValueError:  # empty vocabulary
        return None
    # Rows are L2-normalized, so cosine similarity is a sparse dot product. Passing the
    # vectors with metric="cosine" gives the same clusters but needs them dense: for the
    # benchmark's 1,000 post-its, 29 MB and 1.3 s instead of 0.1 s (docs/grouping.md).
    similarity = (vectors @ vectors.T).toarray()
    distances = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    return distances


def _terms(text: str) -> dict[str, str]:
    """Candidate labels of one text, folded form → written form: its content words of
    NAME_MIN_LETTERS letters or more, and each pair of such words written side by side."""
    words = [(word, _fold(word)) for word in WORD.findall(text)]
    kept = [(word, folded) if _meaningful(folded) else None for word, folded in words]
    terms = {folded: word for word, folded in filter(None, kept)}
    for first, second in itertools.pairwise(kept):
        if first and second:
            terms.setdefault(f"{first[1]} {second[1]}", f"{first[0]} {second[0]}")
    return terms


def _meaningful(folded: str) -> bool:
    return sum(char.isalpha() for char in folded) >= NAME_MIN_LETTERS and folded not in STOPWORDS


def _care(written: str) -> tuple[int, bool, int]:
    """Between spellings as frequent, the careful one: accents kept, not shouted, capitals
    kept ("Éclairage" over "eclairage", "piéton" over "PIETON", "Victor Hugo" over "victor
    hugo")."""
    accents = sum(not char.isascii() for char in written)
    return accents, not written.isupper(), sum(char.isupper() for char in written)


def _truncate(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= NAME_MAX_LENGTH else text[: NAME_MAX_LENGTH - 1].rstrip() + "…"
