"""Open Space reports and next steps in the pure domain: who may write, versions, consent."""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.formats import CUSTOM_TEMPLATES, FORMATS
from hostkit.domain.model import SessionState
from tests.domain_helpers import (
    LIBRARY,
    ONLINE,
    VENUE,
    Logged,
    code,
    ok,
    person,
    replay,
    run,
    session,
)

PEOPLE = (
    person("host", role="host"),
    person("libhost", role="cell_host", cell=LIBRARY),
    person("ana"),
    person("ben", where="remote"),
    person("cy"),
    person("dee", name=None),  # anonymous
    person("eve", role="observer"),
)


def open_space(log: list[Logged] | None = None) -> tuple[SessionState, str, str]:
    """An Open Space with two topics placed (buses online, shops in the hall), topic
    sessions open; ana and ben went to buses, ben then moved on to shops (two feet)."""
    state = session(*PEOPLE, format_id="open-space", groups=(), log=log)
    ok(run(state, "host", cmd.OpenPhase("p2"), log=log))
    ok(run(state, "ben", cmd.PostContribution("topic", "Late buses home"), log=log))
    ok(run(state, "cy", cmd.PostContribution("topic", "Empty shops"), log=log))
    topics = {c.text: c.id for c in state.contributions.values()}
    ok(
        run(
            state,
            "host",
            cmd.PlaceTopic(topics["Late buses home"], "10:00", "Online 1", ONLINE),
            log=log,
        )
    )
    ok(run(state, "host", cmd.PlaceTopic(topics["Empty shops"], "10:00", "Hall", VENUE), log=log))
    groups = {g.name: g.id for g in state.groups.values()}
    buses, shops = groups["Late buses home"], groups["Empty shops"]
    ok(run(state, "host", cmd.OpenPhase("p3"), log=log))
    for who, where in (("ana", buses), ("ben", buses), ("cy", shops), ("ben", shops)):
        ok(run(state, who, cmd.ChooseGroup(where), log=log))
    return state, buses, shops


def test_a_report_names_by_default_the_convener_and_everyone_who_was_in_the_group() -> None:
    state, buses, _ = open_space()
    ok(run(state, "ana", cmd.SubmitReport(buses, summary="Buses stop at 22:00.")))
    report = state.reports[buses]
    assert report.convener_id == "ben"  # proposed the topic
    assert report.participant_ids == ["ana", "ben"]  # ben has moved on; he still took part
    assert (report.topic, report.summary, report.version) == (
        "Late buses home",
        "Buses stop at 22:00.",
        1,
    )
    assert report.phase_id == "p3" and report.author_id == "ana" and not report.off_record


def test_the_group_its_convener_and_the_hosts_may_write_it_nobody_else() -> None:
    state, buses, shops = open_space()
    assert code(run(state, "cy", cmd.SubmitReport(buses, summary="Not mine"))) == "not_allowed"
    assert code(run(state, "eve", cmd.SubmitReport(buses, summary="Watching"))) == "not_allowed"
    # a cell host governs only their own venue's groups
    assert code(run(state, "libhost", cmd.SubmitReport(shops, summary="x"))) == "not_allowed"
    ok(run(state, "ben", cmd.SubmitReport(buses, summary="Convener, moved on, still writes")))
    ok(run(state, "host", cmd.SubmitReport(shops, summary="The host fills it in")))
    assert state.reports[shops].author_id == "host"


def test_only_topic_groups_write_reports_and_only_once_the_topic_sessions_begin() -> None:
    state = session(*PEOPLE, format_id="open-space", groups=(), log=None)
    ok(run(state, "host", cmd.CreateGroup("Tea table", VENUE)))
    table = next(iter(state.groups))
    assert code(run(state, "host", cmd.SubmitReport(table, summary="Tea"))) == "not_a_topic"
    assert code(run(state, "host", cmd.SubmitReport("nope", summary="?"))) == "unknown_group"
    ok(run(state, "host", cmd.OpenPhase("p2")))
    ok(run(state, "ana", cmd.PostContribution("topic", "Parking")))
    ok(run(state, "host", cmd.PlaceTopic(next(iter(state.contributions)), "9:00", "Hall", VENUE)))
    topic_group = next(g.id for g in state.groups.values() if g.topic_id)
    early = cmd.SubmitReport(topic_group, summary="Too early")
    assert code(run(state, "host", early)) == "no_topic_session"


