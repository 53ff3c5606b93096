"""The enrich stage: entities, canonicalisation, geo codes, metrics, error isolation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

import newswire.enrich
from newswire import events
from newswire.enrich import Enricher, _geo, _metrics, _tone, analysed_text
from newswire.enrich._entities import Mention, acronym_of, build_entities, clean_surface
from newswire.errors import EnrichError
from newswire.events import ArticleEvent, EnrichedEvent, Entity, EntityMention

# The shared seed article lives beside the repository (../shared in CI, /work/shared here).
# Its body is also kept below so the test never silently skips; a test checks they agree.
SEED_CANDIDATES = [
    Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "seed-article.txt",
    Path("/work/shared/fixtures/seed-article.txt"),
]
SEED_BODY = (
    "The Baltic states have begun discussions to increase the number of NATO soldiers on their "
    "territories, due to a perceived threat posed by Russia, the Prime Minister of Estonia "
    "revealed on Wednesday.\n\n"
    "Speaking to news agency Reuters, Kaja Kallas explained that her nation has serious "
    "concerns and wants to have extra troops on the ground as a means of deterrence. Alongside "
    "Latvia and Lithuania, the three Baltic nations are former Soviet republics, and each "
    "shares a border with Russia.\n\n"
    "“Of course, we are discussing with our allies to increase their presence here to act as a "
    "deterrent,” Kallas told Reuters. “If you look at the map, the Baltic states are a NATO "
    "peninsula and, therefore, we have our worries.”\n\n"
    "The Baltic state’s request comes as tensions between NATO and Russia remain high. Worries "
    "over possible conflict have risen in recent months, with Moscow being accused of placing "
    "around 100,000 troops on its Western border, near Ukraine. Some NATO leaders believe "
    "Russia is preparing for war.\n\n"
    "According to Reuters, the Baltic states laid out their demands at a meeting of the bloc "
    "in Brussels on Wednesday.\n\n"
    "“If Russia once again uses force against Ukraine and further invades Ukraine, then we "
    "have to seriously look into the need to further increase our presence in the eastern part "
    "of the alliance,” said Jens Stoltenberg, the Secretary-General of the US-led bloc.\n\n"
    "NATO initially boosted its troop presence in Lithuania, Latvia, Estonia, and Poland in "
    "2014, following Russia’s reabsorption of Crimea.\n\n"
    "Earlier this week, Russia’s Deputy Foreign Minister Sergey Ryabkov met with US Deputy "
    "Secretary of State Wendy Sherman to discuss a potential security deal. Moscow wants "
    "American diplomats to sign a legally-binding document promising that NATO will not "
    "further expand eastwards towards the Russian border, which would formally rule out "
    "admitting both Ukraine and Georgia, two countries that both wish to join the bloc."
)
NOW = datetime(2022, 1, 13, 20, 0, tzinfo=UTC)


def _article(
    body: str, *, title: str | None = None, lead: str | None = None, language: str | None = None, n: int = 0
) -> ArticleEvent:
    url = f"https://news.example/{n}"
    return ArticleEvent(
        article_id=events.article_id_for(url),
        url=url,
        canonical_url=url,
        body=body,
        fetched="2022-01-13T19:59:50+00:00",
        fingerprint=events.content_fingerprint(title, body),
        title=title,
        lead=lead,
        language=language,
    )


def _valid(ev: EnrichedEvent) -> None:
    events.validate("enriched", orjson.loads(events.encode_event(ev)))


@pytest.fixture(scope="module")
def enricher() -> Enricher:
    return Enricher()


@pytest.fixture(scope="module")
def seed_event(enricher: Enricher) -> EnrichedEvent:
    article = _article(
        _seed_body(),
        title="Baltics in new NATO demand",
        lead="Estonia, Latvia and Lithuania want to increase deterrence against possible "
        "Russian military action",
    )
    return enricher.enrich_one(article, now=NOW)


def _seed_body() -> str:
    for path in SEED_CANDIDATES:
        if path.exists():
            raw = path.read_text("utf-8")
            return raw[raw.index("The Baltic states have begun discussions") :].strip()
    return SEED_BODY


# ---------------------------------------------------------------- seed article


def test_embedded_seed_matches_shared_copy() -> None:
    assert _seed_body() == SEED_BODY


def test_seed_locations_have_country_codes(seed_event: EnrichedEvent) -> None:
    places = {e.name: e.country for e in seed_event.entities if e.type == "location"}
    expected = {
        "Estonia": "EE",
        "Latvia": "LV",
        "Lithuania": "LT",
        "Russia": "RU",
        "Ukraine": "UA",
        "Georgia": "GE",
        "Poland": "PL",
        "Brussels": "BE",
        "Moscow": "RU",
    }
    for name, code in expected.items():
        assert places.get(name) == code, (name, places)


def test_seed_organisations_and_people(seed_event: EnrichedEvent) -> None:
    orgs = {e.name for e in seed_event.entities if e.type == "organization"}
    people = {e.name: e for e in seed_event.entities if e.type == "person"}
    assert {"NATO", "Reuters"} <= orgs
    assert {"Kaja Kallas", "Jens Stoltenberg", "Sergey Ryabkov", "Wendy Sherman"} <= set(people)
    kallas = people["Kaja Kallas"]
    assert "Kallas" in kallas.forms and kallas.count >= 2
    assert "Kallas" not in people


def test_seed_offsets_point_into_analysed_text(seed_event: EnrichedEvent) -> None:
    text = analysed_text(seed_event.article)
    for entity in seed_event.entities:
        window = text[entity.first_offset : entity.first_offset + 80]
        assert any(
            window.startswith(form) or window.lower().startswith("the " + form.lower())
            for form in entity.forms
        ), (entity, window)
    nato = next(e for e in seed_event.entities if e.name == "NATO")
    assert nato.first_offset == text.index("NATO")


def test_seed_mentions_slice_back_to_their_fields(seed_event: EnrichedEvent) -> None:
    article = seed_event.article
    for entity in seed_event.entities:
        assert entity.count == len(entity.mentions)
        for mention in entity.mentions:
            assert getattr(article, mention.field)[mention.start : mention.end] == mention.text
        assert {" ".join(m.text.split()) for m in entity.mentions} == set(entity.forms)
    nato = next(e for e in seed_event.entities if e.name == "NATO")
    assert [m.field for m in nato.mentions][:2] == ["title", "body"]
    assert nato.mentions[0].start == article.title.index("NATO")  # type: ignore[union-attr]


def test_mentions_of_an_untrimmed_title_and_lead_index_the_raw_fields(enricher: Enricher) -> None:
    article = _article(
        "Officials in Warsaw said NATO would meet.",
        title="  NATO meets in Warsaw ",
        lead="\n Poland hosts the talks.",
    )
    event = enricher.enrich_one(article, now=NOW)
    found = {(m.field, m.text) for e in event.entities for m in e.mentions}
    assert {("title", "NATO"), ("title", "Warsaw"), ("lead", "Poland"), ("body", "Warsaw")} <= found
    for entity in event.entities:
        for m in entity.mentions:
            assert getattr(article, m.field)[m.start : m.end] == m.text


def test_french_articles_are_tagged_with_the_french_model(enricher: Enricher) -> None:
    body = (
        "Le président Emmanuel Macron a reçu mardi à Paris le chancelier allemand Friedrich Merz. "
        "Les deux dirigeants se rendront ensuite à Bruxelles pour un sommet de l'Union européenne."
    )
    event = enricher.enrich_one(_article(body, language="fr"), now=NOW)
    assert event.entity_tagged is True
    found = {(e.name, e.type) for e in event.entities}
    assert {("Emmanuel Macron", "person"), ("Friedrich Merz", "person"), ("Paris", "location")} <= found
    assert event.metrics.flesch_reading_ease is None  # the readability formula is English


def test_seed_metrics_and_schema(seed_event: EnrichedEvent) -> None:
    m = seed_event.metrics
    assert 300 <= m.words <= 320
    assert m.reading_time_s == pytest.approx(m.words * 60 / 230, abs=0.1)
    assert m.tone.negative > 0 and m.tone.polarity == pytest.approx(m.tone.positive + m.tone.negative)
    assert m.language == "en" and m.language_confidence is not None and m.language_confidence > 0.9
    assert m.quotes == 3 and m.paragraphs == 8
    assert m.flesch_reading_ease is not None
    assert "NATO" in m.keywords
    assert m.latency_s == 10.0
    assert seed_event.entity_tagged is True
    assert seed_event.enriched == "2022-01-13T20:00:00.000+00:00"
    _valid(seed_event)


def test_windowed_ner_equals_full_ner_on_seed(seed_event: EnrichedEvent) -> None:
    full = Enricher(context=None).enrich_one(seed_event.article, now=NOW)
    assert [(e.name, e.type, e.count, e.first_offset) for e in full.entities] == [
        (e.name, e.type, e.count, e.first_offset) for e in seed_event.entities
    ]


# ---------------------------------------------------------------- canonicalisation


def _build(text: str, *spans: tuple[str, str]) -> list[Entity]:
    """Entities of a body-only ``text`` from (form, label) mentions, found left to right."""
    mentions, at = [], 0
    for form, label in spans:
        start = text.index(form, at)
        mentions.append(Mention(text=form, label=label, start=start))
        at = start + len(form)
    return build_entities(
        mentions, lambda start, end: EntityMention(field="body", start=start, end=end, text=text[start:end])
    )


def test_surname_merges_into_full_name() -> None:
    text = "Yesterday Kaja Kallas said; later Kallas added that Kallas would stay."
    ents = _build(text, ("Kaja Kallas", "PERSON"), ("Kallas", "PERSON"), ("Kallas", "ORG"))
    assert len(ents) == 1
    assert (ents[0].name, ents[0].count, ents[0].forms, ents[0].first_offset) == (
        "Kaja Kallas",
        3,
        ["Kaja Kallas", "Kallas"],
        10,
    )
    assert [(m.start, m.text) for m in ents[0].mentions] == [
        (10, "Kaja Kallas"),
        (34, "Kallas"),
        (52, "Kallas"),
    ]


def test_ambiguous_surname_stays_apart() -> None:
    text = "Anna Smith met John Smith; Smith spoke."
    ents = _build(text, ("Anna Smith", "PERSON"), ("John Smith", "PERSON"), ("Smith", "PERSON"))
    assert sorted(e.name for e in ents) == ["Anna Smith", "John Smith", "Smith"]


def test_acronym_merges_into_long_organisation_name() -> None:
    assert acronym_of("North Atlantic Treaty Organization") == "NATO"
    assert acronym_of("Organization of the Petroleum Exporting Countries") == "OPEC"
    text = "NATO, the North Atlantic Treaty Organization, grew. NATO said so."
    ents = _build(text, ("NATO", "ORG"), ("North Atlantic Treaty Organization", "ORG"), ("NATO", "ORG"))
    assert len(ents) == 1
    assert ents[0].name == "North Atlantic Treaty Organization"
    assert ents[0].count == 3 and ents[0].first_offset == 0
    assert set(ents[0].forms) == {"NATO", "North Atlantic Treaty Organization"}


def test_forms_keep_abbreviation_periods_and_country_type_fix() -> None:
    assert clean_surface("Jens\n Stoltenberg") == "Jens Stoltenberg"
    assert clean_surface("U.S.") == "U.S."
    text = "Russia and the U.S. met; Russia (a bloc?) and Jens\n Stoltenberg too."
    ents = _build(
        text, ("Russia", "GPE"), ("U.S.", "GPE"), ("Russia", "ORG"), ("Jens\n Stoltenberg", "PERSON")
    )
    by_name = {e.name: e for e in ents}
    assert by_name["Russia"].type == "location" and by_name["Russia"].country == "RU"
    assert by_name["Russia"].count == 2
    assert by_name["U.S."].forms == ["U.S."] and by_name["U.S."].country == "US"
    assert by_name["Jens Stoltenberg"].mentions[0].text == "Jens\n Stoltenberg"


def test_dropped_labels() -> None:
    assert _build("Wednesday 100,000", ("Wednesday", "DATE"), ("100,000", "CARDINAL")) == []


# ---------------------------------------------------------------- geo


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("Russian", "RU"),
        ("American", "US"),
        ("Americans", "US"),
        ("Estonian", "EE"),
        ("British", "GB"),
        ("Swiss", "CH"),
        ("Baltic", None),
        ("European", None),
        ("Western", None),
    ],
)
def test_demonyms(word: str, code: str | None) -> None:
    assert _geo.demonym_country(word) == code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("the United States", "US"),
        ("Britain", "GB"),
        ("Georgia", "GE"),
        ("Brussels", "BE"),
        ("Moscow", "RU"),
        ("Tbilisi", "GE"),
        ("Texas", "US"),
        ("Nowhere Special", None),
    ],
)
def test_places(name: str, code: str | None) -> None:
    assert _geo.place_country(name) == code


def test_demonym_entities_are_nationalities(enricher: Enricher) -> None:
    text = "Russian and American diplomats met in Geneva on Monday."
    ev = enricher.enrich_one(_article(text, language="en"), now=NOW)
    nat = {e.name: e.country for e in ev.entities if e.type == "nationality"}
    assert nat == {"Russian": "RU", "American": "US"}
    assert any(e.name == "Geneva" and e.country == "CH" for e in ev.entities)


# ---------------------------------------------------------------- languages


GERMAN = (
    "Die Bundesregierung hat am Mittwoch in Berlin beschlossen, die Hilfen für die Ukraine "
    "zu verlängern. Bundeskanzler Friedrich Merz sagte, Deutschland stehe fest an der Seite "
    "seiner Partner."
)


def test_non_english_gets_metrics_but_no_entities(enricher: Enricher) -> None:
    ev = enricher.enrich_one(_article(GERMAN, language="de"), now=NOW)
    assert ev.entity_tagged is False and ev.entities == []
    # 15 + 12 words, counted by hand
    assert ev.metrics.language == "de" and ev.metrics.words == 27 and ev.metrics.sentences == 2
    assert ev.metrics.flesch_reading_ease is None
    assert ev.metrics.tone == _tone.ZERO
    _valid(ev)


def test_language_detected_when_missing(enricher: Enricher) -> None:
    ev = enricher.enrich_one(_article(GERMAN), now=NOW)
    assert ev.metrics.language == "de" and ev.entity_tagged is False
    assert ev.metrics.language_confidence is not None and ev.metrics.language_confidence > 0.5


def test_event_language_wins_and_subtag_dropped(enricher: Enricher) -> None:
    ev = enricher.enrich_one(_article("Kaja Kallas spoke in Tallinn on Monday.", language="en-GB"), now=NOW)
    assert ev.metrics.language == "en" and ev.entity_tagged is True
    assert any(e.name == "Kaja Kallas" for e in ev.entities)


# ---------------------------------------------------------------- metrics by hand

SMALL = "He said: “It works.” Prices rose 3.5% in 2024.\n\nMr. Smith left. Did he?"


def test_small_text_counts() -> None:
    c = _metrics.count(SMALL)
    # He said It works Prices rose 3.5 in 2024 | Mr Smith left Did he
    assert len(c.words) == 14
    assert c.numbers == 2  # 3.5, 2024
    assert c.paragraphs == 2
    assert c.sentences == 4  # "Mr." ends no sentence
    assert c.quotes == 1
    assert c.characters == len(SMALL)
    assert _metrics.reading_time_s(14) == 3.7  # 14 / 230 * 60 = 3.65


def test_sentences_and_paragraphs() -> None:
    assert _metrics.sentence_count("The U.S. Deputy Secretary met J. Smith. Then she left") == 2
    assert _metrics.sentence_count("“Why?” she asked.") == 1
    assert _metrics.paragraphs_of("one\ntwo\n\n\nthree") == ["one\ntwo", "three"]
    assert _metrics.paragraphs_of("one\ntwo\nthree") == ["one", "two", "three"]
    assert _metrics.count("").words == [] and _metrics.count("   ").paragraphs == 0


def test_words_and_syllables() -> None:
    assert _metrics.words_of("Russia’s legally-binding 100,000 U.S. troops") == [
        "russia's",
        "legally-binding",
        "100,000",
        "u.s",
        "troops",
    ]
    assert [_metrics.syllables(w) for w in ("cat", "table", "make", "deterrence", "a")] == [1, 2, 1, 3, 1]


def test_flesch_of_a_simple_sentence() -> None:
    c = _metrics.count("The cat sat on the mat.")
    # 6 words, 1 sentence, 6 syllables: 206.835 - 1.015*6 - 84.6*1
    assert _metrics.flesch_reading_ease(c) == round(206.835 - 6.09 - 84.6, 2)


def test_tone_as_gdelt() -> None:
    t = _tone.tone(["good", "bad", "day", "day"])
    assert (t.positive, t.negative, t.tone, t.polarity) == (25.0, 25.0, 0.0, 50.0)
    assert _tone.tone([]) == _tone.ZERO


# ---------------------------------------------------------------- batches and errors


def test_batch_keeps_order_and_isolates_a_crash(enricher: Enricher) -> None:
    good = _article("Jens Stoltenberg visited Warsaw.", language="en", n=1)
    bad = _article("placeholder", language="en", n=2)
    bad.body = None  # type: ignore[assignment]  # what a broken decoder could hand over
    other = _article("Shares of Siemens rose in Frankfurt.", language="en", n=3)
    results = enricher.enrich_batch([good, bad, other], now=NOW)
    assert len(results) == 3
    assert isinstance(results[0], EnrichedEvent) and isinstance(results[2], EnrichedEvent)
    assert isinstance(results[1], EnrichError)
    assert bad.article_id in str(results[1]) and "body" in str(results[1])
    assert results[2].article is other
    with pytest.raises(EnrichError):
        enricher.enrich_one(bad, now=NOW)


def test_empty_batch_and_empty_body(enricher: Enricher) -> None:
    assert enricher.enrich_batch([], now=NOW) == []
    ev = enricher.enrich_one(_article("", language="en"), now=NOW)
    assert ev.metrics.words == 0 and ev.metrics.flesch_reading_ease is None and ev.entities == []
    _valid(ev)


def test_metrics_only_enricher() -> None:
    ev = Enricher(entities=False).enrich_one(_article("Kaja Kallas spoke.", language="en"), now=NOW)
    assert ev.entity_tagged is False and ev.entities == [] and ev.metrics.words == 3


def test_analysed_text_skips_a_lead_the_body_repeats() -> None:
    art = _article("Lead here. Then the body.", title="Title", lead="Lead here.")
    assert analysed_text(art) == "Title\n\nLead here. Then the body."
    art = _article("The body.", title="Title", lead="A lead.")
    assert analysed_text(art) == "Title\n\nA lead.\n\nThe body."


def test_public_api() -> None:
    assert newswire.enrich.__all__ == ["Enricher", "analysed_text"]
