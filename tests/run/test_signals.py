"""Ctrl-C and SIGTERM during the pool: recorded, then raised from the pool's own loop."""

from __future__ import annotations

import os
import signal

import pytest

from leafletgen.run.signals import deferred_stop_signals


class Stop(BaseException):
    pass


def raise_stop(signum, frame):
    raise Stop(signum)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_is_held_until_check_and_then_raised_by_the_previous_handler(signum):
    previous = signal.signal(signum, raise_stop)
    try:
        with deferred_stop_signals() as check:
            os.kill(os.getpid(), signum)      # delivered now: only recorded
            for _ in range(1000):             # bytecodes run: nothing is raised in between
                pass
            with pytest.raises(Stop) as raised:
                check()
            assert raised.value.args == (signum,)
            check()                           # once raised, it is gone
        assert signal.getsignal(signum) is raise_stop
    finally:
        signal.signal(signum, previous)


def test_without_a_signal_check_does_nothing_and_the_handlers_come_back():
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    with deferred_stop_signals() as check:
        check()
        assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]
    assert {signum: signal.getsignal(signum) for signum in before} == before
