# Tournages: `make run` serves the app, `make test` runs the whole suite. Both set up what is
# missing first (system packages, Python environment, database, migrations, reference data),
# and both can be run again at any time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup system python translations messages database demo bench lint format stop

run: setup database demo
	$(BIN)/tournages run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

setup: system python translations

system:
	@bash scripts/install-system-deps.sh

python: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

translations: $(STAMP)
	@$(BIN)/pybabel compile -f -d core/translations > /dev/null

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output --project Tournages \
		--ignore-dirs='.venv var node_modules tests' -o core/translations/messages.pot .
	$(BIN)/pybabel update -w 100 --no-fuzzy-matching -i core/translations/messages.pot -d core/translations

database: setup
	$(BIN)/tournages db upgrade
	$(BIN)/tournages communes load data/communes/wallonia_communes.geojson

demo: database
	$(BIN)/tournages demo load

bench: setup
	$(BIN)/python -m bench $(BENCH)

lint: system $(STAMP)  # system: a fresh machine needs python3-venv before the venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

stop: $(STAMP)
	$(BIN)/tournages db stop
	$(BIN)/tournages redis stop
