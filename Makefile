# pyredis: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
PORT ?= 6379
ARGS ?=

.PHONY: run test test-fast lint bench commands check-commands install

run:
	$(PYTHON) -m pyredis --port $(PORT) $(ARGS)

install:
	$(PYTHON) -m pip install -e '.[test]'

test:
	$(PYTHON) -m pytest -q -p no:cacheprovider tests

test-fast:
	$(PYTHON) -m pytest -q -x -p no:cacheprovider tests/unit

lint:
	$(PYTHON) -m ruff check pyredis tests utils

# Regenerate the command table from Redis 7.0.15's JSON specs.
commands:
	$(PYTHON) utils/generate_commands.py

check-commands:
	$(PYTHON) utils/generate_commands.py --check

# redis-benchmark against pyredis and, where installed, a real redis-server.
bench:
	$(PYTHON) utils/bench.py
