"""A node's life: what it answers while serving, draining and stopping (no I/O)."""

from __future__ import annotations

from hostkit.server.lifecycle import Lifecycle, Phase


def test_a_serving_node_is_healthy_and_takes_everything() -> None:
    node = Lifecycle()
    assert node.health() == (200, "ok")
    assert not node.stopping
    assert node.ticked(1e9) == node  # time alone never stops a serving node


def test_the_signal_makes_probes_fail_at_once_while_clients_are_still_served() -> None:
    node = Lifecycle().signalled(now=100.0, drain_s=3.0)
    assert node.phase is Phase.DRAINING
    assert node.health() == (503, "stopping")
    assert not node.stopping  # commands and connections still taken
    assert node.ticked(102.9) == node


def test_the_drain_ends_in_stopping_and_stays_unhealthy() -> None:
    node = Lifecycle().signalled(now=100.0, drain_s=3.0).ticked(103.0)
    assert node.stopping
    assert node.health() == (503, "stopping")
    assert node.ticked(1e9) == node


def test_a_second_signal_or_no_drain_period_stops_at_once() -> None:
    draining = Lifecycle().signalled(now=0.0, drain_s=3.0)
    assert draining.signalled(now=0.5, drain_s=3.0).stopping
    assert Lifecycle().signalled(now=0.0, drain_s=0).stopping
    stopped = Lifecycle().signalled(now=0.0, drain_s=0)
    assert stopped.signalled(now=1.0, drain_s=3.0).stopping  # never back to draining


def test_asking_to_drain_again_never_cuts_the_drain_short() -> None:
    draining = Lifecycle().drained(now=100.0, drain_s=3.0)
    assert draining == Lifecycle().signalled(now=100.0, drain_s=3.0)
    assert draining.drained(now=101.0, drain_s=3.0) == draining
    assert Lifecycle().drained(now=0.0, drain_s=0).stopping
    stopping = draining.ticked(103.0)
    assert stopping.drained(now=104.0, drain_s=3.0) == stopping
