# One command each: `make serve` to read the site, `make test` to check everything.
# Each target sets up what it needs first (.venv, pinned Python packages, pinned npm
# assets) and skips that setup when the pinned files have not changed since.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Three workers on the 2-core machines: the browser walks wait on chromium and the
# notebook kernels on their subprocesses, so a third worker keeps both cores busy
# (measured on an AVX2 EPYC: 6 min 1 s with -n 2, 5 min 22 s with -n 3; on an AVX-512 EPYC,
# empty Inductor and C++ caches: 2 min 45 s with -n 3).
JOBS ?= 3
PORT ?= 8000
PYTEST_ARGS ?=

export NO_MKDOCS_2_WARNING := 1
# pip reads its constraints from here and from nowhere else: an explicit PIP_CONSTRAINT
# replaces a machine-wide `constraint` in pip.conf (some machines cap torch below the pin).
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
# Inductor's compiled kernels are cached on disk between runs (small demos, fast reruns).
export TORCHINDUCTOR_CACHE_DIR ?= $(CURDIR)/.cache/torchinductor

DOCS_STAMP := $(VENV)/.installed-docs
ALL_STAMP := $(VENV)/.installed-all
NODE_STAMP := node_modules/.installed
# Thebe (the 运行 buttons) is pinned in package.json "packedDependencies" and fetched with
# `npm pack` (sitekit/thebe.py); the build serves it from .cache/thebe/.
THEBE_STAMP := .cache/thebe/.installed
PLAYGROUND_PORT ?= 8888

.PHONY: serve build test test-versions test-isa graphs fix-zh browser outputs lock clean help thebe notebooks playground bench bench-gpu page-weight lighthouse diagrams

help:
	@echo "make serve    set up, then serve the site at http://127.0.0.1:$(PORT)"
	@echo "make test     set up, then run the whole test suite (snippets, build, browser)"
	@echo "make build    strict static build into site/"
	@echo "make outputs  re-run every snippet and rewrite the captured outputs that changed"
	@echo "               (TORCH=2.13.0: on another supported torch version, its differing outputs)"
	@echo "make test-versions  the snippet tests on the other supported torch versions (TORCH=... for one)"
	@echo "make test-isa  the snippet tests on the other CPU vector ISAs this CPU can stand in for"
	@echo "make fix-zh   apply the Chinese typography fixes the tests ask for (full-width punctuation, spacing)"
	@echo "make lock     regenerate constraints.txt from the current .venv"
	@echo "make notebooks  regenerate and execute the 实验场 notebooks (docs/playground/)"
	@echo "make playground serve the site plus a local Jupyter kernel for its 运行 buttons"
	@echo "make bench    time eager/TorchScript/torch.compile on CPU into bench/results/, redraw the page's plots"
	@echo "make bench-gpu  the same on a CUDA GPU (needs a CUDA build of torch)"
	@echo "make bench-build  CPU time of the strict build against a bare Material build (bench/build/)"
	@echo "make page-weight  bytes transferred and load time of every page (gzip, local server)"
	@echo "make diagrams     draw the mermaid diagrams into docs/assets/diagrams/ (after a diagram changes)"
	@echo "make graphs       redraw the graphs the snippets build (snippets.toml graphs), then make diagrams"
	@echo "make lighthouse   Lighthouse scores of every page on a phone into bench/lighthouse/ (RUNS=3 per page)"
	@echo "make offline      the site as a zip that works from disk and as a PDF, into dist/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The site's own package (sitekit/) is installed editable with the pins: the MkDocs plugin
