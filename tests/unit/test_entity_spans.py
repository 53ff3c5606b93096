"""Model spans cut to the names as written: trims, datelines, repeats (``_spans``)."""

from __future__ import annotations

from newswire.enrich._spans import Span, repair


def _spans(text: str, *found: tuple[str, str]) -> list[Span]:
    """Spans for (text, label) pairs, each found after the previous one."""
    out, at = [], 0
    for piece, label in found:
        start = text.index(piece, at)
        out.append(Span(start, start + len(piece), label))
        at = start + len(piece)
    return out


def _named(text: str, spans: list[Span]) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in spans]


def test_trims_articles_possessives_numbers_and_titles_but_not_abbreviation_periods() -> None:
    text = (
        "The vote in the House of Commons passed. South Africa's budget rose and the U.S. "
        "backed it. Arsenal 2-1 lost; 66 Ryan Gerard led. Winger Cheslin Kolbe scored. "
        "The All Blacks' defeat."
    )
    found = _spans(
        text,
        ("the House of Commons", "ORG"),
        ("South Africa's", "GPE"),
        ("U.S.", "GPE"),
        ("Arsenal 2-1", "ORG"),
        ("66 Ryan Gerard", "PERSON"),
        ("Winger Cheslin Kolbe", "PERSON"),
        ("All Blacks'", "ORG"),
    )
    assert _named(text, repair(text, found)) == [
        ("House of Commons", "ORG"),
        ("South Africa", "GPE"),
        ("U.S.", "GPE"),
        ("Arsenal", "ORG"),
        ("Ryan Gerard", "PERSON"),
        ("Cheslin Kolbe", "PERSON"),
        ("All Blacks", "ORG"),
    ]


def test_cuts_at_line_breaks_and_spaced_dashes() -> None:
    text = "Aston Villa 1 Everton 1\nWest Ham 2 Brighton 2\nCANBERRA - Australian voters"
    found = _spans(text, ("Everton 1\nWest Ham", "ORG"), ("CANBERRA - Australian", "ORG"))
    assert ("Everton", "ORG") in _named(text, repair(text, found))
    assert ("West Ham", "ORG") in _named(text, repair(text, found))
    assert ("Australian", "ORG") in _named(text, repair(text, found))


def test_a_dateline_is_a_place_but_a_capitals_headline_is_not() -> None:
    text = (
        "RUGBY UNION - SOUTH AFRICA CRUSH NEW ZEALAND\n"
        "BERLIN, March 3 (Reuters) - Merz spoke.\n"
        "SANTA FE (AP) — A wildfire spread.\n"
        "ZURICH - Shares of UBS slid."
    )
    found = _spans(text, ("BERLIN", "ORG"), ("Reuters", "ORG"), ("UBS", "ORG"))
    named = _named(text, repair(text, found))
    assert ("BERLIN", "GPE") in named and ("SANTA FE", "GPE") in named and ("ZURICH", "GPE") in named
    assert ("Reuters", "ORG") in named
    assert not any(name.startswith("RUGBY") for name, _ in named)


def test_repeats_of_a_found_name_and_lone_surnames_are_found() -> None:
    text = "Friedrich Merz met Apple. Merz said Apple and Pineapple Ltd would talk; Merz-style deals."
    found = _spans(text, ("Friedrich Merz", "PERSON"), ("Apple", "ORG"))
    named = _named(text, repair(text, found))
    assert named == [
        ("Friedrich Merz", "PERSON"),
        ("Apple", "ORG"),
        ("Merz", "PERSON"),
        ("Apple", "ORG"),
    ]


def test_a_surname_the_model_typed_otherwise_is_the_person() -> None:
    text = "Carlos Alcaraz lost. Alcaraz said he was tired."
    found = _spans(text, ("Carlos Alcaraz", "PERSON"), ("Alcaraz", "ORG"))
    assert _named(text, repair(text, found))[1] == ("Alcaraz", "PERSON")


def test_a_surname_shared_by_two_people_is_left_alone() -> None:
    text = "Anna Smith and John Smith met. Smith left."
    found = _spans(text, ("Anna Smith", "PERSON"), ("John Smith", "PERSON"))
    assert _named(text, repair(text, found)) == [("Anna Smith", "PERSON"), ("John Smith", "PERSON")]


def test_capitals_headlines_get_names_found_below_and_country_names() -> None:
    text = "SINNER BEATS ALCARAZ IN FINAL IN SOUTH AFRICA\nJannik Sinner beat Carlos Alcaraz on Sunday."
    found = _spans(text, ("Jannik Sinner", "PERSON"), ("Carlos Alcaraz", "PERSON"))
    named = _named(text, repair(text, found))
    assert named[:3] == [("SINNER", "PERSON"), ("ALCARAZ", "PERSON"), ("SOUTH AFRICA", "GPE")]


def test_a_lone_city_the_model_took_for_a_person_is_a_place() -> None:
    text = "Zelenskiy rejected it during a visit to Odesa. Kyiv said no."
    found = _spans(text, ("Zelenskiy", "PERSON"), ("Kyiv", "PERSON"))
    assert _named(text, repair(text, found)) == [("Zelenskiy", "PERSON"), ("Kyiv", "GPE")]


def test_french_elided_article_and_lower_case_roles_are_trimmed() -> None:
    text = "Il a reçu à l'Elysée le Premier ministre Pedro Sánchez et Charles de Gaulle."
    found = _spans(text, ("l'Elysée", "LOC"), ("ministre Pedro Sánchez", "PER"), ("de Gaulle", "PER"))
    assert _named(text, repair(text, found)) == [
        ("Elysée", "LOC"),
        ("Pedro Sánchez", "PER"),
        ("de Gaulle", "PER"),
    ]


def test_teams_in_results_and_standings_rows() -> None:
    text = (
        "Results on Saturday:\n"
        "Aston Villa 1 Everton 1\n"
        "Japan 2 Syria 1\n"
        "Standings (won, lost, percentage):\n"
        "Boston Celtics 41 12 .774\n"
        "Shares rose 2 percent on Friday."
    )
    found = _spans(text, ("Villa 1 Everton", "ORG"), ("Japan", "GPE"), ("Syria", "PERSON"))
    assert _named(text, repair(text, found)) == [
        ("Aston Villa", "ORG"),
        ("Everton", "ORG"),
        ("Japan", "GPE"),
        ("Syria", "GPE"),
        ("Boston Celtics", "ORG"),
    ]


def test_leading_lower_case_words_are_not_part_of_a_name() -> None:
    text = "Rubio is expected to meet European Union officials."
    found = _spans(text, ("meet European Union", "ORG"))
    assert _named(text, repair(text, found)) == [("European Union", "ORG")]
