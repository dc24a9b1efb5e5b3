# `make run` and `make test` work on a fresh machine with only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test mongod-stop clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Without MONGODB_URI a local mongod keeps its data under instance/mongodb across restarts.
# A Celery worker (with beat) runs beside the app and stops with it; scripts/supervise.py starts
# it again whenever it exits (a worker that died would leave the visits uncounted).
run: install
	@mkdir -p instance
	@set -e; \
	if [ -z "$$MONGODB_URI" ]; then \
	  MONGODB_URI="$$($(BIN)/python scripts/local_mongod.py start --dbpath instance/mongodb)"; \
	fi; \
	export MONGODB_URI; \
	echo "MongoDB: $$MONGODB_URI"; \
	demo="$$($(FLASK) seed-demo)"; echo "$$demo"; \
	$(BIN)/python scripts/supervise.py -- $(BIN)/celery -A celery_worker worker --beat \
	  --pool=solo --loglevel=warning \
	  --schedule instance/celerybeat-schedule > instance/celery.log 2>&1 & \
	worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Celery worker and beat: pid $$worker, log instance/celery.log"; \
	echo "Vitrine is running at http://$(HOST):$(PORT)  (API docs: http://$(HOST):$(PORT)/api/v1/docs)"; \
	echo "Sign in at http://$(HOST):$(PORT)/signin with the $$(echo "$$demo" | grep '^demo account:')"; \
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

mongod-stop:
	@$(BIN)/python scripts/local_mongod.py stop --dbpath instance/mongodb

clean: mongod-stop
	rm -rf $(VENV) instance
