# shoal: `make demo` brings up a 3-host demo swarm on this machine, `make test` runs every test.
SHELL := /bin/bash
BUN := node_modules/.bin/bun
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: deps build test check typecheck layers demo demo-down bench bench-deps soak install clean

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

## Benchmarks, with peers measured in the same run (docker CLI, grpc-js, etcd 3.4, podman 4.3 and dockerd 20.10 from Debian).
bench: build bench-deps
	$(BUN) scripts/bench/run.ts

bench-deps: deps
	@missing=""; command -v etcd >/dev/null 2>&1 || missing="etcd-server etcd-client"; \
	command -v podman >/dev/null 2>&1 || missing="$$missing podman"; \
	[ -x /usr/sbin/dockerd ] || missing="$$missing docker.io"; \
	if [ -n "$$missing" ]; then echo "bench-deps: installing$$missing"; \
	  apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $$missing >/dev/null; fi
	@docker --version >/dev/null # the tests' docker CLI must still be there (docker.io only adds /usr/bin/docker and dockerd)

## Long runs: 20,000 more raft simulation seeds from a random starting seed (SHOAL_SIM_FIRST to pick one).
soak: deps
	SHOAL_SIM_SEEDS=$${SHOAL_SIM_SEEDS:-20000} SHOAL_SIM_FIRST=$${SHOAL_SIM_FIRST:-$$(( (RANDOM << 15 | RANDOM) + 1000 ))} $(BUN) test --timeout 0 test/raft/simulation.test.ts

install: build
	bash scripts/install.sh dist/shoal

clean:
	rm -rf dist
