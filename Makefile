# agora — the two commands of the README, and a few more.
# SPDX-License-Identifier: EUPL-1.2

DEMO_PBF  := data/demo/monaco.osm.pbf
DEMO_DB   := out/demo.db
DEMO_OUT  := out/report
DEMO_ANSWERS := data/demo/place-darmes-assessment.json
RELEASE   := build/release/agora
DEMO_LISTEN ?= 127.0.0.1:8080
DEMO_PASSWORD := agora-demo-2026
FUZZ_SECONDS ?= 20
# Debian's interpreter, where scripts/setup installs python3-pytest: a python3
# earlier on PATH (pyenv, a virtualenv) may lack it.
PYTHON    ?= /usr/bin/python3
export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1

.PHONY: all demo test setup build debug optimized unit cli api browser fuzz bench clean

all: build

setup:
	@AGORA_SETUP_QUIET=1 ./scripts/setup

build: setup
	@./scripts/npm-install
	@cmake --preset release >/dev/null
	@cmake --build --preset release

debug: setup
	@./scripts/npm-install
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug

optimized: setup
	@cmake --preset optimized >/dev/null
	@cmake --build --preset optimized

# Import the demo city into a fresh database, analyse every space for
# hostile-vehicle approaches, and write the report.
demo: build
	@mkdir -p out $(DEMO_OUT)
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	@$(RELEASE) import $(DEMO_PBF) --db $(DEMO_DB) --city Monaco
	@$(RELEASE) vehicle --all --db $(DEMO_DB) > out/vehicle.txt
	@echo "Vehicle approach analysis of every space: out/vehicle.txt"
	@$(RELEASE) assess new way/4227203 --db $(DEMO_DB) --assessor "Demo assessor" > /dev/null
	@$(RELEASE) assess answer 1 --file $(DEMO_ANSWERS) --db $(DEMO_DB) --who demo > /dev/null
	@for lang in en fr de it nl; do \
	    $(RELEASE) report way/4227203 --db $(DEMO_DB) --lang $$lang --format pdf \
	        --budget 250000 --out $(DEMO_OUT)/place-darmes-$$lang.pdf > /dev/null || exit 1; \
	done
	@$(RELEASE) report way/4227203 --db $(DEMO_DB) --budget 250000 \
	    --out $(DEMO_OUT)/place-darmes-en.html > /dev/null
	@echo "Worked assessment of Place d'Armes (risk per scenario): agora assess score 1 --db $(DEMO_DB)"
	@$(RELEASE) report --db $(DEMO_DB) --out $(DEMO_OUT)
	@echo
	@echo "Open $(CURDIR)/$(DEMO_OUT)/index.html in a browser; the assessment report of"
	@echo "Place d'Armes is $(DEMO_OUT)/place-darmes-LANG.pdf (LANG: en fr de it nl)."
	@printf '%s\n' '$(DEMO_PASSWORD)' > out/demo-password
	@$(RELEASE) user add demo --display-name "Demo coordinator" --organisation "City of Monaco" \
	    --password-file out/demo-password --db $(DEMO_DB) > /dev/null
	@$(RELEASE) city grant Monaco demo --role coordinator --db $(DEMO_DB) > /dev/null
	@echo
	@echo "The web application: sign in at http://$(DEMO_LISTEN)/ as demo, password $(DEMO_PASSWORD)"
	@echo "(Ctrl-C stops the server; make demo DEMO_LISTEN=127.0.0.1:9090 for another port)"
	@$(RELEASE) serve --db $(DEMO_DB) --listen $(DEMO_LISTEN)

# Every test: unit tests (cmocka, ctest), end-to-end tests of the command
# (pytest), all under AddressSanitizer and UndefinedBehaviorSanitizer; the
# unit tests once more on an optimised build (optimiser-dependent bugs hide
# at -O0); then a bounded fuzzing run of every fuzz target.
test: debug optimized
	@ctest --preset debug -j2
	@ctest --preset optimized -j2
	@AGORA=$(CURDIR)/build/debug/agora $(PYTHON) -m pytest -q tests/cli tests/api
	@AGORA=$(CURDIR)/build/debug/agora ./tests/browser/run
	@FUZZ_SECONDS=$(FUZZ_SECONDS) ./fuzz/run.sh

unit: debug
	@ctest --preset debug -j2

cli: debug
	@AGORA=$(CURDIR)/build/debug/agora $(PYTHON) -m pytest -q tests/cli tests/api

api: debug
	@AGORA=$(CURDIR)/build/debug/agora $(PYTHON) -m pytest -q tests/api

browser: debug
	@AGORA=$(CURDIR)/build/debug/agora ./tests/browser/run

fuzz: setup
	@FUZZ_SECONDS=$(FUZZ_SECONDS) ./fuzz/run.sh

bench: build
	@./bench/import
	@./bench/vehicle
	@./bench/incidents/run
	@./bench/crowd/run
	@./bench/web/run

clean:
	rm -rf build out
