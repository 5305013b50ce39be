# Latent: two commands do everything on a fresh Debian machine with Swift.
#   make demo   the main job (check every example spec, compile one to planned IR)
#   make test   the whole test suite
# Both install the Debian packages they need first (make deps).

SWIFT ?= swift
LATENT = .build/debug/latent
DEBIAN_PACKAGES = python3-jsonschema python3-yaml graphviz
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build demo test

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build:
	$(SWIFT) build --product latent

demo: deps build
	$(LATENT) check Specs/
	$(LATENT) compile Specs/vae.yaml --emit plan

test: deps
	$(SWIFT) test
