"""Pages in scripts written without spaces between words (Chinese, Japanese) and their annotations.

A white-space "word" of Japanese or Chinese is a clause or a whole sentence, and a sentence of
forty characters says what an English one of a hundred letters does: size and word tests tuned
on Latin pages must count such text in the same unit, or a Japanese article reads as a handful
of words beside a page of spaced menu labels, and its paragraphs as labels rather than prose.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from newswire.extract import extract_html
from newswire.extract._dates import find_datetime
from newswire.extract._explain import explain_path
from newswire.extract._text import word_count, words_in
from newswire.extract._walk import container_text

URL = "https://news.example.jp/articles/2026/market"
FETCHED = "2026-12-05T12:00:00+00:00"
HEADLINE = "港町の朝市、今年もにぎわう"
# Paragraphs as Japanese papers write them: a sentence or two, 40-50 characters each.
PARAGRAPHS = [
    "港町の市場は今年も早朝から多くの買い物客でにぎわい、漁師たちは朝どれの魚を次々と並べていた。",
    "市場の組合長は「天候に恵まれ、例年より水揚げが多い」と話し、価格も落ち着いているという。",
    "一方で、燃料費の高騰が続いており、漁に出る回数を減らす船も少なくないと関係者は懸念している。",
    "市は来月から燃料費の一部を補助する制度を始める予定で、申請の受け付けは市役所の窓口で行う。",
]
# The same text in paragraphs long enough to read as prose by any count.
LONG = [PARAGRAPHS[0] + PARAGRAPHS[1], PARAGRAPHS[2] + PARAGRAPHS[3]]
PROMO = (
    "この記事が役に立ったと思ったら、ぜひ友人や家族にもシェアして、港町の魅力を多くの人に伝えてください。"
    "会員登録をすると、最新の記事をメールでお届けします。"
)


def _page(paragraphs: list[str]) -> str:
    """A Japanese article under a long menu of spaced labels, with a share box after it."""
    menu = " ".join(f"<li><a href='/c{i}'>項目{i}</a></li>" for i in range(200))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='ja'><head><title>{HEADLINE}</title></head><body><nav><ul>{menu}</ul></nav>"
        f"<article><h1>{HEADLINE}</h1><div class='article-body'>{body}</div>"
        f"<div class='share-box'><p>{PROMO}</p></div></article><footer>著作権</footer></body></html>"
    )


def test_han_and_kana_count_as_words_and_spaced_scripts_as_before() -> None:
    assert words_in("The harbour board met on Monday.") == 6
    assert words_in("Совет гавани собрался в понедельник.") == 5
    assert words_in("항만 위원회가 월요일에 모였다.") == 4  # Hangul is written with spaces
    # One white-space word holding 43 characters of Han and kana (and two punctuation marks).
    assert words_in(PARAGRAPHS[0]) == 1 + 43 // 2
    assert word_count(PARAGRAPHS) == sum(map(words_in, PARAGRAPHS))


def test_a_japanese_article_is_weighed_against_the_page_in_words(tmp_path: Path) -> None:
    # Counted by white space, the two paragraphs are two words against the menu's 200 labels,
    # under 3% of the page: the body would be "unsure" and the fallbacks run on a sure article.
    page = tmp_path / "market.html"
    page.write_text(_page(LONG), encoding="utf-8")
    report = explain_path(page, URL)
    assert "unsure" not in report
    assert "trafilatura is not asked" in report


def test_short_japanese_paragraphs_are_prose() -> None:
    # Paragraphs of 40-50 characters are under the 80 letters a Latin paragraph needs to read as
    # prose; counted so, the article reads as labels and a second reading replaced it with one run
    # of text holding the headline and the share box.
    event = extract_html(_page(PARAGRAPHS).encode(), URL, fetched=FETCHED)
    assert event.extraction is not None and event.extraction.method == "container"
    assert event.body.split("\n\n") == PARAGRAPHS
    assert PROMO not in event.body


def test_a_reading_the_page_brackets_with_rp_stays_and_bare_furigana_go() -> None:
    bracketed = (
        "韓国の<ruby><rb>尹錫悦</rb><rp>（</rp><rt>ユンソンニョル</rt><rp>）</rp></ruby>"
        "大統領は３日夜、緊急談話を出した。"
    )
    bare = (
        "市の<ruby>担当者<rt>たんとうしゃ</rt></ruby>は、申請の受け付けを来月から"
        "市役所の窓口で始めると説明した。"
    )
    event = extract_html(_page([LONG[0], bracketed, bare, LONG[1]]).encode(), URL, fetched=FETCHED)
    assert "韓国の尹錫悦（ユンソンニョル）大統領は３日夜、緊急談話を出した。" in event.body
    assert "市の担当者は、申請の受け付けを来月から市役所の窓口で始めると説明した。" in event.body


def test_closing_japanese_paragraphs_end_sentences() -> None:
    # Short paragraphs ending in "。" at the article's end are sentences, not labels left under it.
    paragraphs = [LONG[0], PARAGRAPHS[2], PARAGRAPHS[3]]
    html = _page(paragraphs).replace(f"<div class='share-box'><p>{PROMO}</p></div>", "")
    body = extract_html(html.encode(), URL, fetched=FETCHED).body.split("\n\n")
    assert body == paragraphs


def test_a_gate_after_a_cut_off_japanese_article_ends_it() -> None:
    # A members-only box (a notice, two buttons, the offer's benefits, a footnote ending in "。")
    # after a truncated article whose paragraphs are short by Latin measure: the walk finds the
    # last paragraph of prose in them and ends the article at the gate.
    gate = (
        "<div class='m21'><p>この記事は会員限定です。登録すると続きを読めます。</p>"
        "<div><a class='b' href='/regist'>会員登録する</a></div>"
        "<div><a class='b' href='/login'>ログインして続きを読む</a></div>"
        "<dl><dt>登録すると</dt><dd>電子版が読める</dd><dd>記事が読み放題</dd></dl>"
        "<p>※紙の新聞とは、朝刊と夕刊のことです。</p></div>"
    )
    paragraphs = [PARAGRAPHS[0], PARAGRAPHS[1] + PARAGRAPHS[2][:30] + "..."]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    tree = LexborHTMLParser(f"<div class='article-body'>{body}{gate}<div><p>関連キーワード</p></div></div>")
    assert container_text(tree.css_first("div.article-body")) == paragraphs


def test_dates_written_with_year_month_and_day_characters_are_read() -> None:
    assert find_datetime("2012年12月10日") == datetime(2012, 12, 10, tzinfo=UTC)
    assert find_datetime("２０２５年１月１４日（火） ０１時２８分") == datetime(
        2025, 1, 14, 1, 28, tzinfo=UTC
    )
    assert find_datetime("2024년 5월 3일 오후 3시 20분") == datetime(2024, 5, 3, 15, 20, tzinfo=UTC)
    assert find_datetime("更新 2025年1月14日 午前9時05分") == datetime(2025, 1, 14, 9, 5, tzinfo=UTC)


def test_a_japanese_date_line_is_the_stamp_and_a_sentence_with_a_date_is_the_article() -> None:
    # The stamp under the headline dates the page and leaves the body; a sentence of the article
    # that holds a date (no capitals in Japanese to tell it by) stays.
    dated = "市は2025年4月1日から新しい補助制度を始める。"
    paragraphs = [*LONG, dated]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        f"<html lang='ja'><head><title>{HEADLINE}</title></head><body><article><h1>{HEADLINE}</h1>"
        f"<div class='article-body'><p>2025年1月14日 午前9時05分</p>{body}</div></article></body></html>"
    )
    event = extract_html(html.encode(), URL, fetched=FETCHED)
    assert event.published == "2025-01-14T09:05:00+00:00"
    assert event.body.split("\n\n") == paragraphs


# Thai, written without spaces between words: a space parts phrases. Made-up sentences about a
# harbour market, as a Thai paper writes them (several phrases per paragraph).
THAI = [
    "ตลาดริมท่าเรือเปิดตั้งแต่เช้ามืดและมีผู้คนมาจับจ่ายซื้อของเป็นจำนวนมาก "
    "ชาวประมงนำปลาสดที่จับได้ในคืนก่อนมาวางขายเรียงรายตลอดแนวท่าเรือ "
    "ประธานสหกรณ์กล่าวว่าปีนี้อากาศดีทำให้จับปลาได้มากกว่าทุกปีและราคาก็ไม่สูงจนเกินไป",
    "อย่างไรก็ตามราคาน้ำมันที่สูงขึ้นต่อเนื่องทำให้เรือหลายลำต้องลดจำนวนเที่ยวออกทะเลลง "
    "เทศบาลจึงเตรียมเปิดโครงการช่วยเหลือค่าน้ำมันบางส่วนตั้งแต่เดือนหน้าเป็นต้นไป "
    "ผู้ที่สนใจสามารถยื่นคำขอได้ที่สำนักงานเทศบาลในวันและเวลาราชการ",
]


def test_a_thai_article_is_weighed_against_the_page_in_words(tmp_path: Path) -> None:
    # By white space each paragraph is three words against the menu's 200 labels, under 3% of the
    # page: the size tests would read a sure article as a scrap of the page.
    assert words_in(THAI[0]) == 3 + len(THAI[0].replace(" ", "")) // 5
    html = _page(THAI).replace("lang='ja'", "lang='th'").replace(HEADLINE, "ตลาดริมท่าเรือคึกคัก")
    page = tmp_path / "thai.html"
    page.write_text(html, encoding="utf-8")
    found = re.search(r"container text: (\d+) words of the (\d+) the page shows", explain_path(page, URL))
    assert found is not None
    assert int(found[1]) >= 0.05 * int(found[2])


def test_closing_lines_ending_in_a_danda_or_an_arabic_question_mark_end_sentences() -> None:
    # Hindi ends a sentence with "।", Burmese with "။", Arabic asks with "؟": a short closing
    # paragraph so ended is the article's last sentence, not a label left under it.
    long = (
        "बंदरगाह बोर्ड ने गुरुवार को नए घाट को मंजूरी दे दी, जिस पर सदस्यों के बीच देर शाम तक बहस चली। "
        "मछुआरे दो साल से कह रहे थे कि पुराना घाट सर्दियों के तूफानों में असुरक्षित है और बड़ी नावों के लिए छोटा है। "
        "योजना की लागत चालीस करोड़ है और इसका खर्च बंदरगाह, क्षेत्र और राष्ट्रीय कोष मिलकर उठाएंगे।"
    )
    closing = ["काम वसंत में शुरू होगा।", "क्या यह समय पर पूरा होगा؟"]
    html = (
        "<html lang='hi'><head><title>नया घाट मंजूर</title></head><body><article><h1>नया घाट मंजूर</h1>"
        f"<div class='article-body'><p>{long}</p><p>{long}</p>"
        + "".join(f"<p>{line}</p>" for line in closing)
        + "</div></article></body></html>"
    )
    body = extract_html(html.encode(), URL, fetched=FETCHED).body.split("\n\n")
    assert body == [long, long, *closing]