def test_every_version_is_logged_and_the_latest_wins() -> None:
    log: list[Logged] = []
    state, buses, _ = open_space(log)
    ok(run(state, "ana", cmd.SubmitReport(buses, summary="First draft"), log=log))
    second = cmd.SubmitReport(
        buses,
        summary="Buses stop at 22:00.",
        recommendations="Run a 23:00 bus on Fridays.",
        resources="The bus company's timetable",
        requests="Council data on late journeys",
        participant_ids="ana, ben, dee",
        base_version=1,
    )
    ok(run(state, "ben", second, log=log))
    report = state.reports[buses]
    assert report.version == 2 and report.summary == "Buses stop at 22:00."
    assert report.participant_ids == ["ana", "ben", "dee"] and report.author_id == "ben"
    assert report.first_seq < report.seq
    versions = [e.event for e in log if isinstance(e.event, ev.ReportSubmitted)]
    assert [v.summary for v in versions] == ["First draft", "Buses stop at 22:00."]
    assert replay(log) == state


def test_a_stale_edit_is_refused_not_silently_lost() -> None:
    state, buses, _ = open_space()
    ok(run(state, "ana", cmd.SubmitReport(buses, summary="Ana's", base_version=0)))
    stale = cmd.SubmitReport(buses, summary="Ben's, from the page before Ana saved", base_version=0)
    assert code(run(state, "ben", stale)) == "report_changed"
    assert state.reports[buses].summary == "Ana's"


def test_bad_reports_are_refused_with_a_reason() -> None:
    state, buses, _ = open_space()
    assert code(run(state, "ana", cmd.SubmitReport(buses))) == "report_empty"
    assert code(run(state, "ana", cmd.SubmitReport(buses, summary="  \n "))) == "report_empty"
    long = cmd.SubmitReport(buses, summary="ok", requests="x" * 10_001)
    assert code(run(state, "ana", long)) == "text_too_long"
    stranger = cmd.SubmitReport(buses, summary="ok", participant_ids=["ana", "nobody"])
    assert code(run(state, "ana", stranger)) == "unknown_participant"
    convener = cmd.SubmitReport(buses, summary="ok", convener_id="nobody")
    assert code(run(state, "ana", convener)) == "unknown_participant"
    assert buses not in state.reports


def test_a_report_finished_in_convergence_still_reports_on_the_topic_sessions() -> None:
    state, buses, _ = open_space()
    ok(run(state, "host", cmd.OpenPhase("p4")))
    ok(run(state, "ana", cmd.SubmitReport(buses, summary="Finished late")))
    assert state.reports[buses].phase_id == "p3"


def test_after_the_last_phase_only_hosts_may_change_a_report() -> None:
    state, buses, _ = open_space()
    ok(run(state, "host", cmd.ClosePhase("p3")))
    assert code(run(state, "ana", cmd.SubmitReport(buses, summary="Late"))) == "phase_closed"
    ok(run(state, "host", cmd.SubmitReport(buses, summary="Typed up from the flipchart")))


def test_a_report_of_a_confidential_topic_session_stays_off_the_record() -> None:
    state, buses, shops = open_space()
    ok(run(state, "host", cmd.SetPhaseAttribution("p3", "confidential")))
    ok(run(state, "ana", cmd.SubmitReport(buses, summary="Said in confidence")))
    ok(run(state, "cy", cmd.SubmitReport(shops, summary="Ours", off_record=True)))
    assert state.reports[buses].off_record and state.reports[shops].off_record


def test_a_muted_person_cannot_write_a_report_or_a_next_step() -> None:
    state, buses, _ = open_space()
    ok(run(state, "host", cmd.MuteParticipant("ana")))
    assert code(run(state, "ana", cmd.SubmitReport(buses, summary="x"))) == "muted"
    assert code(run(state, "ana", cmd.RecordAction("x"))) == "muted"


# -- next steps --------------------------------------------------------------------------


