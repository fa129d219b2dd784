"""The limits per document on their own: where they come from, their messages, the options, taking
them on in a process, and the timer and memory error inside (found by mutation testing,
docs/development.md)."""

from __future__ import annotations

import argparse
import os
import resource
import signal
import threading
import time

import pytest

from leafletgen.errors import UserError
from leafletgen.run import limits
from leafletgen.run.limits import (DEFAULT_MEMORY_MB, DEFAULT_SECONDS, DocumentOverLimit, Limits, add_options,
                                   configure, configure_from, current, enter, entered, memory_limit, retime,
                                   time_limit, worker)


@pytest.fixture
def clean(monkeypatch):
    """No configured or entered limits, no limits in the environment; as before afterwards."""
    monkeypatch.setattr(limits, "_CONFIGURED", None)
    monkeypatch.setattr(limits, "_ENTERED", None)
    monkeypatch.delenv("LEAFLETGEN_TIME_LIMIT", raising=False)
    monkeypatch.delenv("LEAFLETGEN_MEMORY_LIMIT", raising=False)
    return monkeypatch


def test_defaults(clean):
    assert Limits() == Limits(60, 1024) == Limits.from_settings() == current()
    assert (DEFAULT_SECONDS, DEFAULT_MEMORY_MB) == (60, 1024)


@pytest.mark.parametrize("time_text, memory_text, expected", [
    ("5", "300", Limits(5.0, 300)),
    ("0", "0", Limits(0.0, 0)),
    ("2.5", "300.9", Limits(2.5, 300)),
    ("", "", Limits(60.0, 1024)),
    (" 30 ", " ", Limits(30.0, 1024)),
])
def test_from_the_environment(clean, time_text, memory_text, expected):
    clean.setenv("LEAFLETGEN_TIME_LIMIT", time_text)
    clean.setenv("LEAFLETGEN_MEMORY_LIMIT", memory_text)
    found = Limits.from_settings()
    assert found == expected and type(found.seconds) is float and type(found.memory_mb) is int


@pytest.mark.parametrize("name, text", [("LEAFLETGEN_TIME_LIMIT", "abc"), ("LEAFLETGEN_TIME_LIMIT", "-3"),
                                        ("LEAFLETGEN_MEMORY_LIMIT", "-1"), ("LEAFLETGEN_MEMORY_LIMIT", "x"),
                                        ("LEAFLETGEN_MEMORY_LIMIT", "inf"), ("LEAFLETGEN_TIME_LIMIT", "nan"),
                                        ("LEAFLETGEN_MEMORY_LIMIT", "1e13"), ("LEAFLETGEN_TIME_LIMIT", "1e300")])
def test_a_setting_that_is_no_limit_is_refused_not_read_as_the_default(clean, name, text):
    """A typo in a service's Environment= line would otherwise go unseen."""
    clean.setenv(name, text)
    with pytest.raises(UserError) as refused:
        Limits.from_settings()
    unit, largest = ("seconds", "86,400") if "TIME" in name else ("MB", "1,048,576")
    assert refused.value.lines == [f"{name}: {text!r} is not a number of {unit} from 0 (no limit) to {largest}; "
                                   "set it to one, or unset it for the default"]


def test_the_command_line_says_so_in_one_line(clean, tmp_path):
    from leafletgen.cli.main import main
    import io

    clean.setenv("LEAFLETGEN_MEMORY_LIMIT", "lots")
    out, err = io.StringIO(), io.StringIO()
    assert main(["--root", str(tmp_path), "list"], out, err) == 1
    assert err.getvalue() == ("error: LEAFLETGEN_MEMORY_LIMIT: 'lots' is not a number of MB from 0 (no limit) "
                              "to 1,048,576; set it to one, or unset it for the default\n")


