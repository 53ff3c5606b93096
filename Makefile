# newswire: every target does its own set-up on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.installed
JARS_STAMP := $(VENV)/.kafka-jars

.PHONY: install test test-tools run bench lint clean broker

install: $(STAMP) $(JARS_STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@echo "installing Python dependencies into $(VENV) ..."
	@# pip's output goes to $(VENV)/pip.log and is shown only when it fails: its warnings about
	@# dependencies' extras are not the user's to act on.
	@for i in 1 2 3; do \
	  $(PIP) install -q --retries 10 --timeout 60 -e ".[dev,bench]" >$(VENV)/pip.log 2>&1 && break; \
	  tail -n 20 $(VENV)/pip.log >&2; \
	  if [ $$i = 3 ]; then echo "pip install failed 3 times: check access to PyPI" >&2; exit 1; fi; \
	  echo "pip install failed; retrying in $$((i*10))s" >&2; sleep $$((i*10)); \
	done
	@touch $(STAMP)

$(JARS_STAMP): $(STAMP)
	@echo "resolving Apache Kafka jars from Maven Central (cached in ~/.m2 and ~/.cache/newswire) ..."
	@$(PY) -m newswire.broker >/dev/null
	@touch $(JARS_STAMP)

# promtool and prometheus for the deploy tests; the script returns at once when they are there.
test-tools:
	@deploy/install-test-tools.sh

test: install test-tools
	$(VENV)/bin/pytest

# The local broker unless KAFKA_BOOTSTRAP_SERVERS names one; the demo site newswire.toml ingests.
run: install
	@if [ -z "$$KAFKA_BOOTSTRAP_SERVERS" ]; then \
	  exec $(VENV)/bin/newswire run --embedded-broker --demo-site; \
	else \
	  exec $(VENV)/bin/newswire run --demo-site; \
	fi

broker: install
	$(VENV)/bin/newswire broker --data-dir .newswire/kafka-data

bench: install
	$(PY) bench/run_all.py

lint: install
	$(VENV)/bin/ruff check service tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .newswire .pytest_cache .ruff_cache .mypy_cache
