"""The fake site's newsroom: ~10 hand-written articles, the seed article, and synthetic ones.

All texts are invented for the tests (the seed article excepted: it is rendered
from ``/work/shared/fixtures/seed-article.txt``). Names, places and quotes are
fictional; the site is "The Harbour Ledger" of the equally fictional Port Alder.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED_ARTICLE_FILE = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "seed-article.txt"
SEED_SLUG = "baltics-in-new-nato-demand"


@dataclass
class Article:
    """One article page. Mutable on purpose: tests edit articles through ``FakeSite``."""

    slug: str
    title: str
    lede: str
    body: list[str]
    published: datetime
    authors: list[str] = field(default_factory=list)
    section: str = "News"
    tags: list[str] = field(default_factory=list)
    modified: datetime | None = None
    image: str | None = None
    language: str = "en"

    @property
    def updated(self) -> datetime:
        return self.modified or self.published

    @property
    def path(self) -> str:
        return f"/news/{self.slug}"

    def fingerprint(self) -> str:
        text = "\n".join([self.title, self.lede, *self.body, self.updated.isoformat(), *self.authors])
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def handwritten() -> list[Article]:
    """The site's regular articles, newest first."""
    return [
        Article(
            slug="harbour-bridge-reopens-after-repairs",
            title="Harbour Bridge reopens to traffic after eight months of repairs",
            lede="Commuters in Port Alder regain their fastest route across the estuary, "
            "two weeks ahead of schedule and slightly under budget.",
            body=[
                "The Harbour Bridge reopened to cars and buses at six o'clock on Monday morning, ending "
                "eight months of detours that added up to forty minutes to some journeys across the "
                "estuary.",
                "City engineers replaced 212 corroded deck plates and repainted the main span, work "
                'that had been postponed twice since 2019. "We found less rust under the west '
                'approach than the survey predicted, which is why we are early," said chief engineer '
                "Marta Oyelaran.",
                "The repairs cost 31.4 million, about 600,000 less than the approved budget. The "
                "council said the savings would go towards resurfacing the cycle lane, which stays "
                "closed until the end of the month.",
                "Ferry operators, who ran extra sailings during the closure, said they would return "
                "to the normal timetable from Friday.",
            ],
            published=_t("2024-05-13T05:40:00+01:00"),
            modified=_t("2024-05-13T09:12:00+01:00"),
            authors=["Jonah Reyes"],
            section="Local",
            tags=["transport", "infrastructure"],
            image="/static/img/bridge.jpg",
        ),
        Article(
            slug="council-approves-budget-for-new-library",
            title="Council approves budget for a new central library",
            lede="After a three-hour debate, councillors voted 23 to 18 to fund a library on the "
            "site of the old bus depot.",
            body=[
                "Port Alder will get its first new public library in half a century after the city "
                "council approved a 48 million budget on Thursday night.",
                "The building, designed by the local studio Grey Harrow Architects, will hold 180,000 "
                "books, a makerspace and a children's theatre. Construction is due to start next spring.",
                "Opposition councillors argued that the money would be better spent on the four "
                'existing branch libraries, two of which open only three days a week. "We are '
                'building a palace while the cottages fall down," said councillor Ruth Abernethy.',
                "The mayor, Daniel Okafor, said branch opening hours would be extended in the same "
                "budget and that the old depot site had been empty for eleven years.",
            ],
            published=_t("2024-05-10T22:05:00+01:00"),
            authors=["Priya Natarajan", "Tom Lindqvist"],
            section="Politics",
            tags=["council", "libraries", "budget"],
            image="/static/img/library.jpg",
        ),
        Article(
            slug="fishing-fleet-record-catch",
            title="Fishing fleet lands record mackerel catch as waters warm",
            lede="Skippers welcome the haul, but marine scientists warn that the shift in stocks "
            "may not last.",
            body=[
                "Port Alder's fishing fleet landed 4,300 tonnes of mackerel in April, the largest "
                "monthly catch since records began in 1962, according to figures from the harbour "
                "authority.",
                '"The shoals came in close this year. Some nights we were full before midnight," '
                "said skipper Aileen McCrae of the trawler Northern Wren.",
                "Dr. Sven Aaltonen of the Coastal Research Institute said warmer surface water had "
                'pushed mackerel north earlier than usual. "One good spring is not a trend, and the '
                'same warming is hurting cod and sand eels," he said.',
            ],
            published=_t("2024-05-09T14:30:00+01:00"),
            authors=["Aileen Brody"],
            section="Business",
            tags=["fishing", "environment"],
        ),
        Article(
            slug="alder-united-promoted",
            title="Alder United promoted after last-minute winner",
            lede="A stoppage-time header from 19-year-old Kofi Mensah sends the club up for the first "
            "time in 27 years.",
            body=[
                "Alder United will play in the second division next season after beating Carrow Town "
                "2-1 in front of a sell-out crowd at Quayside Park on Saturday.",
                "Carrow led at half-time through a penalty, but captain Leon Marsh equalised on the "
                "hour and Mensah rose at the far post in the 94th minute to send the home end into "
                "delirium.",
                '"I didn\'t see it go in. I just heard the noise," Mensah said afterwards. Manager '
                'Helen Cartwright called it "the best afternoon of my working life".',
                "The club said season-ticket sales for next year would open on June 1.",
            ],
            published=_t("2024-05-04T17:55:00+01:00"),
            modified=_t("2024-05-04T21:20:00+01:00"),
            authors=["Sam Whitfield"],
            section="Sport",
            tags=["football", "Alder United"],
            image="/static/img/quayside.jpg",
        ),
        Article(
            slug="storm-warning-coast",
            title="Amber storm warning issued for the coast",
            lede="Gusts of up to 80 mph are expected on Wednesday night; ferries may be cancelled.",
            body=[
                "The national weather service has issued an amber warning for wind covering the whole "
                "of the Alder coast from 6pm on Wednesday until noon on Thursday.",
                "Gusts of 70 to 80 mph are likely on exposed headlands, with large waves and a risk of "
                "flying debris. The harbour authority said ferry sailings after 4pm were likely to be "
                "cancelled.",
                "Residents are advised to secure garden furniture and bins, and to avoid the seafront "
                "promenade, which will be closed by the police from 5pm.",
            ],
            published=_t("2024-05-01T11:00:00+01:00"),
            authors=["Weather desk"],
            section="Weather",
            tags=["weather", "storm"],
        ),
        Article(
            slug="hospital-waiting-times-fall",
            title="Hospital waiting times fall for the third month running",
            lede="St Brigid's says more weekend clinics helped, but unions warn that staff are exhausted.",
            body=[
                "The median wait for a planned operation at St Brigid's Hospital fell to 14 weeks in "
                "April, down from 19 weeks in January, according to figures published on Tuesday.",
                "The hospital's chief executive, Dr. Nadia Farouk, credited Saturday clinics and a new "
                "day-surgery unit that opened in February.",
                "The nurses' union said the improvement relied on overtime that could not continue "
                'indefinitely. "The numbers are better because people are working sixty-hour weeks," '
                "said branch secretary Gareth Pryce.",
            ],
            published=_t("2024-04-30T08:15:00+01:00"),
            authors=["Priya Natarajan"],
            section="Health",
            tags=["health", "NHS", "hospital"],
        ),
        Article(
            slug="tech-startup-raises-funding",
            title="Port Alder start-up raises 12 million for tidal sensors",
            lede="TideLoom, founded in a university lab four years ago, will double its staff.",
            body=[
                "TideLoom, which makes sensors that measure tidal currents for offshore wind farms, "
                "has raised 12 million in a funding round led by the Nordic investor Fjordline Capital.",
                "The company's chief executive, Ines Carvalho, said the money would pay for a second "
                "production line and 40 new engineers in Port Alder.",
                '"We could have moved to the capital, but the sea is here," Carvalho said.',
            ],
            published=_t("2024-04-26T10:00:00+01:00"),
            authors=["Tom Lindqvist"],
            section="Business",
            tags=["technology", "start-ups", "energy"],
        ),
        Article(
            slug="school-wins-robotics-contest",
            title="Harbourside Academy pupils win national robotics contest",
            lede="Their underwater drone mapped a shipwreck faster than any other entry.",
            body=[
                "A team of five pupils from Harbourside Academy has won the national schools robotics "
                "championship with a remotely operated submarine built mostly from recycled parts.",
                "The drone, nicknamed Barnacle, mapped a sunken test wreck in 11 minutes, four minutes "
                "faster than the runner-up from Edgemoor.",
                "The team will represent the country at the international finals in Osaka in August.",
            ],
            published=_t("2024-04-22T16:45:00+01:00"),
            authors=["Lucy Adeyemi"],
            section="Education",
            tags=["schools", "robotics"],
        ),
        Article(
            slug="festival-lineup-announced",
            title="Quayside Festival announces its biggest line-up yet",
            lede="Forty acts over three days, and for the first time a stage on a moored ship.",
            body=[
                "The Quayside Festival returns on the last weekend of July with forty acts, including "
                "the folk trio Salt & Ember and the jazz pianist Odile Marchetti.",
                "Organisers said a converted cargo ship, the MV Halcyon, would host late-night sets "
                "for 400 people at a time.",
                "Day tickets go on sale on Friday at 9am; residents of Port Alder get a 20 per cent "
                "discount.",
            ],
            published=_t("2024-04-18T12:00:00+01:00"),
            authors=["Sam Whitfield"],
            section="Culture",
            tags=["music", "festival"],
        ),
        Article(
            slug="rail-fares-rise",
            title="Rail fares to rise by 4.9 per cent in September",
            lede="Passenger groups say the increase will push more commuters back into cars.",
            body=[
                "Regional rail fares will rise by an average of 4.9 per cent from September 1, the "
                "operator Coastline Rail announced on Monday.",
                "A season ticket between Port Alder and the capital will cost 5,880 a year, an increase "
                "of 275.",
                "The passenger group Rail Users Alder said punctuality on the line had fallen to 81 per "
                'cent last year. "People are being asked to pay more for a worse service," said its '
                "chair, Evelyn Stroud.",
            ],
            published=_t("2024-04-15T07:30:00+01:00"),
            authors=["Jonah Reyes"],
            section="Local",
            tags=["transport", "rail"],
        ),
    ]