def test_options_win_over_the_environment(clean):
    clean.setenv("LEAFLETGEN_TIME_LIMIT", "5")
    clean.setenv("LEAFLETGEN_MEMORY_LIMIT", "300")
    assert Limits.from_settings(7, 400) == Limits(7.0, 400)
    assert Limits.from_settings(0, None) == Limits(0.0, 300)
    assert Limits.from_settings(None, 0) == Limits(5.0, 0)


def test_configured_limits_win_over_the_environment(clean):
    clean.setenv("LEAFLETGEN_TIME_LIMIT", "5")
    configure(Limits(9, 99))
    assert current() == Limits(9, 99)
    configure_from(argparse.Namespace(time_limit=3.0))
    assert current() == Limits(3.0, DEFAULT_MEMORY_MB)
    configure_from(argparse.Namespace(memory_limit=200.0))
    assert current() == Limits(5.0, 200)


def test_the_messages_name_the_document_and_the_limit():
    slow = Limits(2.5, 300).too_slow("fysio/nl/rug")
    assert str(slow) == ("fysio/nl/rug: took longer than 2.5 s to render, the time limit; not written (a template "
                         "that loops? --time-limit changes the limit)")
    assert slow.code == "over_time" and slow.params == {"seconds": "2.5"}
    big = Limits(2.5, 300).too_big("fysio/nl/rug")
    assert str(big) == ("fysio/nl/rug: needed more than 300 MB of memory to render, the limit; not written "
                        "(--memory-limit changes the limit)")
    assert big.code == "over_memory" and big.params == {"memory_mb": 300}


def test_over_a_limit_survives_pickling():
    import pickle
    error = pickle.loads(pickle.dumps(DocumentOverLimit("too slow", "memory")))
    assert (error.message, error.kind, str(error)) == ("too slow", "memory", "too slow")
    assert DocumentOverLimit("x").kind == "time"


def parsers():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    commands = {name: sub.add_parser(name) for name in ("build", "check", "serve", "status")}
    return add_options(parser, commands), commands


def test_the_options_on_the_commands_that_render():
    parser, commands = parsers()
    assert parser.parse_args([]).time_limit is None and parser.parse_args([]).memory_limit is None
    assert parser.parse_args(["--time-limit", "5", "build"]).time_limit == 5.0
    args = parser.parse_args(["--time-limit", "5", "build", "--time-limit", "7", "--memory-limit", "0"])
    assert (args.time_limit, args.memory_limit) == (7.0, 0.0)
    for name in ("check", "serve"):
        assert parser.parse_args([name, "--memory-limit", "20"]).memory_limit == 20.0
    assert parser.parse_args(["--memory-limit", "20", "build"]).memory_limit == 20.0
    help_text = " ".join(parser.format_help().split())
    assert ("--time-limit SECONDS stop a document that takes longer than this to render (default: "
            "$LEAFLETGEN_TIME_LIMIT or 60; 0: no limit)") in help_text
    assert ("--memory-limit MB stop a document whose rendering needs more memory (default: "
            "$LEAFLETGEN_MEMORY_LIMIT or 1024; 0: no limit)") in help_text
    with pytest.raises(SystemExit):
        parser.parse_args(["status", "--time-limit", "5"])


@pytest.mark.parametrize("value, error", [("abc", "not a number: 'abc'"), ("-1", "must be from 0 (no limit) to 86,400"),
                                          ("nan", "must be from 0 (no limit) to 86,400"),
                                          ("inf", "must be from 0 (no limit) to 86,400"),
                                          ("1e300", "must be from 0 (no limit) to 86,400")])
def test_a_bad_option_says_why(value, error, capsys):
    parser, _ = parsers()
    with pytest.raises(SystemExit):
        parser.parse_args(["--time-limit", value])
    assert capsys.readouterr().err.endswith(f"argument --time-limit: {error}\n")
    assert parser.parse_args(["--time-limit", "0"]).time_limit == 0.0


