"""A pytest plugin that fails the run when a secret of the test run reaches any output.

The secrets are anvil's development private keys and whatever the tests pass to
:func:`register` (keystore passwords, imported private keys). Watched outputs: every test
report's captured stdout/stderr/log sections and failure text, every click ``CliRunner`` result
(output and uncaught exception), and what ``subprocess.run`` captures.

A leak fails the test it happened in, with a message naming the test, the kind of secret and
where it appeared; the secret itself is redacted from the report, so the run's own output never
prints it. Keys are found in any form (with or without ``0x``, any letter case, or as a Python
bytes literal); passwords are matched exactly. Values shorter than :data:`MIN_LENGTH` are not
watched: "pw" would match innocent text everywhere.
"""

from __future__ import annotations

import re
import subprocess
import traceback
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from click.testing import CliRunner, Result

MIN_LENGTH = 8
DEV_KEY = "dev private key"
PRIVATE_KEY = "private key"
PASSWORD = "keystore password"

_HEX_KEY = re.compile(r"(?:0[xX])?[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class Secret:
    """One watched value: its kind, and the forms it is searched in."""

    kind: str
    folded: tuple[str, ...] = ()  # searched in lower-cased text
    exact: tuple[str, ...] = ()  # searched as they are

    def found_in(self, text: str, folded_text: str) -> bool:
        return any(n in folded_text for n in self.folded) or any(n in text for n in self.exact)

    def redact(self, text: str) -> str:
        for needle in self.folded:
            text = re.sub(re.escape(needle), f"[{self.kind}]", text, flags=re.IGNORECASE)
        for needle in self.exact:
            text = text.replace(needle, f"[{self.kind}]")
        return text


_secrets: dict[tuple[str, ...], Secret] = {}


def _key_secret(raw: bytes, kind: str) -> Secret:
    # The bytes literal form is what a careless repr() or f"{key}" of raw bytes prints.
    return Secret(kind, folded=(raw.hex(),), exact=(repr(raw)[2:-1],))


def register(value: str | bytes, kind: str | None = None) -> None:
    """Watch ``value`` for the rest of the run (a 32-byte key in hex or bytes, or a password)."""
    if isinstance(value, bytes):
        secret = _key_secret(value, kind or PRIVATE_KEY) if len(value) == 32 else None
        if secret is None and len(value) >= MIN_LENGTH:
            secret = Secret(kind or PASSWORD, exact=(value.decode("utf-8", "replace"),))
    elif _HEX_KEY.fullmatch(value):
        secret = _key_secret(bytes.fromhex(value[-64:]), kind or PRIVATE_KEY)
    elif len(value) >= MIN_LENGTH:
        secret = Secret(kind or PASSWORD, exact=(value,))
    else:
        secret = None
    if secret is not None:
        _secrets.setdefault(secret.folded + secret.exact, secret)


def find_leaks(text: str) -> list[str]:
    """The kinds of the watched secrets that ``text`` contains (never the secrets themselves)."""
    if not text:
        return []
    folded = text.lower()
    return sorted({s.kind for s in _secrets.values() if s.found_in(text, folded)})


def redact(text: str) -> str:
    """``text`` with every watched secret replaced by the name of its kind."""
    folded = text.lower()
    for secret in _secrets.values():
        if secret.found_in(text, folded):
            text = secret.redact(text)
            folded = text.lower()
    return text


@dataclass(frozen=True)
class Leak:
    test: str
    kind: str
    where: str

    def __str__(self) -> str:
        return f"{self.test}: a {self.kind} appeared in {self.where}"


@dataclass
class Watch:
    """The leaks of one pytest session; outputs seen outside a report wait for the next one."""

    current: str = "(outside any test)"
    leaks: list[Leak] = field(default_factory=list)
    pending: list[Leak] = field(default_factory=list)

    def check(self, text: str, where: str) -> None:
        self.pending += [Leak(self.current, kind, where) for kind in find_leaks(text)]

    def settle(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        """Fail ``report`` if its own text or the outputs seen since the last report leaked."""
        found, self.pending = self.pending, []
        for title, content in report.sections:
            found += [Leak(report.nodeid, kind, title) for kind in find_leaks(content)]
        failure = report.longreprtext if report.longrepr is not None else ""
        found += [
            Leak(report.nodeid, kind, "the failure text")
            for kind in find_leaks(_without_source_lines(failure))
        ]
        if not found:
            return
        # Redact even a leak already reported: a test's later reports repeat its earlier sections.
        report.sections = [(title, redact(content)) for title, content in report.sections]
        new = [leak for leak in dict.fromkeys(found) if leak not in self.leaks]
        if not new:
            if report.longrepr is not None:
                report.longrepr = redact(failure)
            return
        self.leaks += new
        lines = "\n".join(f"SECRET LEAK: {leak}" for leak in new)
        report.longrepr = f"{lines}\n\n{redact(failure)}".rstrip()
        report.outcome = "failed"
        if hasattr(report, "wasxfail"):
            del report.wasxfail  # a leak is never an expected failure


def _without_source_lines(failure: str) -> str:
    """The failure text without the test's source lines, which may hold its own secret literals.

    Source lines are indented (or marked ``>``); exception messages start with ``E`` or at the
    left margin (``--tb=native``).
    """
    return "\n".join(line for line in failure.splitlines() if line[:1] not in (">", " ", "\t"))


_watches: list[Watch] = []  # a stack: a pytest run inside a test (pytester) watches on top
_originals: dict[str, Callable[..., Any]] = {}


def _seen(text: str, where: str) -> None:
    if _watches:
        _watches[-1].check(text, where)


def _decode(data: Any) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data if isinstance(data, str) else ""


def _watched_invoke(self: CliRunner, *args: Any, **kwargs: Any) -> Result:
    result: Result = _originals["invoke"](self, *args, **kwargs)
    _seen(_decode(result.stdout_bytes), "CliRunner output")
    _seen(_decode(result.stderr_bytes), "CliRunner stderr")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        text = "".join(traceback.format_exception(result.exception))
        _seen(text, "a CliRunner exception")
    return result


def _watched_run(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    try:
        completed: subprocess.CompletedProcess[Any] = _originals["run"](*args, **kwargs)
    except subprocess.CalledProcessError as exc:
        _seen(_decode(exc.stdout) + _decode(exc.stderr), "a subprocess's output")
        raise
    _seen(_decode(completed.stdout) + _decode(completed.stderr), "a subprocess's output")
    return completed


def _install() -> None:
    if not _originals:
        _originals["invoke"] = CliRunner.invoke
        _originals["run"] = subprocess.run
        CliRunner.invoke = _watched_invoke  # type: ignore[method-assign]
        subprocess.run = _watched_run


def _uninstall() -> None:
    if _originals:
        CliRunner.invoke = _originals.pop("invoke")  # type: ignore[method-assign]
        subprocess.run = _originals.pop("run")


def _dev_keys() -> Iterable[bytes]:
    from govchain.accounts import dev_accounts

    return (bytes(account.key) for account in dev_accounts())


# -- hooks ----------------------------------------------------------------------------------------

_WATCH = pytest.StashKey[Watch]()


def pytest_configure(config: pytest.Config) -> None:
    for key in _dev_keys():
        register(key, DEV_KEY)
    watch = Watch()
    config.stash[_WATCH] = watch
    _watches.append(watch)
    _install()


def pytest_unconfigure(config: pytest.Config) -> None:
    watch = config.stash.get(_WATCH, None)
    if watch in _watches:
        _watches.remove(watch)
    if not _watches:
        _uninstall()


def pytest_runtest_logstart(nodeid: str) -> None:
    if _watches:
        _watches[-1].current = nodeid


@pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: after xfail has had its say
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.config.stash[_WATCH].settle(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    collector.config.stash[_WATCH].settle(report)
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    watch = session.config.stash[_WATCH]
    watch.leaks += watch.pending  # output after the last test (session fixture teardown)
    if watch.leaks and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    watch = config.stash[_WATCH]
    if watch.leaks:
        terminalreporter.section("secret leaks", red=True, bold=True)
        for leak in watch.leaks:
            terminalreporter.line(f"SECRET LEAK: {leak}")
