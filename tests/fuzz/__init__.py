"""A counted fuzz run over everything newswire parses from outside: ``python -m tests.fuzz --examples N``.

The property tests in ``tests/property`` check the contract a few hundred times
per run; this runs it tens of thousands of times and reports counts, with the
limits a daemon lives under:

* inputs are real pages of the shared corpus, the fixture feeds and sitemaps,
  the fake site's renders and real events, mutated by a seeded random mutator
  (``mutate.py``), plus hostile documents (``seeds.py``): billion laughs and
  external entities in several encodings, gzip bombs, deep nesting;
* each input goes through the entry point a daemon calls (``targets.py``);
* every worker process runs under ``RLIMIT_AS`` and every input under a time
  limit (``runner.py``); a crash is any exception other than the documented
  error types of that entry point, a worker that dies, or a MemoryError.
"""
