import sys
from pathlib import Path

import pytest

# tests/ on the path, so that test modules can `import harness`
sys.path.insert(0, str(Path(__file__).resolve().parent))

from xdist_groups import pytest_itemcollected  # noqa: E402, F401 - a hook, found by name


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium for the browser tests (fails with install help without it)."""
    from browser_support import require_chromium

    return require_chromium()


@pytest.fixture(scope="session")
def browser(chromium):
    """One chromium for all the browser tests of a worker."""
    from browser_support import chromium_browser

    with chromium_browser(chromium) as b:
        yield b
