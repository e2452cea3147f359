# The two commands of README.md, and a few conveniences. CMake does the build.
.PHONY: run test test-quick build clean fuzz bench bench-taxii

DATA ?= ./cyberpact-data
LISTEN ?= 127.0.0.1:8080

# Install what is needed, build, create a demo store, serve on 127.0.0.1:8080.
run: build
	./build/cyberpact demo --data $(DATA) --listen $(LISTEN)

# Install what is needed and run every test (SQLite, PostgreSQL, ASan+UBSan).
test:
	scripts/run-tests.sh

test-quick:
	scripts/run-tests.sh --quick

build:
	scripts/install-deps.sh
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j$$(nproc)

fuzz:
	scripts/fuzz.sh

bench: build
	bench/run.sh

# The TAXII benchmark on SQLite and PostgreSQL (docs/benchmarks.md). N objects (default
# 1,000,000; e.g. `make bench-taxii N=100000` for a quick run).
N ?= 1000000
bench-taxii:
	bench/taxii.sh $(N)

clean:
	rm -rf build build-asan build-fuzz