def pro_action_cafe() -> SessionState:
    """A Pro Action Café in its last phase, Next steps."""
    state = session(*PEOPLE, format_id="pro-action-cafe")
    ok(run(state, "host", cmd.OpenPhase("p5")))
    return state


def test_callers_record_next_steps_with_an_owner_and_a_date() -> None:
    state = pro_action_cafe()
    (mine,) = ok(
        run(state, "ana", cmd.RecordAction("Book the hall", owner_id="ana", due="2026-12-01"))
    )
    (theirs,) = ok(run(state, "ben", cmd.RecordAction("Ask for a grant", owner="Town council")))
    (open_,) = ok(run(state, "cy", cmd.RecordAction("Find a treasurer")))
    assert isinstance(mine, ev.ContributionPosted) and isinstance(theirs, ev.ContributionPosted)
    assert isinstance(open_, ev.ContributionPosted)
    booked = state.contributions[mine.contribution_id]
    assert (booked.kind, booked.owner_id, booked.owner, booked.due) == (
        "action",
        "ana",
        None,
        "2026-12-01",
    )
    grant = state.contributions[theirs.contribution_id]
    assert (grant.owner_id, grant.owner, grant.due) == (None, "Town council", None)
    treasurer = state.contributions[open_.contribution_id]
    assert (treasurer.owner_id, treasurer.owner) == (None, None)
    # a next step is a contribution: its author may withdraw it like any other
    ok(run(state, "ana", cmd.WithdrawContribution(mine.contribution_id)))
    assert state.contributions[mine.contribution_id].withdrawn


def test_bad_next_steps_are_refused_with_a_reason() -> None:
    state = pro_action_cafe()
    both = cmd.RecordAction("x", owner_id="ana", owner="The council")
    assert code(run(state, "ana", both)) == "owner_twice"
    assert code(run(state, "ana", cmd.RecordAction("x", owner_id="ghost"))) == "unknown_participant"
    assert code(run(state, "ana", cmd.RecordAction("x", due="31/12/2026"))) == "invalid_value"
    assert code(run(state, "ana", cmd.RecordAction("x", due="2026-02-30"))) == "invalid_value"
    assert code(run(state, "ana", cmd.RecordAction("x", owner="o" * 121))) == "text_too_long"
    assert code(run(state, "ana", cmd.RecordAction("   "))) == "text_empty"
    assert code(run(state, "eve", cmd.RecordAction("Watch"))) == "not_allowed"
    assert not any(c.kind == "action" for c in state.contributions.values())


def test_only_phases_that_allow_next_steps_take_them() -> None:
    state = session(*PEOPLE, format_id="pro-action-cafe")
    assert code(run(state, "ana", cmd.RecordAction("Too soon"))) == "phase_closed"
    ok(run(state, "host", cmd.OpenPhase("p2")))  # round 1: the quest behind the question
    assert code(run(state, "ana", cmd.RecordAction("Too soon"))) == "kind_not_allowed"
    ok(run(state, "host", cmd.OpenPhase("p4")))  # round 3: what next steps
    ok(run(state, "ana", cmd.RecordAction("Now", off_record=True)))
    assert [c.off_record for c in state.contributions.values() if c.kind == "action"] == [True]


def test_next_steps_wait_for_approval_under_pre_moderation() -> None:
    state = pro_action_cafe()
    ok(run(state, "host", cmd.SetModeration(True)))
    (held,) = ok(run(state, "ana", cmd.RecordAction("Print flyers", owner_id="ana")))
    assert isinstance(held, ev.ContributionPosted) and held.pending and held.owner_id == "ana"


def test_the_templates_mark_where_people_commit_to_next_steps() -> None:
    takes = {
        (t.id, p.title)
        for t in (*FORMATS.values(), *CUSTOM_TEMPLATES.values())
        for p in t.phases
        if "action" in p.allows
    }
    assert takes == {
        ("open-space", "Convergence"),
        ("pro-action-cafe", "Round 3"),
        ("pro-action-cafe", "Next steps"),
        ("appreciative-inquiry", "Destiny"),
        ("triz", "Stop"),
        ("25-10-crowd-sourcing", "Top ten"),
    }
