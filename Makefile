# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
ARGS ?=
STAMP := $(VENV)/.installed

.PHONY: run test install system-packages lint messages translations migrate bench load drill clean-db help

help:
	@echo "make run    install into .venv and start the app with demo data (http://127.0.0.1:$(PORT))"
	@echo "make test   install into .venv and run the whole test suite on PostgreSQL (ARGS=... for pytest)"
	@echo "make lint   ruff, mypy and makemigrations --check"
	@echo "make load   load test: 50 clients for 60 s on the public statistics and verification (about 3 min)"
	@echo "make drill  fault drill: Redis stopped and back, workers killed mid-task (PASS/FAIL lines, about 3 min)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the lock file changes; uv makes a clean install take seconds.
$(STAMP): requirements.lock $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	touch $(STAMP)

install: system-packages $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var --verbosity 0

# Fonts for PDFs, gettext for translations, chromium for browser tests: installed by a script
# in the repo so that a clean machine (and CI) gets the same as a developer's.
system-packages:
	@bash scripts/install-system-packages.sh

run: install
	$(BIN)/python scripts/devrun.py --port $(PORT)

test: install
	$(BIN)/python scripts/embedded_db.py exec -- $(BIN)/python -m pytest -n 2 $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy kpcs scripts bench --exclude '/tests/'
	$(BIN)/python scripts/embedded_db.py exec -- $(BIN)/python manage.py makemigrations --check --dry-run

# Refresh the message catalogues after changing interface strings.
messages: $(STAMP)
	$(BIN)/python manage.py makemessages --ignore=.venv --ignore=var --no-obsolete -l fr -l es -l ru -l zh_Hans -l ar

# Breaks Redis and kills workers on purpose, against a database and a redis-server of its own
# (scripts/fault_drill.py, docs/operations.md); ARGS="--only queue" or "--list".
drill: install
	$(BIN)/python scripts/embedded_db.py exec -- $(BIN)/python scripts/fault_drill.py $(ARGS)

bench: install
	$(BIN)/python scripts/embedded_db.py exec -- $(BIN)/python bench/run_all.py

# Load test (docs/performance.md): gunicorn on 127.0.0.1, 50 clients for 60 s against the public
# statistics pages and API and the verification API, and a bare view for comparison; about
# 3 minutes. Fails on any error. LOAD_SECONDS=20 for a shorter run.
load: install
	$(BIN)/python scripts/embedded_db.py exec -- $(BIN)/python bench/load_test.py
