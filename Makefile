# Two commands: `make build` (the main job on the embedded DuckDB default) and `make test`.
# Both create .venv from requirements.lock when it is missing.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# build: one target; test: a space-separated list (all three unless TARGET is given)
TARGET ?=
BUILD_TARGET := $(if $(TARGET),$(TARGET),duckdb)
TEST_TARGETS := $(if $(TARGET),$(TARGET),duckdb postgres spark)
RAW_DIR ?=
AS_OF_DATE ?=
CUSTOMERS ?=

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: build test lint bench venv postgres-binaries postgres-start postgres-stop demo clean

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# PostgreSQL server binaries from the distribution's packages, installed when missing.
postgres-binaries:
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
		{ echo "installing PostgreSQL server packages"; \
		  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
		  $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

postgres-start: venv postgres-binaries
	$(BIN)/segwh postgres start

postgres-stop: venv
	$(BIN)/segwh postgres stop

build: venv $(if $(filter postgres,$(BUILD_TARGET)),$(if $(SEGWH_PG_HOST),,postgres-start))
	$(BIN)/segwh build --target $(BUILD_TARGET) \
		$(if $(RAW_DIR),--raw-dir $(RAW_DIR)) \
		$(if $(AS_OF_DATE),--as-of-date $(AS_OF_DATE)) \
		$(if $(CUSTOMERS),--customers $(CUSTOMERS))

lint: venv
	$(BIN)/segwh contract
	$(BIN)/segwh segments
	@mkdir -p data
	DUCKDB_PATH=$(CURDIR)/data/lint.duckdb SEGWH_ERASURE_SALT=lint-only-not-a-secret $(BIN)/sqlfluff lint models tests analyses

test: venv $(if $(filter postgres,$(TEST_TARGETS)),postgres-binaries) lint
	$(BIN)/python -m pytest tests/python --targets "$(TEST_TARGETS)"

# BENCH_TEST_TIMES=0 skips timing `make test` on each target
BENCH_TEST_TIMES ?= 1
bench: venv
	$(BIN)/segwh bench --customers $(if $(CUSTOMERS),$(CUSTOMERS),100000) $(if $(filter 1,$(BENCH_TEST_TIMES)),--test-times)

clean:
	rm -rf target logs data/warehouse.duckdb data/warehouse.duckdb.tmp data/spark
