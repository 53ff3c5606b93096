"""Any body edit gives a script that rebuilds the new body from the old one, paragraph by paragraph."""

from __future__ import annotations

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.revisions import paragraph_digests, paragraph_edits, paragraphs
from tests.unit.test_revisions import apply

paragraph = st.sampled_from(["Alpha.", "Beta.", "Gamma.", "Delta.", ""]) | st.text(min_size=1, max_size=30)
bodies = st.lists(paragraph, max_size=12).map("\n\n".join)


@settings(max_examples=300, deadline=None)
@given(old=bodies, new=bodies)
def test_edit_script_rebuilds_the_new_body(old: str, new: str) -> None:
    raw = base64.b64decode(paragraph_digests(old))
    digests = [raw[i : i + 8] for i in range(0, len(raw), 8)]
    edits = paragraph_edits(digests, paragraphs(new))
    assert apply(paragraphs(old), edits) == paragraphs(new)
    assert [e.old_start for e in edits] == sorted(e.old_start for e in edits)
    for edit in edits:
        assert edit.text == paragraphs(new)[edit.new_start : edit.new_start + len(edit.text)]
        assert (edit.op == "insert") == (edit.old_count == 0)
        assert (edit.op == "delete") == (not edit.text)