# and the `python -m sitekit ...` commands come from it.
$(DOCS_STAMP): requirements-docs.txt constraints.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -r requirements-docs.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(ALL_STAMP): requirements.txt requirements-snippets.txt requirements-docs.txt constraints.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(DOCS_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(THEBE_STAMP): package.json | $(DOCS_STAMP)
	$(BIN)/python -m sitekit thebe
	touch $@

thebe: $(THEBE_STAMP)

serve: $(DOCS_STAMP) $(NODE_STAMP) $(THEBE_STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(PORT)

build: $(DOCS_STAMP) $(NODE_STAMP) $(THEBE_STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

# The browser the browser tests drive: found, or installed (sitekit/browser_setup.py: Debian's
# chromium + fonts-noto-cjk via apt as root/sudo, else `playwright install chromium`); no
# stamp, so a browser removed since the last run is noticed. `make test SKIP_BROWSER_TESTS=1`
# skips this and the browser tests on purpose; otherwise a missing browser fails the run.
browser: $(ALL_STAMP)
	$(BIN)/python -m sitekit.browser_setup

test: $(ALL_STAMP) $(NODE_STAMP) $(THEBE_STAMP) browser
	@set +e; $(BIN)/python -m pytest -n $(JOBS) --dist loadgroup $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest ran no tests: that is a failure"; exit 1; fi; exit $$rc

# A benchmark, not a test: prints one row per page; budget 1 MB for a page with diagrams.
page-weight: $(ALL_STAMP) $(NODE_STAMP) $(THEBE_STAMP)
	$(BIN)/python -m sitekit page-weight

# A benchmark, not a test: Lighthouse (package.json devDependencies, run with the system
# chromium) on every page, mobile form factor, simulated throttling; the medians of RUNS
# runs per page go to bench/lighthouse/results.md and results.json (sitekit/lighthouse.py).
RUNS ?= 3

# Every mermaid diagram drawn by mermaid in chromium, stored as SVG in docs/assets/diagrams/
# and put into the pages by the build (sitekit/diagrams.py): a phone runs no mermaid.
diagrams: $(ALL_STAMP) $(NODE_STAMP) browser
	$(BIN)/python -m sitekit diagrams

# The graphs the snippets build (snippets.toml `graphs`), turned into mermaid sources beside
# their outputs (sitekit/graphs.py); then `make diagrams` draws the ones that changed.
graphs: $(ALL_STAMP)
	$(BIN)/python -m sitekit graphs

lighthouse: $(ALL_STAMP) $(NODE_STAMP) $(THEBE_STAMP) browser
	$(BIN)/python -m sitekit lighthouse --runs $(RUNS)

# The site to keep (sitekit/offline.py): dist/<name>-offline.zip works opened from disk
# (file://: navigation, search, the drawn diagrams, copy buttons) and dist/<name>.pdf is the
# whole site printed by the chromium of the tests. A `make build` afterwards offers both on
# the 离线阅读 page; the docs workflow runs the two in that order.
.PHONY: offline
offline: $(ALL_STAMP) $(NODE_STAMP) $(THEBE_STAMP) browser
	$(BIN)/python -m sitekit offline

# `make outputs` captures on the primary torch (requirements.txt); `make outputs TORCH=2.13.0`
# on another supported version (snippets/versions.toml), in .venvs/torch-2.13.0/ (made on
# first use), writing only the outputs that differ from the primary ones.
outputs: $(ALL_STAMP)
	$(BIN)/python -m sitekit outputs --jobs $(JOBS) $(if $(TORCH),--torch $(TORCH))

# The snippet tests on each other supported CPU version (or TORCH=...), each in its own
# environment, compared with that version's stored outputs; then its snippets whose output
# depends on the CPU's vector ISA on each other stored ISA this CPU can stand in for.
test-versions: $(ALL_STAMP)
	@set -e; for v in $(or $(TORCH),$$($(BIN)/python -m sitekit.versions list --others --device cpu)); do \
	  py=$$($(BIN)/python -m sitekit.versions env $$v); \
	  echo "== snippet tests on torch $$v ($$py)"; \
	  SNIPPET_PYTHON=$$py $(BIN)/python -m pytest -n $(JOBS) -p no:cacheprovider tests/content/test_snippets.py $(PYTEST_ARGS); \
	  for cap in $$(SNIPPET_PYTHON=$$py $(BIN)/python -m sitekit.hardware stand-ins); do \
	    echo "== ISA-dependent snippet tests on torch $$v with ATEN_CPU_CAPABILITY=$$cap"; \
	    ATEN_CPU_CAPABILITY=$$cap SNIPPET_PYTHON=$$py $(BIN)/python -m pytest -n $(JOBS) -p no:cacheprovider -m isa tests/content/test_snippets.py $(PYTEST_ARGS); \
	  done; \
	done

# The CPU's vector ISA (sitekit/hardware.py): the snippets whose output depends on it, on
# each other stored ISA this CPU can stand in for (AVX2 on an AVX-512 machine), compared with
# that ISA's outputs; then every snippet with no vector ISA (ATEN_CPU_CAPABILITY=default, as
# on a CPU whose ISA has no stored output): all must run, the ISA-dependent outputs are not
# compared, every other output is.
test-isa: $(ALL_STAMP)
	@set -e; for cap in $$($(BIN)/python -m sitekit.hardware stand-ins); do \
	  echo "== ISA-dependent snippet tests with ATEN_CPU_CAPABILITY=$$cap"; \
	  ATEN_CPU_CAPABILITY=$$cap $(BIN)/python -m pytest -n $(JOBS) -p no:cacheprovider -m isa tests/content/test_snippets.py $(PYTEST_ARGS); \
	done; \
	echo "== every snippet with ATEN_CPU_CAPABILITY=default (no vector ISA)"; \
	ATEN_CPU_CAPABILITY=default $(BIN)/python -m pytest -n $(JOBS) -p no:cacheprovider tests/content/test_snippets.py $(PYTEST_ARGS)

# Chinese typography (sitekit/chinese.py + autocorrect, .autocorrectrc): what
# tests/content/test_chinese_text.py checks, applied to the files instead of reported.
fix-zh: $(DOCS_STAMP)
	$(BIN)/python -m sitekit.chinese --fix

notebooks: $(ALL_STAMP)
	$(BIN)/python -m sitekit notebooks

# The site at http://127.0.0.1:$(PORT) plus a Jupyter server for its 运行 buttons on
# 127.0.0.1:$(PLAYGROUND_PORT) (fresh token per run; open the link it prints).
playground: $(ALL_STAMP) $(NODE_STAMP) $(THEBE_STAMP)
	$(BIN)/python -m sitekit playground --site-port $(PORT) --port $(PLAYGROUND_PORT)

lock: $(ALL_STAMP)
	{ echo "# Full lock of transitive versions for requirements*.txt (generated by \`make lock\`; torch is pinned there)."; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -viE '^(torch|tensorflow|tensorflow[-_]cpu)=='; } > constraints.txt

# Benchmarks (docs/benchmarks.md): one JSON per run in bench/results/, then the page's
# tables (bench/report/) and plots (docs/assets/bench/) are regenerated from the newest ones.
bench: $(ALL_STAMP)
	$(BIN)/python -m bench.run --suite cpu
	$(BIN)/python bench/report.py

bench-gpu: $(ALL_STAMP)
	$(BIN)/python -m bench.run --suite cuda
	$(BIN)/python bench/report.py

# A benchmark, not a test: the CPU time of `make build`'s strict build against a bare Material
# build of the same chapter Markdown, paired, BUILD_ROUNDS rounds (bench/build_time.py); the
# medians go to bench/build/results.md and results.json. Target: the site within 1.5x.
BUILD_ROUNDS ?= 5
.PHONY: bench-build
bench-build: $(DOCS_STAMP) $(NODE_STAMP) $(THEBE_STAMP)
	$(BIN)/python -m bench.build_time --rounds $(BUILD_ROUNDS)

clean:
	rm -rf site dist .cache .pytest_cache docs/assets/vendor .venvs
