# gRPC service: protocol code generation and the load benchmark.
.PHONY: proto proto-check bench-grpc bench-tenants bench-scale-out

proto: venv ## Regenerate python/ccroute/v1/ from proto/ccroute/v1/*.proto
	$(PY) scripts/gen_protos.py

proto-check: venv ## Fail when the committed generated protocol code is stale
	$(PY) scripts/gen_protos.py --check

bench-grpc: build ## gRPC load: streaming and unary submits against `ccroute serve` on loopback
	cargo build --release --quiet -p grpc_load
	$(PY) benches/grpc_load.py

bench-tenants: build ## 100 tenants x 100 agents vs 1 x 10,000 in one server; one tenant flooded vs another
	$(PY) benches/tenants_bench.py

bench-scale-out: build redis-server ## Three scale-out servers vs one on the same Redis, six tenants under grpc-load
	cargo build --release --quiet -p grpc_load
	$(PY) benches/scale_out_bench.py

TEST_TARGETS += proto-check
BENCH_TARGETS += bench-grpc bench-tenants bench-scale-out