def seed_article(path: Path = SEED_ARTICLE_FILE) -> Article:
    """The seed article, parsed from the shared text dump.

    Layout of the dump: a line of scraped UI-icon names, the date line
    (``13 Jan, 2022 19:23``), the title, the lede, the title again (an image
    caption in the original), then one paragraph per non-empty line.
    """
    lines = [line.strip() for line in path.read_text("utf-8").splitlines()]
    lines = [line for line in lines if line]
    title = lines[2]
    lede = lines[3]
    body = lines[5:] if lines[4] == title else lines[4:]
    return Article(
        slug=SEED_SLUG,
        title=title,
        lede=lede,
        body=body,
        published=datetime(2022, 1, 13, 19, 23, tzinfo=UTC),
        section="World",
        tags=["NATO", "Baltic states", "Russia"],
        image="/static/img/baltics.jpg",
    )


_WORDS = (
    "harbour",
    "council",
    "ferry",
    "market",
    "school",
    "river",
    "budget",
    "season",
    "storm",
    "museum",
    "tide",
    "lighthouse",
    "quay",
    "festival",
    "station",
    "bridge",
    "library",
    "hospital",
    "vote",
    "fleet",
    "garden",
    "tram",
    "port",
    "island",
)


def generated(n: int, *, start: datetime | None = None) -> list[Article]:
    """``n`` deterministic synthetic articles (``/news/gen-<i>``), for soak tests and benchmarks."""
    rng = random.Random(20240513)
    start = start or datetime(2024, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        topic = " ".join(rng.sample(_WORDS, 3))
        paragraphs = [
            " ".join(rng.choice(_WORDS) for _ in range(rng.randint(40, 90))).capitalize() + "."
            for _ in range(rng.randint(3, 7))
        ]
        out.append(
            Article(
                slug=f"gen-{i}",
                title=f"Report {i}: {topic}",
                lede=f"Synthetic article {i}.",
                body=paragraphs,
                published=start + timedelta(minutes=17 * i),
                authors=[f"Reporter {i % 13}"],
                section="Generated",
                tags=[topic.split()[0]],
            )
        )
    return out
