# The two commands: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
# Debian packages the tests drive (real user agents, browsers, tools); installed when missing.
# chromium runs the web UI's end-to-end tests (tests/frontend, Playwright with this binary).
# grub2-common (grub-editenv), zstd and e2fsprogs (mkfs.ext4) for the A/B update tests.
# kamailio is the SIP provider's registrar in the trunk tests (tests/interop/test_trunk_*.py).
# gcc compiles the SIP engine (make native), which the tests run compiled.
DEB_TEST_PACKAGES ?= chromium sip-tester baresip-core grub2-common zstd e2fsprogs kamailio gcc
# Debian packages Cordboard itself uses at run time: espeak-ng speaks the system prompts; Node.js
# and npm build the web UI, and are asked for only when no npm is on the PATH (a Node.js installed
# another way is used as it is).
DEB_RUN_PACKAGES ?= espeak-ng $(if $(shell command -v npm 2>/dev/null),,nodejs npm)
# Debian packages `make bench` drives: SIPp, and the anchors' rtpengine and Kamailio; nftables counts
# the relayed packets. sippy (the calls/s anchor) and py-spy come from PyPI into bench/.venv-tools.
DEB_BENCH_PACKAGES ?= sip-tester rtpengine-daemon kamailio nftables util-linux
BENCH_ARGS ?=
FRONTEND := frontend
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/public -type f 2>/dev/null) \
	$(FRONTEND)/index.html $(FRONTEND)/package.json $(FRONTEND)/tsconfig.json $(FRONTEND)/vite.config.ts

