# Set-up, main job and tests. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
export CCN_HOME ?= $(CURDIR)/data
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie poppler-utils fonts-dejavu-core postgresql chromium \
	libreoffice-writer-nogui fonts-liberation2

.PHONY: setup apt run test test-fast lint bench clean

setup: apt $(VENV)/.installed

# Debian packages the project uses (OCR of scanned PDFs, fonts for test images), installed when
# missing and we are root; otherwise a note says what to install.
apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "apt-get install$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Thiếu gói Debian:$$missing (cần quyền root để cài)"; fi; \
	fi

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "cần $(PYTHON)"; exit 1; }
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

# `ccn run` (api/first_run.py): a busy port fails at once; an empty store gets the default
# corpus's core set (the ccn corpus), a lexical index, and is served within minutes on http://$(HOST):$(PORT)/;
# the rest of `ccn ingest`'s default set (letters, wide, notices, the catalogue of cited documents), the vectors and the query student follow in the
# background (progress lines, /health, a banner in the UI). Ctrl-C stops.
PORT ?= 8000
HOST ?= 127.0.0.1
run: setup
	$(BIN)/ccn run --host $(HOST) --port $(PORT)

# Both tiers run on two workers (pytest-xdist): each test file whole on one worker (its module
# fixtures built once), the files sharing the wide archive and the hỏi đáp catalogue together
# (tests/conftest.py, SESSION_GROUPS); the embedded search home is built by one worker, the
# other waits for it.
test: setup
	$(BIN)/pytest -q -ra -n 2 --dist loadgroup

# The fast tier (≤ 2 min): unit and API tests on real documents (four of them searched with the
# stand-in embedder CCN_EMBEDDER=hash), without the embedded corpus, the wide archive, the hỏi
# đáp catalogue, Chromium, PostgreSQL or slow tests (markers set in tests/conftest.py; `-m ui`
# etc. picks a tier). 1 min 42 s on two workers (2 min 34 s serial) on the idle 2-core machine.
test-fast: setup
	$(BIN)/pytest -q -ra -m "not heavy" -n 2 --dist loadgroup

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python bench/ingest_bench.py
	$(BIN)/python bench/search_bench.py
	$(BIN)/python bench/register_bench.py
	$(BIN)/ccn ingest --if-empty && $(BIN)/ccn index && $(BIN)/python bench/api_bench.py

clean:
	rm -rf $(VENV) data
