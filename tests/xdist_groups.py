"""Which tests share an xdist worker under ``--dist loadgroup`` (tests/conftest.py
imports the hook; tests/test_xdist_groups.py checks that the grouping holds)."""

import pytest


def pytest_itemcollected(item):
    """A module that sets ``GROUP_BY_PARAM = "fixture"`` has each of that module-scoped
    fixture's params run on one xdist worker (``--dist loadgroup``), so the fixture
    runs once per param. (pytest does not carry a fixture param's marks to the tests.)"""
    name = getattr(getattr(item, "module", None), "GROUP_BY_PARAM", None)
    callspec = getattr(item, "callspec", None)
    if name and callspec and name in callspec.params:
        group = f"{item.module.__name__}-{callspec.params[name]}"
        item.add_marker(pytest.mark.xdist_group(group))
