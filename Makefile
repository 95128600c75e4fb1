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

# Everything shipped (corpus/default.yaml: ccn, letters, wide, notices) is ingested when the store
# is empty, and the catalogue of cited documents (hỏi đáp pages) built or found unchanged; the
# index is brought up to date (a no-op when nothing changed); then the HTTP API and web UI on
# http://127.0.0.1:8000/ (Ctrl-C stops).
run: setup
	$(BIN)/ccn ingest --if-empty
	$(BIN)/ccn index
	$(BIN)/ccn serve --host 127.0.0.1 --port 8000

test: setup
	$(BIN)/pytest -q -ra

# The fast tier: unit and API tests on real documents, without the embedded corpus, the wide
# archive, Chromium or PostgreSQL (markers set in tests/conftest.py; `-m ui` etc. picks a tier).
test-fast: setup
	$(BIN)/pytest -q -ra -m "not heavy"

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python bench/ingest_bench.py
	$(BIN)/python bench/search_bench.py
	$(BIN)/python bench/register_bench.py
	$(BIN)/ccn ingest --if-empty && $(BIN)/ccn index && $(BIN)/python bench/api_bench.py

clean:
	rm -rf $(VENV) data
