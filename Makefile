# vmtune — `make demo` and `make test` work on a fresh Debian machine with Swift installed:
# they apt-get what is missing, build, and run.

SWIFT   ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Build and runtime dependencies from Debian: libyaml (the YAML parser vmtune links) and
# pkg-config (SwiftPM finds libyaml through yaml-0.1.pc).
APT_PACKAGES := libyaml-dev pkg-config
# What the unit tests need beyond that: Python's jsonschema and PyYAML (SchemaTests checks the
# schema with an independent validator), setpriv (util-linux) and script (bsdutils) for the CLI
# tests, mount for the full-disk test. With CI=true a test whose tool is missing fails.
TEST_APT_PACKAGES := python3 python3-jsonschema python3-yaml util-linux bsdutils mount
PROFILE ?= profiles/kvm-host.yaml
# Release builds are fully static (Swift runtime, Foundation and libyaml linked in): one file to
# copy to a host or an initramfs, and about 8 MB of RSS for the agent instead of 15.
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -static-executable --product vmtune

.PHONY: all deps test-deps build release demo test format-check unit-test kernel-test ansible-test fuzz fuzz-smoke bench clean install

all: release

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@test -x "$(SWIFT)" || { echo "make: swift not found (install a Swift 6 toolchain)"; exit 1; }

test-deps:
	@missing=""; \
	for p in $(TEST_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

# The main job: a read-only plan of the KVM-host profile against this machine.
# plan exits 2 when changes are pending; that is a successful demo.
demo: release
	@./.build/release/vmtune plan $(PROFILE); s=$$?; [ $$s -eq 0 ] || [ $$s -eq 2 ]

# Every test: unit and CLI tests on fixture trees, the real-kernel suite under qemu, and the
# Ansible module driven by the real ansible-playbook.
test: unit-test kernel-test ansible-test fuzz-smoke

# Formatting is enforced: the sources must pass swift-format with the committed .swift-format
# (fix with `swift format format -i -r Sources Tests Package.swift`).
format-check: deps
	$(SWIFT) format lint -r --strict Sources Tests Package.swift

unit-test: deps test-deps format-check
	$(SWIFT) build --build-tests
	$(SWIFT) test

# Boots Debian's 6.1 and 6.12 cloud kernels under qemu, each in four shapes (1 node; 2 NUMA nodes;
# 3 unequal nodes, one without CPUs; a Movable zone from movablecore=); installs qemu-system-x86,
# linux-image-cloud-amd64, linux-image-6.12-cloud-amd64, busybox-static and cpio when missing.
kernel-test: deps
	./Tests/kernel/run.sh

# ansible-core comes from PyPI when missing; the module runs against a fixture root.
ansible-test: release
	./Tests/ansible/run.sh .build/release/vmtune

# Coverage-guided fuzzing (libFuzzer, Fuzz/): the profile loader, every /proc parser and the
# kernel-log reader, FUZZ_SECONDS each, with dictionaries and seeds; a crash keeps its input in
# fuzz-out/TARGET/ and exits 1. fuzz-smoke (part of `make test`) runs each for 3 s.
FUZZ_SECONDS ?= 60
fuzz: deps
	./Fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: deps
	./Fuzz/run.sh 3

bench: release
	./bench/plan-latency.sh
	python3 bench/agent-cycle.py
	python3 bench/fleet-check.py
	python3 bench/loader-scaling.py

install: release
	install -D -m 0755 .build/release/vmtune $(DESTDIR)/usr/local/bin/vmtune
	install -d $(DESTDIR)/usr/local/share/vmtune/profiles
	install -m 0644 profiles/*.yaml $(DESTDIR)/usr/local/share/vmtune/profiles/

clean:
	rm -rf .build
