# Latent: two commands do everything on a fresh Debian machine with Swift.
#   make demo   the main job: train the VAE of Specs/vae.yaml on Fashion-MNIST for one epoch
#   make test   the whole test suite, then the quick versions of the paper experiments
# Both install the Debian packages they need first (make deps).

SWIFT ?= swift
LATENT = .build/release/latent
DEBIAN_PACKAGES = python3-jsonschema python3-yaml python3-numpy graphviz zlib1g-dev dataset-fashion-mnist
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build demo test

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build:
	$(SWIFT) build -c release --product latent

demo: deps build
	$(LATENT) check Specs/
	$(LATENT) train Specs/vae.yaml --epochs 1

test: deps
	$(SWIFT) test
	experiments/avb-toy.sh --quick
	experiments/semi-supervised.sh --quick
	experiments/gan-toys.sh --quick
