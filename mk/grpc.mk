# gRPC service: protocol code generation and the load benchmark.
.PHONY: proto proto-check bench-grpc

proto: venv ## Regenerate python/ccroute/v1/ from proto/ccroute/v1/*.proto
	$(PY) scripts/gen_protos.py

proto-check: venv ## Fail when the committed generated protocol code is stale
	$(PY) scripts/gen_protos.py --check

bench-grpc: build ## gRPC load: streaming and unary submits against `ccroute serve` on loopback
	cargo build --release --quiet -p grpc_load
	$(PY) benches/grpc_load.py

TEST_TARGETS += proto-check
BENCH_TARGETS += bench-grpc
