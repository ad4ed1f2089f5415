# Step-wise control and the Gymnasium environment. Their tests run in
# `make test` (tests/sim/test_stepper.py, tests/sim/test_gym.py).
.PHONY: bench-gym demo-gym

bench-gym: build ## Decisions/s under step-wise control: engine, native stepper, environment, wrappers, vector form
	$(PY) benches/gym_bench.py

demo-gym: build ## Train a linear routing policy (CEM) and compare it with the baselines on held-out days
	$(PY) examples/gym_train.py

BENCH_TARGETS += bench-gym
