# vmtune — `make demo` and `make test` work on a fresh Debian machine with Swift installed:
# they apt-get what is missing, build, and run.

SWIFT   ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Build and runtime dependencies from Debian: libyaml (the YAML parser vmtune links), zlib (gzipped
# kernel logs), pkg-config (SwiftPM finds them through yaml-0.1.pc and zlib.pc), python3
# (packaging/man.py writes the man pages) and binutils (strip, for the package).
APT_PACKAGES := libyaml-dev zlib1g-dev pkg-config python3 binutils
# What the unit tests need beyond that: Python's jsonschema and PyYAML (SchemaTests checks the
# schema with an independent validator), setpriv (util-linux) and script (bsdutils) for the CLI
# tests, mount for the full-disk test, tuned for its profiles (the `vmtune import tuned` tests read
# /usr/lib/tuned), lintian and man-db for the package test (`make deb-test`), and the real
# consumers of `vmtune check`'s reports: xmllint (libxml2-utils) validates the JUnit XML against
# Tests/Fixtures/junit/vmtune-junit.xsd, promtool (Debian ships it in prometheus) checks the
# Prometheus text, and node_exporter (prometheus-node-exporter) serves it from a textfile directory
# on a loopback port; zsh and fish, into which the completion tests type. With CI=true a test
# whose tool is missing fails.
TEST_APT_PACKAGES := python3 python3-jsonschema python3-yaml util-linux bsdutils mount tuned lintian man-db \
                     libxml2-utils prometheus prometheus-node-exporter zsh fish
PROFILE ?= profiles/kvm-host.yaml
# Release builds are fully static (Swift runtime, Foundation and libyaml linked in): one file to
# copy to a host or an initramfs, and about 8 MB of RSS for the agent instead of 15.
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -static-executable --product vmtune
VMTUNE_RELEASE := .build/release/vmtune
# `make install` puts everything under $(DESTDIR)$(PREFIX).
PREFIX  ?= /usr/local
# Man pages and completion scripts generated from the release binary's argument definitions.
GEN     := .build/gen
# The Debian package: version and maintainer from packaging/debian/changelog; staged under .build.
DEB_VERSION := $(shell head -n 1 packaging/debian/changelog | cut -d ' ' -f 2 | tr -d '()')
DEB_ARCH    := $(shell dpkg --print-architecture 2>/dev/null)
DEB         := .build/vmtune_$(DEB_VERSION)_$(DEB_ARCH).deb
# Dates in the man pages and the package's file times: the last commit's, so a rebuild of the
# same commit gives the same pages.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)

.PHONY: all deps test-deps build release demo test format-check unit-test kernel-test ansible-test fuzz fuzz-smoke bench clean install gen deb deb-test

all: release

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@test -x "$(SWIFT)" || { echo "make: swift not found (install a Swift 6 toolchain)"; exit 1; }

# No service a test package brings may start while it is installed (tuned's daemon would retune
# this host's /proc/sys/vm): invoke-rc.d and deb-systemd-invoke honour a policy-rc.d that says 101.
test-deps:
	@missing=""; \
	for p in $(TEST_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing$$missing (services not started)"; \
	  policy=""; if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' | $(SUDO) tee /usr/sbin/policy-rc.d >/dev/null && \
	    $(SUDO) chmod 755 /usr/sbin/policy-rc.d && policy=1; fi; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	  status=$$?; [ -z "$$policy" ] || $(SUDO) rm -f /usr/sbin/policy-rc.d; exit $$status; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

# The main job: a read-only plan of the KVM-host profile against this machine.
# plan exits 2 when changes are pending; that is a successful demo.
demo: release
	@./.build/release/vmtune plan $(PROFILE); s=$$?; [ $$s -eq 0 ] || [ $$s -eq 2 ]

# Every test: unit and CLI tests on fixture trees, the real-kernel suite under qemu, the
# Ansible module driven by the real ansible-playbook, and the Debian package installed and purged.
test: unit-test kernel-test ansible-test fuzz-smoke deb-test

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
	python3 bench/log-throughput.py

# Man pages (one per command: vmtune.1, vmtune-plan.1, vmtune-import-sysctl.1, ...) written by
# packaging/man.py from `vmtune --experimental-dump-help`, and swift-argument-parser's bash, zsh
# and fish completion scripts (they call vmtune back for profile and knob names).
gen: release
	rm -rf $(GEN)
	mkdir -p $(GEN)/man $(GEN)/completions
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) python3 packaging/man.py $(VMTUNE_RELEASE) $(GEN)/man >/dev/null
	$(VMTUNE_RELEASE) --generate-completion-script bash | sed '1{/^#!/d}' >$(GEN)/completions/vmtune
	$(VMTUNE_RELEASE) --generate-completion-script zsh >$(GEN)/completions/_vmtune
	$(VMTUNE_RELEASE) --generate-completion-script fish >$(GEN)/completions/vmtune.fish

install: gen
	install -D -m 0755 $(VMTUNE_RELEASE) $(DESTDIR)$(PREFIX)/bin/vmtune
	install -d $(DESTDIR)$(PREFIX)/share/vmtune/profiles $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 profiles/*.yaml $(DESTDIR)$(PREFIX)/share/vmtune/profiles/
	install -m 0644 $(GEN)/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -D -m 0644 $(GEN)/completions/vmtune $(DESTDIR)$(PREFIX)/share/bash-completion/completions/vmtune
	install -D -m 0644 $(GEN)/completions/_vmtune $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_vmtune
	install -D -m 0644 $(GEN)/completions/vmtune.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/vmtune.fish

# vmtune_VERSION_ARCH.deb in .build (staged in .build/deb): the static binary in /usr/bin,
# profiles in /usr/share/vmtune/profiles, /etc/vmtune/profiles, the systemd units of
# examples/systemd in /usr/lib/systemd/system (not enabled), man pages, completions.
deb: gen
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) ./packaging/deb.sh $(VMTUNE_RELEASE) $(GEN) .build/deb .build

# lintian (no errors), dpkg -i, the installed vmtune, man vmtune-plan, completions, dpkg --purge
# leaving nothing behind. Installs the package on this machine for the duration of the test.
deb-test: deb test-deps
	$(SUDO) ./packaging/deb-test.sh $(DEB)

clean:
	rm -rf .build
