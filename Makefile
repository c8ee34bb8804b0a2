# extriage: the two commands a newcomer needs are `make demo` and `make test`.
SWIFT   ?= swift
PREFIX  ?= /usr/local
SAMPLE  ?= exchange2016-compromised
OUT     ?= out
BENCH_SIZE ?= 2G

.PHONY: all deps build release demo test bench install uninstall clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Collect the embedded compromised sample into out/ (signed with a demo key), verify it and show its custody log.
demo: build
	@mkdir -p $(OUT)
	@BIN="$$($(SWIFT) build --show-bin-path)/extriage"; \
	[ -f $(OUT)/demo-responder.key ] || "$$BIN" keygen --out $(OUT)/demo-responder; \
	"$$BIN" collect \
	  --source Samples/images/$(SAMPLE) \
	  --output $(OUT)/$(SAMPLE).tar \
	  --case DEMO-001 --examiner "$${USER:-demo}" --evidence-id $(SAMPLE) \
	  --notes "make demo on the synthetic sample" --sign-key $(OUT)/demo-responder.key --force; \
	echo; echo "== extriage verify"; \
	"$$BIN" verify $(OUT)/$(SAMPLE).tar --trusted-key $(OUT)/demo-responder.pub; \
	echo; echo "== extriage custody show"; \
	"$$BIN" custody show $(OUT)/$(SAMPLE).tar

## Build and run every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## Compare `extriage collect` with tar and sha256sum on a synthetic tree (BENCH_SIZE=200M for a quick run).
bench: release
	python3 Benchmarks/bench_collect.py --size $(BENCH_SIZE)

install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/extriage
	install -m 0755 .build/release/extriage $(DESTDIR)$(PREFIX)/bin/extriage
	rm -rf $(DESTDIR)$(PREFIX)/share/extriage/Profiles
	cp -R Profiles $(DESTDIR)$(PREFIX)/share/extriage/Profiles

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/extriage
	rm -rf $(DESTDIR)$(PREFIX)/share/extriage

clean:
	rm -rf .build $(OUT)
