# Simulator targets. `make test` already runs tests/sim through
# test-python; the large-sample statistical checks are marked slow and run
# only here.
.PHONY: test-sim test-sim-slow test-sweep bench-sim bench-sweep demo-sim

test-sim: build ## Simulator tests (tests/sim, also part of make test)
	$(PY) -m pytest -q tests/sim

test-sim-slow: build ## Simulator validation with large samples, printing simulated vs theory and vs the bank log
	CCROUTE_SIM_SLOW=1 $(PY) -m pytest -q -s tests/sim/test_sim_validation.py

test-sweep: build ## Parameter sweeps: in-process, process pool, Dask and Ray give the same frames (also part of make test)
	$(PY) -m pytest -q tests/sim/test_sweep.py

bench-sim: build ## Simulator: criterion contacts/s, then ccroute vs Ciw vs SimPy on M/M/10
	cargo bench -p router_core --bench sim -- --noplot
	$(PY) benches/compare_sim.py

demo-sim: build ## Simulate a multichannel day under two policies and print the comparison
	$(PY) examples/demo_sim.py

bench-sweep: build ## Sweep of 200 cells x 10 replications: in-process vs the local process pool vs a Dask LocalCluster
	$(PY) benches/sweep_bench.py

BENCH_TARGETS += bench-sim bench-sweep

.PHONY: bench-staffing
bench-staffing: build ## Staffing a 6-type x 5-group center per hour by simulation vs the two-step method
	$(PY) benches/staffing_bench.py

BENCH_TARGETS += bench-staffing