.PHONY: run test lint typecheck unit native frontend frontend-unit system-deps-run system-deps-test bench clean
.PHONY: image image-test system-deps-image screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The editable install is pure Python (CORDBOARD_NATIVE unset); `native` compiles beside it.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	CORDBOARD_NATIVE= $(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	CORDBOARD_NATIVE= $(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed-run

# The SIP engine's sans-IO modules (COMPILED_MODULES in core/native.py) compiled by mypyc into
# build/native, again whenever one of them changes; Cordboard uses that build only while it matches
# the sources. Needs a C compiler and Python's headers.
NATIVE_SOURCES := $(patsubst cordboard/%,%.py,$(subst .,/,$(shell sed -n 's/^    "\(cordboard\.core\.[a-z_.]*\)",$$/\1/p' core/native.py)))
NATIVE_STAMP := build/native/cordboard/core/native-sources.json
$(NATIVE_STAMP): $(NATIVE_SOURCES) core/native.py setup.py | $(VENV)/.installed-run
	$(BIN)/pip install -q 'setuptools>=68' 'mypy>=1.10,<3'
	rm -rf build/native build/native-temp && mkdir -p build
	CORDBOARD_NATIVE=1 $(BIN)/python setup.py -q build_ext --build-lib build/native --build-temp build/native-temp \
	  >build/native.log 2>&1 || { tail -30 build/native.log; exit 1; }

native: $(NATIVE_STAMP)

define install_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

system-deps-run:
	$(call install_debs,$(DEB_RUN_PACKAGES))

system-deps-test: system-deps-run
	$(call install_debs,$(DEB_TEST_PACKAGES))

# The web UI: `npm ci` only when node_modules is missing or older than package-lock.json, and a
# build only when a source is newer than frontend/dist/index.html.
$(FRONTEND)/node_modules/.package-lock.json: $(FRONTEND)/package-lock.json | system-deps-run
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	touch $@

$(FRONTEND)/dist/index.html: $(FRONTEND)/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	cd $(FRONTEND) && npm run build
	touch $@

frontend: $(FRONTEND)/dist/index.html

# The web UI's unit tests (vitest, frontend/test/): the modules that compute rather than render, in
# Node; a second or two. The pages are tested end to end in Chromium by `unit` (tests/frontend/).
frontend-unit: $(FRONTEND)/node_modules/.package-lock.json
	cd $(FRONTEND) && npm test

run: $(VENV)/.installed-run system-deps-run frontend
	@$(MAKE) --no-print-directory native || echo "The SIP engine could not be compiled (make native needs a C compiler): it runs as Python."
	$(BIN)/cordboard run --data $(DATA)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy sees core/ and plugins/ as cordboard.core and cordboard.plugins through links in
# build/typecheck (pyproject's mypy_path), so calls between modules are type-checked.
TYPECHECK_LINKS := build/typecheck/cordboard
typecheck: $(VENV)/.installed-test
	mkdir -p $(TYPECHECK_LINKS)
	ln -sfn ../../../core $(TYPECHECK_LINKS)/core
	ln -sfn ../../../plugins $(TYPECHECK_LINKS)/plugins
	$(BIN)/mypy -p cordboard.core -p cordboard.plugins
	$(BIN)/mypy tests/frontend tests/sip_phone.py tests/cordboard_process.py

# The end-to-end tests fail (rather than skip) here when the web UI or Chromium is missing.
# Everything runs with the compiled SIP engine, as on the appliance; its sans-IO tests run as Python too.
unit: $(VENV)/.installed-test system-deps-test frontend native
	CORDBOARD_NATIVE=0 $(BIN)/pytest -q tests/core/test_native.py \
	  $(patsubst %,tests/core/sip/test_%.py,auth dialog fast_paths flood headers location message rfc4475 sdp stateless transaction uri)
	CORDBOARD_REQUIRE_FRONTEND=1 CORDBOARD_REQUIRE_NATIVE=1 $(BIN)/pytest -q

test: lint typecheck frontend-unit unit

# The README's screenshots (docs/screenshots/): taken by the end-to-end tests of these pages.
SCREENSHOTS := dashboard-call-answered wizard-4-trunk-registered my-terminals
screenshots: $(VENV)/.installed-test system-deps-test frontend
	CORDBOARD_REQUIRE_FRONTEND=1 $(BIN)/pytest -q tests/frontend/test_calls_and_phones.py::test_dashboard_follows_registrations_and_live_calls \
	  tests/frontend/test_setup_wizard.py::test_wizard_from_fresh_data_folder \
	  tests/frontend/test_my_terminals_page.py
	mkdir -p docs/screenshots
	for name in $(SCREENSHOTS); do cp test-artifacts/$$name.png docs/screenshots/; done

# Benchmarks of the SIP engine (not tests: figures, no assertions); see bench/README.md.
# `make bench BENCH_ARGS="calls --runs 1 --quick"` runs a part, shorter.
bench: $(VENV)/.installed-run native
	$(call install_debs,$(DEB_BENCH_PACKAGES))
	test -x bench/.venv-tools/bin/b2bua_simple -a -x bench/.venv-tools/bin/py-spy || \
	  { $(PYTHON) -m venv bench/.venv-tools && bench/.venv-tools/bin/pip install -q 'sippy==2.5.0' 'py-spy>=0.3'; }
	$(BIN)/python -m bench $(BENCH_ARGS)

# The appliance disk image (image/README.md): as root, with loop devices; QEMU (TCG) boots it in
# image-test, which builds the image first when image/out has none.
DEB_IMAGE_PACKAGES ?= debootstrap qemu-system-x86 ovmf qemu-utils grub-pc-bin grub-efi-amd64-bin \
	grub2-common dosfstools mtools e2fsprogs fdisk zstd sip-tester
system-deps-image:
	$(call install_debs,$(DEB_IMAGE_PACKAGES))

image: $(VENV)/.installed-run system-deps-image frontend
	PYTHON=$(abspath $(BIN)/python) image/build.sh

image-test: system-deps-image $(if $(wildcard image/out/manifest.json),,image)
	$(BIN)/python image/boottest.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
	rm -rf $(FRONTEND)/dist $(FRONTEND)/node_modules
