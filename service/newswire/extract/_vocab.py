"""Word lists for the heuristics (kept apart so the logic stays readable)."""

from __future__ import annotations

# class/id tokens of containers that are never article text (matched whole, after splitting on
# non-alphanumerics; prefixes such as "share"/"related" are matched in _body.py). "cta" is a
# call-to-action box: a sales pitch and a button inside or under the article. "disclaimer" is a
# legal, investment or affiliate notice the template adds, which reads as prose.
BOILERPLATE_TOKENS = """
tweet twitter instagram tiktok
ad ads adv advert advertisement adslot adunit anzeige nav navbar menu tags tag tagging keywords meta
date dateline time timestamp hidden print related share shares sharing social comments comment
caption credit credits copyright byline author authors authorbox breadcrumb breadcrumbs sidebar
footer newsletter promo promotion banner cookie cookies consent popup modal overlay toolbar widget
widgets sponsored outbrain taboola signup login subscribe subscription rating poll gallery
player video sronly sr visually recirculation recommendations recommended pagination pager
tooltip dropdown social-links teaserlist teasers lightbox bio contributor follow cta disclaimer
"""

# Elements that flow inside a paragraph ("-text" is selectolax's text node).
INLINE_TAGS = """
a abbr b bdi bdo br cite code data dfn em i kbd mark q rp rt ruby s samp small span strong sub sup
time u var wbr del ins font -text
"""

# Words of icon fonts, share bars and menus that scraped text dumps keep.
UI_WORDS = """
icon icons bicon share bookmark close menu search chevron up down left right play pause mute muted
download edit expand compress filter flag tag tags trash mail camera check sign in out fb tw vk yt
gp ins tg wt fm login logout subscribe print comment comments like follow next prev previous more
back home top toggle open full stepback stepfor swipe move music nomuted ok file v
"""

# class/id tokens (whole, or two adjacent ones joined: "sub-title") that name the standfirst under
# the headline, in the languages of the corpora: English, German, French, Spanish, Italian,
# Scandinavian, Czech and Slovak (perex), Polish (zajawka), Danish (manchet), Swedish (preamble).
STANDFIRST_TOKENS = """
standfirst intro lead lede dek deck subtitle subheadline subhead subline summary excerpt ingress
ingres epigraph abstract chapeau chapo entradilla bajada sumario sottotitolo vorspann anriss
description desc strapline strap perex zajawka manchet preamble sommario
"""

# Tokens that make a block so named something else: a caption, an author's profile, a card.
NOT_STANDFIRST_TOKENS = """
image img photo picture caption figure media video gallery credit author autor autore auteur bio
byline profile meta card item list teaser related promo newsletter share tag tags
"""

# Tokens of a site's masthead: its tagline is not a story's standfirst.
SITE_TOKENS = """
site blog branding masthead tagline slogan logo
"""
