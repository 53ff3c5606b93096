"""A made-up news story for the extractor's unit tests: a URL and sentences long enough to count as prose."""

from __future__ import annotations

URL = "https://news.example/2026/12/04/harbour-plan"
SENTENCES = [
    "The harbour board approved the new quay on Thursday after a vote that ran late into the"
    " evening and split the members.",
    "Fishermen had argued for two years that the old quay was unsafe in winter storms and too"
    " short for the larger boats.",
    "The plan costs forty million and will be paid for by the port, the region and a loan from"
    " the national infrastructure fund.",
    "Work starts in the spring and the first berths should open before the summer season of"
    " the following year, officials said.",
    "Residents near the waterfront asked for limits on night work, and the board agreed to"
    " stop the pile driving after eight.",
    "An appeal is still possible, but the board's lawyers said they expected the decision to"
    " hold in court if it came to that.",
]
