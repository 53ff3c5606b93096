"""The article language: the page's declaration, checked against the text."""

from __future__ import annotations

from newswire.extract._language import choose

GERMAN = (
    "Die Bundesregierung hat am Mittwoch neue Regeln für den Ausbau der Windkraft beschlossen. "
    "Künftig sollen Genehmigungen schneller erteilt werden, wie das Wirtschaftsministerium in Berlin "
    "mitteilte. Kritik kam von Naturschutzverbänden, die vor Eingriffen in geschützte Gebiete warnen. "
    "Die Länder müssen nun bis zum Ende des Jahres Flächen ausweisen, auf denen neue Anlagen gebaut "
    "werden dürfen. Der Branchenverband begrüßte die Entscheidung, forderte aber mehr Personal in den "
    "Behörden, damit die Verfahren tatsächlich kürzer werden."
)
ENGLISH = (
    "The government on Wednesday approved new rules for the expansion of wind power. Permits are to be "
    "granted faster in future, the economy ministry said in Berlin. Conservation groups criticised the "
    "plan and warned against building in protected areas. The states now have until the end of the year "
    "to designate land on which new turbines may be built. The industry association welcomed the decision "
    "but called for more staff in the authorities so that the procedures actually become shorter."
)


def test_a_declaration_the_text_agrees_with_is_kept_and_normalised() -> None:
    assert choose(["de-DE"], GERMAN) == "de"
    assert choose([None, "en_GB"], ENGLISH) == "en"


def test_a_wrong_declaration_is_overruled_by_clear_text() -> None:
    assert choose(["en"], GERMAN) == "de"
    assert choose(["de"], ENGLISH) == "en"


def test_without_a_declaration_the_text_decides() -> None:
    assert choose([None, "", "not a code!"], GERMAN) == "de"
    assert choose([], ENGLISH) == "en"


def test_text_too_short_to_judge_keeps_the_declaration() -> None:
    assert choose(["fr"], "Breaking: update") == "fr"
    assert choose([], "Breaking: update") is None
