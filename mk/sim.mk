# Simulator targets. `make test` already runs tests/sim through
# test-python; the large-sample statistical checks are marked slow and run
# only here.
.PHONY: test-sim test-sim-slow bench-sim demo-sim

test-sim: build ## Simulator tests (tests/sim, also part of make test)
	$(PY) -m pytest -q tests/sim

test-sim-slow: build ## Simulator validation with large samples, printing simulated vs theory and vs the bank log
	CCROUTE_SIM_SLOW=1 $(PY) -m pytest -q -s tests/sim/test_sim_validation.py

bench-sim: build ## Simulator: criterion contacts/s, then ccroute vs Ciw vs SimPy on M/M/10
	cargo bench -p router_core --bench sim -- --noplot
	$(PY) benches/compare_sim.py

demo-sim: build ## Simulate a multichannel day under two policies and print the comparison
	$(PY) examples/demo_sim.py

BENCH_TARGETS += bench-sim
