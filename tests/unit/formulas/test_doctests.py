"""Every docstring example of the formula package runs and gives what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import tablekit.formulas
from tablekit.formulas.functions import LIBRARY


def _modules() -> list[ModuleType]:
    names = [tablekit.formulas.__name__] + [
        info.name
        for info in pkgutil.walk_packages(tablekit.formulas.__path__, prefix="tablekit.formulas.")
    ]
    return [importlib.import_module(name) for name in sorted(names)]


@pytest.mark.parametrize("module", _modules(), ids=lambda module: module.__name__)
def test_doctests_pass(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)

    assert result.failed == 0


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_function_has_a_running_example(name: str) -> None:
    impl = LIBRARY[name].impl
    module = importlib.import_module(impl.__module__)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)

    for test in doctest.DocTestFinder().find(impl, name, globs=vars(module).copy()):
        runner.run(test)
    result = runner.summarize(verbose=False)

    assert result.attempted >= 1
    assert result.failed == 0
