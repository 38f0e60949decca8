# The two commands: `make lab` and `make test`. Both create .venv when missing and are idempotent.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 8888
STAMP_LAB  = $(VENV)/.installed-lab
STAMP_TEST = $(VENV)/.installed-test

.PHONY: lab test bench dashboard clean help

help:
	@echo "make lab    - install (.venv) and open JupyterLab on the lesson index notebooks/index.md (127.0.0.1:$(PORT))"
	@echo "make test   - install test extras (.venv) and run the whole suite, notebooks included"
	@echo "make bench  - run the benchmarks and print tables (not part of make test)"
	@echo "make dashboard - the dashboard app (Voila) on 127.0.0.1:$(DASHBOARD_PORT): bundled data or your export, every analysis, the report"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_LAB): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	touch $@

# lifelines pins pandas<3 in its metadata but runs on pandas 3: install it without the pin (see pyproject).
LIFELINES = lifelines==0.30.3

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m pip install --quiet --no-deps "$(LIFELINES)"
	touch $@

# JupyterLab refuses to start as root unless told; only pass the flag when we really are root (containers, CI).
ROOT_FLAG = $(if $(filter 0,$(shell id -u)),--allow-root,)

# numba compiles the kernels once after install (~40 s, with a progress bar) and caches them on disk; afterwards
# this only checks the cache (under a second), so every fresh kernel, CLI run or dashboard starts in seconds.
WARMUP = $(BIN)/python -m toolkit warmup

# JupyterLab opens on notebooks/index.md, the lesson index linking both editions (English notebooks/NN-*.ipynb,
# Chinese notebooks/zh/NN-*.ipynb), rendered: this venv's Lab shows Markdown files as a preview (a settings override
# inside .venv only; the user's own Lab settings are untouched).
LAB_OVERRIDES = $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_OVERRIDES): | $(STAMP_LAB)
	@mkdir -p $(dir $@)
	@printf '%s\n' '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}}}' > $@

# Chinese text in Lab (lesson Markdown, code, outputs) is drawn with the bundled Noto Sans SC, also on a machine
# without Chinese fonts and before any kernel runs: Lab loads <config dir>/custom/custom.css with
# --LabApp.custom_css. That folder is a config dir inside .venv (JUPYTER_CONFIG_DIR, for this Lab only); the user's
# own Lab settings and workspaces are still read from and saved to their usual place. The same folder turns off
# Lab's "news" question (no pop-up in front of a workshop; Lab asks the internet otherwise).
LAB_CONFIG = $(abspath $(VENV))/etc/jupyter-cvt
USER_JUPYTER = $(shell $(BIN)/python -m jupyter --config-dir 2>/dev/null || echo $(HOME)/.jupyter)

lab: $(STAMP_LAB) $(LAB_OVERRIDES)
	@$(WARMUP)
	@$(BIN)/python -c "from toolkit.widgets._common import write_lab_css; write_lab_css('$(LAB_CONFIG)/custom')"
	@mkdir -p $(LAB_CONFIG)/labconfig && printf '%s\n' \
		'{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}' \
		> $(LAB_CONFIG)/labconfig/page_config.json
	JUPYTER_CONFIG_DIR=$(LAB_CONFIG) $(BIN)/python -m jupyterlab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		$(ROOT_FLAG) --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/index.md --LabApp.news_url=None \
		--LabApp.custom_css=True --LabApp.user_settings_dir=$(USER_JUPYTER)/lab/user-settings \
		--LabApp.workspaces_dir=$(USER_JUPYTER)/lab/workspaces $(LAB_ARGS)

test: $(STAMP_TEST)
	@$(WARMUP)
	$(BIN)/python -m pytest tests notebooks --nbval -p no:cacheprovider --durations=30 $(PYTEST_ARGS)

bench: $(STAMP_TEST)
	$(BIN)/python -m tests.benchmarks $(BENCH_ARGS)

# The dashboard app (Voila, loopback only): one page that starts from data -- bundled or a client's export -- and
# shows every analysis in tabs, with the report to download. DASHBOARD_ARGS passes extra Voila options
# (e.g. --theme=dark); DASHBOARD_LANG=zh serves it in Chinese. The lessons themselves open with `make lab`.
DASHBOARD_PORT ?= 8866
DASHBOARD_LANG ?= en
dashboard: $(STAMP_LAB)
	@$(WARMUP)
	$(BIN)/python -m toolkit dashboard --port $(DASHBOARD_PORT) --lang $(DASHBOARD_LANG) $(DASHBOARD_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
