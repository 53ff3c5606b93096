# newswire: every target does its own set-up on a fresh machine.
SHELL := /bin/bash
comma := ,
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
JARS_STAMP := $(VENV)/.kafka-jars

.PHONY: install test test-tools run bench lint clean broker

install: $(STAMP) $(JARS_STAMP)

# pip_install SPEC: install SPEC (editable) into the venv, retrying; pip's output goes to
# $(VENV)/pip.log and is shown only when it fails (its warnings about dependencies' extras are
# not the user's to act on).
define pip_install
	@test -x $(PY) || python3 -m venv $(VENV)
	@for i in 1 2 3; do \
	  $(PIP) install -q --retries 10 --timeout 60 -e "$(1)" >$(VENV)/pip.log 2>&1 && break; \
	  tail -n 20 $(VENV)/pip.log >&2; \
	  if [ $$i = 3 ]; then echo "pip install failed 3 times: check access to PyPI" >&2; exit 1; fi; \
	  echo "pip install failed; retrying in $$((i*10))s" >&2; sleep $$((i*10)); \
	done
endef

# What `make run` needs: the package and its dependencies, no test or benchmark tools, so a
# fresh clone's first run starts sooner (about 35 s instead of 75 s of pip on a 2-core VM).
$(RUN_STAMP): pyproject.toml
	@echo "installing newswire and its dependencies into $(VENV) ..."
	$(call pip_install,.)
	@touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP) pyproject.toml
	@echo "installing the test and benchmark tools into $(VENV) ..."
	$(call pip_install,.[dev$(comma)bench])
	@touch $(STAMP)

$(JARS_STAMP): $(RUN_STAMP)
	@echo "resolving Apache Kafka jars from Maven Central (cached in ~/.m2 and ~/.cache/newswire) ..."
	@$(PY) -m newswire.broker >/dev/null
	@touch $(JARS_STAMP)

# promtool and prometheus for the deploy tests; the script returns at once when they are there.
test-tools:
	@deploy/install-test-tools.sh

test: install test-tools
	$(VENV)/bin/pytest

# The local broker unless KAFKA_BOOTSTRAP_SERVERS names one; the demo site newswire.toml ingests.
run: $(RUN_STAMP) $(JARS_STAMP)
	@if [ -z "$$KAFKA_BOOTSTRAP_SERVERS" ]; then \
	  exec $(VENV)/bin/newswire run --embedded-broker --demo-site; \
	else \
	  exec $(VENV)/bin/newswire run --demo-site; \
	fi

broker: $(RUN_STAMP) $(JARS_STAMP)
	$(VENV)/bin/newswire broker --data-dir .newswire/kafka-data

bench: install
	$(PY) bench/run_all.py

lint: install
	$(VENV)/bin/ruff check service tests bench
	$(VENV)/bin/ruff format --check service tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .newswire .pytest_cache .ruff_cache .mypy_cache
