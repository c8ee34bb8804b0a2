# extriage: the two commands a newcomer needs are `make demo` and `make test`.
SWIFT   ?= swift
PREFIX  ?= /usr/local
SAMPLE  ?= exchange2016-compromised
OUT     ?= out
BENCH_SIZE ?= 2G
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

.PHONY: all deps build release demo sample-images test fuzz bench evaluate install uninstall clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Collect the three embedded samples into out/ (signed with a demo key), verify and analyze them; then a six-server fleet case.
demo: build
	@mkdir -p $(OUT)
	@BIN="$$($(SWIFT) build --show-bin-path)/extriage"; \
	[ -f $(OUT)/demo-responder.key ] || "$$BIN" keygen --out $(OUT)/demo-responder; \
	for sample in exchange2016-compromised exchange2019-clean exchange2019-compromised; do \
	  echo; echo "== extriage collect $$sample"; \
	  "$$BIN" collect --source Samples/images/$$sample --output $(OUT)/$$sample.tar \
	    --case DEMO-001 --examiner "$${USER:-demo}" --evidence-id $$sample \
	    --notes "make demo on the synthetic sample" --sign-key $(OUT)/demo-responder.key --force || exit 1; \
	done; \
	echo; echo "== extriage verify"; \
	"$$BIN" verify $(OUT)/$(SAMPLE).tar --trusted-key $(OUT)/demo-responder.pub || exit 1; \
	echo; echo "== extriage collect straight from a disk image ($(OUT)/images/exchange2016-compromised.E01, GPT + NTFS)"; \
	bundles="exchange2016-compromised exchange2019-clean exchange2019-compromised"; \
	if Samples/tools/make_sample_images.sh $(OUT)/images >/dev/null; then \
	  "$$BIN" collect --source $(OUT)/images/exchange2016-compromised.E01 --output $(OUT)/exchange2016-compromised-e01.tar \
	    --case DEMO-001 --examiner "$${USER:-demo}" --evidence-id EXCH01-DISK0 --hash-image \
	    --notes "make demo on the synthetic sample, as an E01" --sign-key $(OUT)/demo-responder.key --force || exit 1; \
	  "$$BIN" verify $(OUT)/exchange2016-compromised-e01.tar --trusted-key $(OUT)/demo-responder.pub | tail -1 || exit 1; \
	  bundles="$$bundles exchange2016-compromised-e01"; \
	else echo "(skipped: the disk image tools are missing; run make deps)"; fi; \
	echo; echo "== extriage analyze: a summary per bundle"; echo; \
	for b in $$bundles; do \
	  "$$BIN" analyze $(OUT)/$$b.tar --trusted-key $(OUT)/demo-responder.pub --format summary; \
	  "$$BIN" analyze $(OUT)/$$b.tar --trusted-key $(OUT)/demo-responder.pub --format html --output $(OUT)/$$b.report.html --force \
	    --timeline $(OUT)/$$b.timeline.jsonl; \
	  "$$BIN" analyze $(OUT)/$$b.tar --trusted-key $(OUT)/demo-responder.pub --format json --output $(OUT)/$$b.report.json --force; \
	done; \
	echo "Reports:"; \
	for b in $$bundles; do echo "  $(OUT)/$$b.report.html  $(OUT)/$$b.report.json  $(OUT)/$$b.timeline.jsonl"; done; \
	echo "Full text report: $$BIN analyze $(OUT)/$(SAMPLE).tar --trusted-key $(OUT)/demo-responder.pub | less"; \
	echo; echo "== extriage case: six Fabrikam servers in one case ($(OUT)/fleet)"; \
	python3 Samples/tools/make_samples.py --fleet $(OUT)/fleet >/dev/null || exit 1; \
	rm -f $(OUT)/fleet/case.sqlite; \
	for tree in $(OUT)/fleet/fab-mb*; do \
	  [ -d "$$tree" ] || continue; \
	  "$$BIN" collect --source $$tree --output $$tree.tar --case FAB-2021 --examiner "$${USER:-demo}" \
	    --evidence-id "$$(basename $$tree)" --sign-key $(OUT)/demo-responder.key --force --quiet >/dev/null || exit 1; \
	done; \
	"$$BIN" case add $(OUT)/fleet/fab-mb*.tar --db sqlite:$(OUT)/fleet/case.sqlite --trusted-key $(OUT)/demo-responder.pub || exit 1; \
	"$$BIN" case report --db sqlite:$(OUT)/fleet/case.sqlite | sed -n '/^CLUSTERS/,$$p'; \
	"$$BIN" case report --db sqlite:$(OUT)/fleet/case.sqlite --format html --output $(OUT)/fleet/fleet.html || exit 1; \
	echo "Fleet report: $(OUT)/fleet/fleet.html"

## Build exchange2016-compromised as a GPT disk (EFI FAT + NTFS) image, raw and E01, in $(OUT)/images.
sample-images: deps
	@Samples/tools/make_sample_images.sh $(OUT)/images

## Build and run every test; the PostgreSQL case tests run against a throw-away cluster that
## scripts/with-postgres.sh starts on a free loopback port and stops afterwards.
test: deps
	$(SWIFT) build --build-tests
	scripts/with-postgres.sh $(SWIFT) test --skip-build

## libFuzzer (Linux toolchain) with ASan over each parser of untrusted input, FUZZ_SECONDS (default 60)
## per target (FUZZ_TARGETS to choose: tar manifest w3c exchange-csv evtx minidump profile rules).
## Fuzz/ is its own package, so the main build takes no fuzz flags; crashers are copied to
## Tests/FuzzRegressions/<target>/, which `make test` replays.
fuzz: build
	cd Fuzz && $(SWIFT) build -c debug -Xswiftc -sanitize=fuzzer,address
	FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run.sh $(FUZZ_TARGETS)

## Benchmarks on a synthetic tree (BENCH_SIZE=200M for a quick run): collect vs tar + sha256sum,
## analyze vs grep -c 'ServerInfo~', collect from a raw NTFS image vs from the directory, YARA
## scanning of web files vs the yara CLI, EVTX records/s of analyze vs evtxexport.
bench: release
	python3 Benchmarks/bench_collect.py --size $(BENCH_SIZE)
	python3 Benchmarks/bench_analyze.py --size $(BENCH_SIZE)
	python3 Benchmarks/bench_collect_image.py --size $(BENCH_SIZE)
	python3 Benchmarks/bench_yara.py
	python3 Benchmarks/bench_evtx.py
	python3 Benchmarks/bench_case.py

## Detection quality on the labelled corpora in ../shared/corpora (each part skipped with a
## message when its folder is absent): web shells (recall, false positives) and event logs.
evaluate: release
	python3 Benchmarks/evaluate_webshells.py
	python3 Benchmarks/evaluate_evtx.py
	python3 Benchmarks/evaluate_evtx.py --sigma ../shared/corpora/sigma/rules

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
