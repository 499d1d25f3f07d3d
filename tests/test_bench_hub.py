"""The hub load test's verdict (benchmarks/bench_hub.py): how many students were held."""

from harness import bench_module


def _bench():
    return bench_module("hub")


def _step(totals, slowest, error=None, peak=250.0, spawn=4.0):
    runs = [{"total": t, "slowest": slowest, "error": None} for t in totals]
    runs[-1]["error"] = error
    return {"spawn": spawn, "runs": runs, "peak_mib": peak}


def test_held_is_the_largest_class_whose_every_cell_came_back_in_time():
    bench = _bench()
    budget = bench.CELL_BUDGET
    found = {1: _step([1.0], 0.5), 4: _step([2.0] * 4, budget - 0.1),
             8: _step([4.0] * 8, budget + 0.1), 16: _step([8.0] * 16, budget - 0.1)}
    results = bench.summarize(found)
    # 8 missed the budget: 16 does not count although its cells came back in time
    assert results["hub_users_held"] == 4
    assert results["hub_slowdown_4_vs_1"] == 2.0
    assert results["hub_every_notebook_ran"] == 1.0


def test_an_error_in_any_notebook_is_not_held_and_is_named():
    bench = _bench()
    found = {1: _step([1.0], 0.5), 4: _step([2.0] * 4, 1.0, error="NameError: np")}
    results = bench.summarize(found)
    assert results["hub_users_held"] == 1
    assert results["hub_every_notebook_ran"] == 0.0
    assert "NameError: np" in bench.NOTES["hub_every_notebook_ran"]
