# pyredis: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
PORT ?= 6379
ARGS ?=

.PHONY: run test test-fast lint bench bench-cron bench-floor commands check-commands install

run:
	$(PYTHON) -m pyredis --port $(PORT) $(ARGS)

install:
	$(PYTHON) -m pip install -e '.[test]'

test:
	$(PYTHON) -m pytest -q -rs -p no:cacheprovider tests

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

# The ceiling: the least a CPython RESP server can do, beside pyredis and Redis.
bench-floor:
	$(PYTHON) utils/bench_floor.py

# The housekeeping's cost: hz 10 vs hz 100, and the expire cycle with 1M keys.
bench-cron:
	$(PYTHON) utils/bench.py cron

# Look inside: flame graphs beside real Redis 7.0.15's, and the docs site.
.PHONY: flamegraph docs docs-serve
# The seed article's load is 1,000,000 SETs from one redis-py client (several
# minutes under py-spy on a small machine); FLAME_N=50000 gives a quick one.
# FLAME_LOAD=pipelined|unpipelined runs redis-benchmark instead.
FLAME_N ?= 1000000
FLAME_LOAD ?= seed
FLAME_RATE ?= 100

flamegraph:
	$(PYTHON) -m pyredis.tools.record --load $(FLAME_LOAD) -n $(FLAME_N) --rate $(FLAME_RATE) -o build

docs:
	$(PYTHON) -m mkdocs build --strict --site-dir build/site

docs-serve:
	$(PYTHON) -m mkdocs serve --dev-addr 127.0.0.1:8000
