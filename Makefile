# extriage: the two commands a newcomer needs are `make demo` and `make test`.
SWIFT   ?= swift
PREFIX  ?= /usr/local
SAMPLE  ?= exchange2016-compromised
OUT     ?= out
BENCH_SIZE ?= 2G

.PHONY: all deps build release demo test bench evaluate install uninstall clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Collect both embedded samples into out/ (signed with a demo key), verify and analyze them.
demo: build
	@mkdir -p $(OUT)
	@BIN="$$($(SWIFT) build --show-bin-path)/extriage"; \
	[ -f $(OUT)/demo-responder.key ] || "$$BIN" keygen --out $(OUT)/demo-responder; \
	for sample in exchange2016-compromised exchange2019-clean; do \
	  echo; echo "== extriage collect $$sample"; \
	  "$$BIN" collect --source Samples/images/$$sample --output $(OUT)/$$sample.tar \
	    --case DEMO-001 --examiner "$${USER:-demo}" --evidence-id $$sample \
	    --notes "make demo on the synthetic sample" --sign-key $(OUT)/demo-responder.key --force || exit 1; \
	done; \
	echo; echo "== extriage verify"; \
	"$$BIN" verify $(OUT)/$(SAMPLE).tar --trusted-key $(OUT)/demo-responder.pub || exit 1; \
	echo; echo "== extriage analyze $(SAMPLE) (also written as HTML, JSON and a JSONL timeline in $(OUT)/)"; \
	"$$BIN" analyze $(OUT)/$(SAMPLE).tar --trusted-key $(OUT)/demo-responder.pub --timeline $(OUT)/$(SAMPLE).timeline.jsonl; \
	"$$BIN" analyze $(OUT)/$(SAMPLE).tar --trusted-key $(OUT)/demo-responder.pub --format html --output $(OUT)/$(SAMPLE).report.html; \
	"$$BIN" analyze $(OUT)/$(SAMPLE).tar --trusted-key $(OUT)/demo-responder.pub --format json --output $(OUT)/$(SAMPLE).report.json; \
	echo; echo "== extriage analyze exchange2019-clean (verdict only)"; \
	"$$BIN" analyze $(OUT)/exchange2019-clean.tar --trusted-key $(OUT)/demo-responder.pub | head -3

## Build and run every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## Benchmarks on a synthetic tree (BENCH_SIZE=200M for a quick run): collect vs tar + sha256sum,
## analyze vs grep -c 'ServerInfo~', EVTX records/s of analyze vs evtxexport.
bench: release
	python3 Benchmarks/bench_collect.py --size $(BENCH_SIZE)
	python3 Benchmarks/bench_analyze.py --size $(BENCH_SIZE)
	python3 Benchmarks/bench_evtx.py

## Detection quality on the labelled corpora in ../shared/corpora (skipped when absent).
evaluate: release
	python3 Benchmarks/evaluate_evtx.py

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
