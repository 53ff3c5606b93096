"""A seeded mutator: the same (run seed, kind, index) always gives the same input.

Byte-level operations (cut, insert, flip, truncate, duplicate, splice, amplify)
catch parsers that trust offsets and lengths; the markup snippets steer
mutations into the interesting places of XML and HTML (entity declarations,
CDATA, encodings, nesting); for JSON kinds the document is first mutated as a
value (wrong types, missing keys, huge and deep values) so decoders get past
their first line.
"""

from __future__ import annotations

import gzip
import json
import random
from typing import Any

import orjson

MAX_INPUT_BYTES = 8 * 1024 * 1024

SNIPPETS = [
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b"&lol;",
    b"]]>",
    b"<![CDATA[",
    b"<!DOCTYPE x>",
    b'<!DOCTYPE x [<!ENTITY e "ee">]>',
    b'<!ENTITY % p SYSTEM "file:///etc/passwd">',
    b"<?xml-stylesheet?>",
    b'<?xml version="1.0" encoding="UTF-16"?>',
    b'<?xml version="1.0" encoding="bogus"?>',
    b"\x00",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b"\\u0000",
    b"<link>",
    b"</item>",
    b"<loc>",
    b"</loc>",
    b"<url>",
    b"<item>",
    b"<entry>",
    b"http://",
    b"javascript:",
    b"file:///etc/passwd",
    b"%",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\x1f\x8b",
    b"<?xml",
    b"--",
    b"<!--",
    b"-->",
    b"<script>",
    b"</script>",
    b'<meta charset="utf-7">',
    b'<meta http-equiv="content-type" content="text/html; charset=shift_jis">',
    b'<script type="application/ld+json">',
    b"<p>",
    b"</p>",
    b"<article>",
    b"<time datetime=",
    b"\r\n",
    b"\n\n",
    b"\t",
    b"\\u2028".decode("unicode_escape").encode(),
    b"9" * 40,
    b"-1",
    b"1e999",
    b"NaN",
]

JSON_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    -(2**63) - 1,
    1.5,
    1e308,
    "",
    "x" * 10_000,
    "\u0000",
    "not-a-date",
    "2024-13-45T99:99:99+25:00",
    "javascript:alert(1)",
    [],
    {},
    [None],
    {"": None},
    [[[[[]]]]],
]


def _json_mutate(rng: random.Random, value: Any, depth: int = 0) -> Any:
    """Replace, drop or add one thing somewhere in a JSON value."""
    if isinstance(value, dict) and value and depth < 6 and rng.random() < 0.7:
        key = rng.choice(list(value))
        action = rng.random()
        out = dict(value)
        if action < 0.15:
            del out[key]
        elif action < 0.25:
            out[rng.choice(["extra", "", "\u0000", key + "_"])] = rng.choice(JSON_VALUES)
        else:
            out[key] = _json_mutate(rng, value[key], depth + 1)
        return out
    if isinstance(value, list) and value and depth < 6 and rng.random() < 0.7:
        out_list = list(value)
        i = rng.randrange(len(out_list))
        out_list[i] = _json_mutate(rng, out_list[i], depth + 1)
        if rng.random() < 0.1:
            out_list *= rng.randint(2, 200)
        return out_list
    return rng.choice(JSON_VALUES)


def _bytes_mutate(rng: random.Random, data: bytearray, others: list[bytes]) -> bytearray:
    for _ in range(rng.choice([1, 1, 2, 3, 5, 8, 16])):
        if not data:
            data += rng.randbytes(rng.randint(0, 64))
            continue
        where = rng.randrange(len(data))
        op = rng.random()
        if op < 0.2:
            del data[where : where + rng.choice([1, 4, 40, 400, 4000])]
        elif op < 0.45:
            snippet = rng.choice(SNIPPETS) if rng.random() < 0.8 else rng.randbytes(rng.randint(1, 16))
            data[where:where] = snippet
        elif op < 0.6:
            data[where] ^= rng.randint(1, 255)
        elif op < 0.65:
            del data[where:]
        elif op < 0.8:
            data[where:where] = data[where : where + rng.choice([8, 64, 512, 4096])]
        elif op < 0.9 and others:
            other = rng.choice(others)
            if other:
                start = rng.randrange(len(other))
                data[where:where] = other[start : start + rng.randint(1, 2000)]
        else:  # amplify one chunk: long lines, many elements, deep nesting
            chunk = bytes(data[where : where + rng.choice([1, 8, 32])])
            data[where:where] = chunk * rng.choice([100, 1000, 10_000])
        if len(data) > MAX_INPUT_BYTES:
            del data[MAX_INPUT_BYTES:]
    return data


def _dumps(doc: Any) -> bytes:
    try:
        return orjson.dumps(doc)
    except TypeError:  # integers beyond 64 bits: the standard library writes them
        return json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")


def mutate(rng: random.Random, seed: bytes, others: list[bytes], *, json_kind: bool = False) -> bytes:
    """One mutated input from ``seed`` (``others`` feed the splice operation)."""
    if json_kind and rng.random() < 0.7:
        try:
            doc = orjson.loads(seed)
        except orjson.JSONDecodeError:
            pass
        else:
            for _ in range(rng.choice([1, 1, 2, 4])):
                doc = _json_mutate(rng, doc)
            seed = _dumps(doc)
            if rng.random() < 0.05:  # nesting deeper than decoders recurse
                depth = rng.choice([300, 3000, 100_000])
                seed = b"[" * depth + seed + b"]" * depth
            if rng.random() < 0.6:
                return seed
    data = _bytes_mutate(rng, bytearray(seed), others)
    if rng.random() < 0.05:  # servers gzip sitemaps (and sometimes everything)
        return gzip.compress(bytes(data), mtime=0)
    return bytes(data)