def test_a_worker_takes_its_memory_limit_on_and_gives_it_back(clean):
    before = resource.getrlimit(resource.RLIMIT_AS)
    with worker(Limits(30, 512)):
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        space = limits._address_space()
        assert space > 0 and space < soft <= space + 512 * 1024 * 1024 and hard == before[1]
        assert entered() == Limits(30, 512)
        retime(5)
        assert entered() == Limits(5.0, 512)
    assert resource.getrlimit(resource.RLIMIT_AS) == before and entered() is None


def test_a_worker_without_memory_limit_keeps_the_address_space(clean):
    before = resource.getrlimit(resource.RLIMIT_AS)
    with worker(Limits(30, 0)):
        assert resource.getrlimit(resource.RLIMIT_AS) == before and entered() == Limits(30, 0)


def test_a_lower_limit_already_there_is_kept(clean):
    before = resource.getrlimit(resource.RLIMIT_AS)
    with worker(Limits(30, 1024)):
        lower = resource.getrlimit(resource.RLIMIT_AS)[0]
        enter(Limits(30, 4096))
        assert resource.getrlimit(resource.RLIMIT_AS)[0] == lower
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_retime_needs_limits_taken_on(clean):
    with pytest.raises(RuntimeError, match=r"^retime\(\) in a process that took no limits on \(limits\.enter\)$"):
        retime(5)


def test_the_timer_stops_python_code_and_is_put_back(clean):
    previous = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(DocumentOverLimit) as error:
        with time_limit(Limits(0.2, 0), "fysio/nl/rug"):
            while time.monotonic() - started < 60:
                pass
    assert time.monotonic() - started < 30
    assert error.value.kind == "time" and str(error.value).startswith("fysio/nl/rug: took longer than 0.2 s")
    assert signal.getsignal(signal.SIGALRM) is previous
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_timer_is_stopped_when_the_work_ends_in_time(clean):
    previous = signal.getsignal(signal.SIGALRM)
    with time_limit(Limits(30, 0), "x"):
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
        assert signal.getsignal(signal.SIGALRM) is not previous
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and signal.getsignal(signal.SIGALRM) is previous


def test_no_timer_without_a_time_limit_or_off_the_main_thread(clean):
    with time_limit(Limits(0, 0), "x"):
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    seen = []

    def elsewhere():
        with time_limit(Limits(30, 0), "x"):
            seen.append(signal.getitimer(signal.ITIMER_REAL))

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join(timeout=60)
    assert seen == [(0.0, 0.0)]


def test_a_memory_error_is_the_documents_limit():
    with pytest.raises(DocumentOverLimit) as error:
        with memory_limit(Limits(30, 300), "fysio/nl/rug"):
            raise MemoryError
    assert error.value.kind == "memory" and "more than 300 MB" in str(error.value)
    with pytest.raises(ValueError):
        with memory_limit(Limits(30, 300), "x"):
            raise ValueError


def test_the_address_space_is_the_processes_size():
    with open("/proc/self/status") as fh:
        size = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
    assert abs(limits._address_space() - size) < 64 * 1024 * 1024


def test_no_address_space_where_proc_is_not_there(monkeypatch):
    def missing(*args, **kwargs):
        raise FileNotFoundError("/proc/self/statm")

    monkeypatch.setattr("builtins.open", missing)
    assert limits._address_space() == 0


def test_a_worker_under_a_hard_limit_takes_its_limit_on_below_it(clean):
    """A hard limit can only be lowered, so in a child: soft = hard = what it has + 2 GB; a worker
    taking 1 GB on gets a soft limit below that."""
    enter(Limits(30, 0))        # here too (no memory limit: nothing changes), so a tracer sees the call
    child = os.fork()
    if child == 0:                                  # the child: exit 0 when the limit is as expected
        code = 1
        try:
            space = limits._address_space()
            ceiling = space + 2048 * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
            enter(Limits(30, 1024))
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            code = 0 if hard == ceiling and space + 1000 * 1024 * 1024 < soft < space + 1100 * 1024 * 1024 else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
