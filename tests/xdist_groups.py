"""Which tests share an xdist worker under ``--dist loadgroup`` (tests/conftest.py
imports the hook; tests/test_xdist_groups.py checks that the grouping holds).

A module-scoped fixture runs once per worker that runs a test using it; when it
is costly (a graded class, a hub), its tests belong on one worker:

- ``GROUP_BY_PARAM = "fixture"``: each param of that fixture on one worker
  (pytest does not carry a fixture param's marks to the tests);
- ``GROUP_BY_FIXTURE = "fixture"``: every test that uses that fixture on one
  worker, the module's other tests free to go anywhere.
"""

import pytest


def pytest_itemcollected(item):
    module = getattr(item, "module", None)
    by_param = getattr(module, "GROUP_BY_PARAM", None)
    callspec = getattr(item, "callspec", None)
    if by_param and callspec and by_param in callspec.params:
        group = f"{module.__name__}-{callspec.params[by_param]}"
        item.add_marker(pytest.mark.xdist_group(group))
    by_fixture = getattr(module, "GROUP_BY_FIXTURE", None)
    if by_fixture and by_fixture in getattr(item, "fixturenames", ()):
        item.add_marker(pytest.mark.xdist_group(f"{module.__name__}-{by_fixture}"))
