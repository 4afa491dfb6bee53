# shoal: `make demo` brings up a 3-host demo swarm on this machine, `make test` runs every test.
SHELL := /bin/bash
BUN := node_modules/.bin/bun
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: deps build test check typecheck layers demo demo-down bench install clean

deps:
	@bash scripts/deps.sh

dist/shoal: $(shell find src native -name '*.ts' ! -name '*.test.ts') package.json scripts/build.ts scripts/embed-native-addons.ts | deps
	$(BUN) scripts/build.ts

build: deps dist/shoal

typecheck: deps
	tsc --noEmit -p .

layers: deps
	$(BUN) scripts/check-layers.ts

check: typecheck layers

## Runs everything: type check, layer check, unit, integration and end-to-end suites (as root).
test: build check
	$(BUN) test --timeout 120000

## Three namespace hosts (manager1, worker1, worker2 at 10.99.0.11-13), each running `shoal daemon`.
demo: build
	$(BUN) scripts/demo.ts up

demo-down: deps
	$(BUN) scripts/demo.ts down

bench: build
	$(BUN) scripts/bench/run.ts

install: build
	bash scripts/install.sh dist/shoal

clean:
	rm -rf dist
