# The README's two commands: `make demo` and `make test`. Each builds .venv itself.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Where `make demo` serves: `make demo PORT=8001` when 8000 is taken.
HOST ?= 127.0.0.1
PORT ?= 8000
# Reports a second the feed simulator sends while the demo runs; `make demo SIMULATE=0`: none.
SIMULATE ?= 0.2

.PHONY: demo test bench lint format venv

venv: $(STAMP)

# Reinstall only when the pinned sets change. The venv has the dev set (tests, lint); the image
# installs requirements.txt alone.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 / Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install -r requirements-dev.txt
	touch $(STAMP)

# The demo asks for DEBUG (the probe page, open API docs); anything else runs without it.
demo: export DJANGO_DEBUG ?= 1
demo: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_demo
	$(PY) manage.py setup_duty_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@$(PY) manage.py demo_banner --host $(HOST) --port $(PORT)
	$(PY) -m citydesk.demo_server --host $(HOST) --port $(PORT) --simulate $(SIMULATE)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py makemigrations --check --dry-run

# Embedded mode always; services mode too when DATABASE_URL and REDIS_URL are set (CI sets them).
test: lint
	env -u DATABASE_URL -u REDIS_URL -u CITYDESK_REQUIRE_SERVICES $(VENV)/bin/pytest $(PYTEST_ARGS)
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== services mode: $$(echo $$DATABASE_URL | sed 's/:[^:@/]*@/@/') =="; \
		$(VENV)/bin/pytest $(PYTEST_ARGS); \
	fi

bench: $(STAMP)
	$(PY) -m bench

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
