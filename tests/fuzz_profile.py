"""The Hypothesis ``fuzz`` profile: long runs of the state machines, with a count of actions.

Selected by ``--hypothesis-profile=fuzz`` or ``GOVCHAIN_FUZZ=1`` (``make fuzz`` does the first);
without it this plugin changes nothing. Under it every Hypothesis run is stretched so that it
executes at least ``GOVCHAIN_FUZZ_ACTIONS`` (default 10,000) random actions:

- a state machine (``run_state_machine_as_test``) gets ``ceil(actions / stateful_step_count)``
  examples (plus a margin, and further rounds while it falls short), its step count left as
  the machine chose it (its rules are tuned to it);
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
import random
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
SHORTFALL = 0.1  # examples end early on average (ballot 34.8 of 36 steps, welfare 18.6 of 25)
MAX_ROUNDS = 5

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
    seed: str  # --hypothesis-seed, or one drawn here; later rounds of a machine derive theirs
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
    """``run_state_machine_as_test`` looks this up at call time, whatever the module imported.

    Hypothesis may end an example before ``stateful_step_count`` steps (it stops drawing when
    an example's choices grow large), so examples x steps can fall short of the target: the
    test then runs further rounds, each with its own seed derived from the run's, until the
    machine has executed the actions asked.
    """

    def get_state_machine_test(factory: Any, *, settings: settings | None = None, **kw: Any) -> Any:
        run = _RUN
        assert run is not None
        base = settings if settings is not None else factory.TestCase.settings
        steps = base.stateful_step_count

        def rounds_until_target() -> None:
            tally = run.current or Tally("")  # outside a test item: one round, uncounted
            first_steps, first_examples = tally.steps, tally.examples
            per_example = steps / (1 + SHORTFALL)
            for round_ in range(MAX_ROUNDS):
                done, examples_done = tally.steps - first_steps, tally.examples - first_examples
                if done >= run.target or (round_ and run.current is None):
                    return
                if examples_done:  # the steps an example really takes, as measured so far
                    per_example = max(done / examples_done, 1.0)
                examples = math.ceil((run.target - done) / per_example)
                test = original(factory, settings=fuzzed(base, examples), **kw)
                if round_:  # round 0 follows --hypothesis-seed exactly
                    test = hypothesis.seed(f"{run.seed}:{round_}")(test)
                test()

        return rounds_until_target

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
    seed = config.getoption("hypothesis_seed", None)
    _RUN = FuzzRun(target_actions(), str(seed if seed is not None else random.getrandbits(64)))
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
    replay = f"--hypothesis-seed={seed}" if seed is not None else "random: pass --hypothesis-seed"
    write(f"seed: {replay} (further rounds of a machine: {_RUN.seed}:<round>)")
    columns = ("examples", "actions", "minutes", "per hour")
    write(f"{'machine / property':70} " + " ".join(f"{c:>9}" for c in columns))
    for t in _RUN.tallies:
        rate = t.actions / t.seconds * 3600 if t.seconds else 0.0
        mark = "" if t.actions >= _RUN.target else "  BELOW TARGET"
        write(
            f"{t.name:70} {t.examples:>9,} {t.actions:>9,} {t.seconds / 60:>9.1f} {rate:>9,.0f}"
            + mark
        )
