# Durable state with Redis: redis-server (Debian package) for the
# tests, the redis client in .venv, the durability tests and the
# persistence benchmark. `make test` installs redis-server first, so
# tests/persistence run with the other suites in test-python.
.PHONY: redis-server test-redis bench-redis

redis-server: ## Install redis-server (Debian package) when missing
	@command -v redis-server >/dev/null || (apt-get update && apt-get install -y redis-server)

test-redis: build redis-server ## Durability tests against a real redis-server (WAL, kill -9, takeover, faults)
	$(PY) -m pytest -q tests/persistence

bench-redis: build redis-server ## gRPC load with Redis persistence vs in memory, in one run
	$(PY) benches/grpc_redis.py

BENCH_TARGETS += bench-redis
