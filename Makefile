# The two commands of the README, and the longer ones.
.PHONY: run test bench fuzz mutants bootstrap

# Builds everything needed and serves the app at http://127.0.0.1:8080.
# Extra arguments: make run ARGS="--registry https://registry.example --port 9090"
run:
	@scripts/run.sh $(ARGS)

# Every test; ends with "N passed, N failed".
test:
	@scripts/test.sh

# Benchmarks (not part of the test command): native, wasm and sigstore-js side by side.
bench:
	@scripts/bench.sh

# Fuzzes each target for FUZZ_SECONDS (default 60) seconds.
fuzz:
	@scripts/fuzz.sh

# Mutation testing of the core's decision code (about an hour): make mutants ARGS=--iterate
mutants:
	@scripts/mutants.sh $(ARGS)

bootstrap:
	@scripts/bootstrap.sh
