"""The Hypothesis ``fuzz`` profile: long runs of the state machines, with a count of actions.

Selected by ``--hypothesis-profile=fuzz`` or ``GOVCHAIN_FUZZ=1`` (``make fuzz`` does the first);
without it this plugin changes nothing. Under it every Hypothesis run is stretched so that it
executes at least ``GOVCHAIN_FUZZ_ACTIONS`` (default 10,000) random actions:

- a state machine (``run_state_machine_as_test``) gets ``ceil(actions / stateful_step_count)``
  examples, its step count left as the machine chose it (its rules are tuned to it);
- a ``@given`` property whose settings are a module-level ``settings`` object (as the customs
  assessment test's) gets ``actions`` examples, one action each.

The test modules' own ``settings(...)`` name ``max_examples`` explicitly, which a profile cannot
override, so those objects are swapped at run time rather than edited: the machines stay the
files their owners maintain. Examples are random (``derandomize=False``); pass
``--hypothesis-seed`` to replay a run. Shrinking stays off as in the modules (minutes per
chain-backed example); a failure prints its steps as found.

At the end the terminal summary shows, per machine or property, the examples and actions
actually executed (steps counted as Hypothesis checks invariants after each one; property
cases from Hypothesis' statistics) and the rate. A run that executed fewer actions than asked
fails, so a passing ``make fuzz`` demonstrates the count.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import hypothesis.stateful
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.statistics import collector

PROFILE = "fuzz"
DEFAULT_ACTIONS = 10_000

settings.register_profile(
    PROFILE,
    # For @given tests with no settings of their own; the modules' objects are rescaled below.
    max_examples=DEFAULT_ACTIONS,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    deadline=None,
    derandomize=False,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@dataclass
class Tally:
    """What one test item executed under the profile."""

    nodeid: str
    machines: set[str] = field(default_factory=set)
    examples: int = 0  # valid test cases, from Hypothesis' statistics
    steps: int = 0  # state-machine steps
    seconds: float = 0.0

    @property
    def actions(self) -> int:
        # A property example is one action; a machine's examples are counted by their steps.
        return self.steps if self.machines else self.examples

    @property
    def name(self) -> str:
        file, _, test = self.nodeid.rpartition("::")
        what = ", ".join(sorted(self.machines)) or test
        return f"{what} ({file.rpartition('/')[2]})"


@dataclass
class FuzzRun:
    target: int
    tallies: list[Tally] = field(default_factory=list)
    current: Tally | None = None


_RUN: FuzzRun | None = None


def target_actions() -> int:
    value = int(os.environ.get("GOVCHAIN_FUZZ_ACTIONS", DEFAULT_ACTIONS))
    if value < 1:
        raise pytest.UsageError(f"GOVCHAIN_FUZZ_ACTIONS must be positive, not {value}")
    return value


def fuzzed(base: settings, examples: int) -> settings:
    return settings(base, max_examples=max(examples, 1), derandomize=False, database=None)


def _count_steps(original: Callable[..., None]) -> Callable[..., None]:
    """Hypothesis checks invariants once before a machine's first step and once after each."""

    def check_invariants(self: RuleBasedStateMachine, *args: Any, **kwargs: Any) -> None:
        tally = _RUN.current if _RUN is not None else None
        if tally is not None:
            if getattr(self, "_fuzz_started", False):
                tally.steps += 1
            else:
                self._fuzz_started = True  # type: ignore[attr-defined]
                tally.machines.add(type(self).__name__)
        original(self, *args, **kwargs)

    return check_invariants


def _stretch_machines(original: Callable[..., Any]) -> Callable[..., Any]:
    """``run_state_machine_as_test`` looks this up at call time, whatever the module imported."""

    def get_state_machine_test(factory: Any, *, settings: settings | None = None, **kw: Any) -> Any:
        assert _RUN is not None
        base = settings if settings is not None else factory.TestCase.settings
        examples = math.ceil(_RUN.target / base.stateful_step_count)
        return original(factory, settings=fuzzed(base, examples), **kw)

    return get_state_machine_test


def _stretch_module_settings(module: ModuleType, target: int) -> None:
    for name, value in list(vars(module).items()):
        if isinstance(value, settings) and not getattr(value, "_fuzz_stretched", False):
            stretched = fuzzed(value, target)
            stretched._fuzz_stretched = True
            setattr(module, name, stretched)


@pytest.hookimpl(trylast=True)  # after Hypothesis' plugin has loaded --hypothesis-profile
def pytest_configure(config: pytest.Config) -> None:
    global _RUN
    if os.environ.get("GOVCHAIN_FUZZ") == "1":
        settings.load_profile(PROFILE)
    if settings.get_current_profile_name() != PROFILE:
        return
    _RUN = FuzzRun(target_actions())
    stateful: Any = hypothesis.stateful
    stateful.get_state_machine_test = _stretch_machines(stateful.get_state_machine_test)
    machine: Any = RuleBasedStateMachine
    machine.check_invariants = _count_steps(machine.check_invariants)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if _RUN is None:
        return
    for item in items:
        module = getattr(item, "module", None)
        if module is not None:
            _stretch_module_settings(module, _RUN.target)


@pytest.hookimpl(wrapper=True, trylast=True)  # inside Hypothesis' wrapper, to chain its collector
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    if _RUN is None:
        return (yield)
    tally = _RUN.current = Tally(item.nodeid)
    _RUN.tallies.append(tally)
    hook: Any = collector  # typed by Hypothesis as holding None only
    outer = hook.value

    def note_statistics(stats: Any) -> None:
        for phase in ("generate-phase", "reuse-phase", "explicit-phase"):
            cases = stats.get(phase, {}).get("test-cases", [])
            tally.examples += sum(c["status"] in ("valid", "interesting") for c in cases)
        if outer is not None:
            outer(stats)

    start = time.perf_counter()
    try:
        with hook.with_value(note_statistics):
            result = yield
    finally:
        tally.seconds = time.perf_counter() - start
        _RUN.current = None
    if tally.examples and tally.actions < _RUN.target:
        pytest.fail(f"{tally.name} executed {tally.actions:,} actions of {_RUN.target:,} asked")
    return result


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _RUN is None or not _RUN.tallies:
        return
    seed = config.getoption("hypothesis_seed", None)
    write = terminalreporter.write_line
    terminalreporter.section(f"fuzz: {_RUN.target:,} actions asked per machine")
    write(f"seed: {seed if seed is not None else 'random (pass --hypothesis-seed to replay)'}")
    columns = ("examples", "actions", "minutes", "per hour")
    write(f"{'machine / property':70} " + " ".join(f"{c:>9}" for c in columns))
    for t in _RUN.tallies:
        rate = t.actions / t.seconds * 3600 if t.seconds else 0.0
        mark = "" if t.actions >= _RUN.target else "  BELOW TARGET"
        write(
            f"{t.name:70} {t.examples:>9,} {t.actions:>9,} {t.seconds / 60:>9.1f} {rate:>9,.0f}"
            + mark
        )
