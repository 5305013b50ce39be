# Latent: two commands do everything on a fresh Debian machine with Swift.
#   make demo   the main job: train the VAE of Specs/vae.yaml on Fashion-MNIST for one epoch
#   make test   the whole test suite, the quick versions of the paper experiments, and a
#               10-second smoke run of each fuzzer
# Both install the Debian packages they need first (make deps).

SHELL := /bin/bash
SWIFT ?= swift
LATENT = .build/release/latent
DEBIAN_PACKAGES = python3-jsonschema python3-yaml python3-numpy python3-sklearn python3-venv graphviz zlib1g-dev dataset-fashion-mnist \
	openmpi-bin libopenmpi-dev iproute2
# The Python readers the tests check Latent's files with (TensorBoard's event reader, onnx,
# onnxruntime), from PyPI into a virtual environment outside the sources.
VENV ?= $(HOME)/.cache/latent/venv
PYTHON_TOOLS = tensorboard==2.21.0 onnx==1.23.2 onnxruntime==1.32.0 numpy
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps venv build demo test fuzz asan protos man docs

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

venv:
	@[ -x $(VENV)/bin/python ] && $(VENV)/bin/python -c "import tensorboard, onnx, onnxruntime" 2>/dev/null || { \
		echo "installing $(PYTHON_TOOLS) into $(VENV)"; \
		python3 -m venv $(VENV) && $(VENV)/bin/pip install -q $(PYTHON_TOOLS); }

build:
	$(SWIFT) build -c release --product latent

demo: deps build
	$(LATENT) check Specs/
	$(LATENT) train Specs/vae.yaml --epochs 1 --overwrite
	@echo
	@echo "What you got: a VAE trained for one epoch on Fashion-MNIST, in runs/vae."
	@echo "Its test ELBO (nats per image; higher is better):"
	@$(LATENT) eval runs/vae --metric elbo
	@$(LATENT) sample runs/vae -n 64 --png runs/vae/samples.png
	@echo "64 samples from it: runs/vae/samples.png"
	@echo
	@echo "Next:"
	@echo "  $(LATENT) sample runs/vae -n 16 --png more.png      draw more samples"
	@echo "  $(LATENT) eval runs/vae --metric iwae:100           a tighter bound on log p(x)"
	@echo "  tensorboard --logdir runs                            curves, test losses, pictures per epoch"
	@echo "      (make venv installs it: $(VENV)/bin/tensorboard)"
	@echo "  $(LATENT) train Specs/dcgan.yaml --epochs 1         a convolutional GAN"
	@echo "  mpirun -np 2 $(LATENT) train Specs/vae.yaml --shards 2   the same VAE on two processes"
	@echo "  README.md: the spec language, every command, and the results"

test: deps venv
	LATENT_PYTHON=$(VENV)/bin/python $(SWIFT) test
	experiments/avb-toy.sh --quick
	experiments/semi-supervised.sh --quick
	experiments/gan-toys.sh --quick
	experiments/convolutions.sh --quick
	experiments/ais.sh --quick
	experiments/iwae-ring.sh --quick
	$(MAKE) fuzz FUZZ_SECONDS=10

# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of everything Latent reads: the spec
# front end, the expression parser and the NPY, IDX, CSV and safetensors readers, each for
# FUZZ_SECONDS from its seed corpus in Fuzz/corpus. A crash stops with its input saved in
# .build-fuzz/ (make it a regression test).
FUZZ_SECONDS ?= 600
FUZZ_TARGETS = spec expression npy idx csv safetensors
fuzz:
	LATENT_FUZZ=1 $(SWIFT) build --scratch-path .build-fuzz --product latent-fuzz -Xswiftc -sanitize=fuzzer,address
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p .build-fuzz/corpus/$$t; \
		echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
		ASAN_OPTIONS=detect_leaks=0 LATENT_FUZZ_TARGET=$$t .build-fuzz/debug/latent-fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-rss_limit_mb=4096 -timeout=10 -detect_leaks=0 -artifact_prefix=.build-fuzz/crash-$$t- .build-fuzz/corpus/$$t Fuzz/corpus/$$t 2>&1 \
			| grep -E '^(stat::number_of_executed_units|stat::new_units_added|==.*ERROR|SUMMARY)' ; \
		test $${PIPESTATUS[0]} -eq 0 || exit 1; \
	done

# The runtime and command-line tests under AddressSanitizer: an out-of-bounds read or write
# fails a test instead of training on garbage.
asan:
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --scratch-path .build-asan -Xswiftc -sanitize=address --filter 'LatentRuntimeTests|LatentCLITests'

# The Swift code of the protobuf messages Latent writes (TensorBoard events, ONNX models),
# generated from Protos/ and committed: swift-protobuf's plugin takes minutes to build.
protos:
	$(SUDO) apt-get install -y -qq protobuf-compiler
	$(SWIFT) build -c release --package-path .build/checkouts/swift-protobuf --product protoc-gen-swift
	protoc --plugin=protoc-gen-swift=.build/checkouts/swift-protobuf/.build/release/protoc-gen-swift \
		--swift_out=Sources/LatentInterop/Generated --swift_opt=Visibility=Internal -I Protos Protos/*.proto

# The man page, from the command-line definitions (ArgumentParser's generate-manual plugin),
# committed as docs/latent.1: `man -l docs/latent.1`. A test keeps it listing every command
# and option.
man:
	$(SWIFT) package plugin generate-manual --date $$(date +%Y-%m-%d) --authors "the Latent developers"
	cp .build/plugins/GenerateManual/outputs/LatentCLI/latent.1 docs/latent.1

# The library's DocC documentation (API reference and the getting-started article), as a
# static site in .build/docs.
docs:
	$(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation --target Latent \
		--output-path .build/docs --transform-for-static-hosting
