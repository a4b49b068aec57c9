"""The participant page shows each person the format's state, and works without scripts.

Real server, real join forms; each page is fetched with that person's own cookie and
its forms are submitted the way a browser without JavaScript would (plain posts to
/act, then the page again), so what is asserted is what each person reads.
"""

from __future__ import annotations

from typing import Any

import httpx
from bs4 import BeautifulSoup, Tag

from tests.format_play import act, arrive, host_of, new_group, open_phase
from tests.harness import Person, Server


class Page:
    """One person's participant page as their browser shows it."""

    def __init__(self, person: Person, html: str, notice: str | None = None) -> None:
        self.person, self.notice = person, notice
        self.soup = BeautifulSoup(html, "html.parser")

    def find(self, css: str) -> Tag | None:
        found = self.soup.select_one(css)
        return found if isinstance(found, Tag) else None

    def text(self, css: str) -> str:
        """The visible words of the first match ("" if absent or hidden)."""
        found = self.find(css)
        if found is None or not self.shown(css):
            return ""
        return " ".join(found.get_text(" ", strip=True).split())

    def texts(self, css: str) -> list[str]:
        return [" ".join(t.get_text(" ", strip=True).split()) for t in self.soup.select(css)]

    def shown(self, css: str) -> bool:
        found = self.find(css)
        while found is not None:
            if found.has_attr("hidden"):
                return False
            parent = found.parent
            found = parent if isinstance(parent, Tag) else None
        return self.find(css) is not None

    def buttons(self, css: str = "main") -> list[str]:
        scope = self.find(css)
        return (
            [] if scope is None else [b.get_text(" ", strip=True) for b in scope.select("button")]
        )


def _client(person: Person) -> httpx.AsyncClient:
    cookies = {f"hk_{person.session_id}": person.token}
    return httpx.AsyncClient(base_url=person.server.url, cookies=cookies)


async def page_of(person: Person) -> Page:
    async with _client(person) as http:
        response = await http.get(f"/s/{person.session_id}")
    assert response.status_code == 200, response.text
    return Page(person, response.text)


async def press(page: Page, button: str, within: str = "main", **typed: str) -> Page:
    """Fill and submit the form holding ``button`` (its hidden fields, ticked boxes and
    ``typed`` values), as a browser without scripts does; returns the page it lands on."""
    scope = page.find(within)
    assert scope is not None, within
    found = next((b for b in scope.select("button") if b.get_text(" ", strip=True) == button), None)
    assert found is not None, f"no button {button!r} in {within}: {page.buttons(within)}"
    form = found.find_parent("form")
    assert isinstance(form, Tag)
    data: dict[str, Any] = {}
    for field in form.select("input, textarea"):
        name = str(field.get("name", ""))
        if not name or (field.get("type") == "checkbox" and name not in typed):
            continue
        data[name] = typed.get(name, field.get("value", "") if field.name == "input" else "")
    async with _client(page.person) as http:
        response = await http.post(str(form["action"]), data=data)
        assert response.status_code == 303, response.text
        location = httpx.URL(response.headers["location"])
        again = await http.get(location.path)
    return Page(page.person, again.text, location.params.get("notice"))


async def test_a_circle_shows_each_person_the_holder_the_order_and_their_turn(
    server: Server,
) -> None:
    links = await server.new_session("circle", title="Evening circle")
    host = await host_of(server, links)
    rhian = await arrive(server, links.room_url, "Rhian")
    dewi = await arrive(server, links.remote_url, "Dewi")
    mair = await arrive(server, links.room_url, "Mair")
    await act(host, {"type": "set_hat", "participant_id": mair.participant_id, "hat": "scribe"})
    await open_phase(host, 2)
    await act(host, {"type": "set_speaking_order", "turn_s": 120})
    full = (await host.snapshot())["talking"][""]["order"]
    by_id = {p.participant_id: p for p in (rhian, dewi, mair)}
    names = {rhian.participant_id: "Rhian", dewi.participant_id: "Dewi"}
    names |= {mair.participant_id: "Mair", host.participant_id: "Host"}
    order = list(full)
    if order[0] == host.participant_id:  # the host (in the room) speaks first, hands it on
        await act(host, {"type": "pass_talking_piece"})
        order = order[1:]
    first, second = by_id[order[0]], by_id[order[1]]

    holder = await page_of(first)
    assert holder.text("#piece-holder") == "You hold the talking piece."
    assert holder.shown("#piece-mine")
    assert {"Pass it on", "Pass without speaking"} <= set(holder.buttons("#piece"))
    assert holder.text("#piece-guide") == "Time guide: about 2 minutes a turn"
    listed = holder.texts("#speaking-order li")
    assert [li.split(" ")[0] for li in listed] == [names[p] for p in full]
    assert f"{names[first.participant_id]} (you) — holds the piece" in listed

    waiting = await page_of(second)
    assert (
        waiting.text("#piece-holder") == f"{names[first.participant_id]} holds the talking piece."
    )
    assert not waiting.shown("#piece-mine")  # only the holder has the buttons
    held = waiting.find("#speaking-order li.holder")
    assert held is not None and held.get("aria-current") == "true"
    assert "holds the piece" in held.get_text()  # in words, not only a colour

    # without scripts: the holder passes without speaking; the next person now holds it
    after = await press(holder, "Pass without speaking", "#piece")
    assert after.notice == "Done."
    assert f"{names[first.participant_id]} (you) — passed" in after.texts("#speaking-order li")
    now = await page_of(second)
    assert now.text("#piece-holder") == "You hold the talking piece."
    assert now.shown("#piece-mine")
    refused = await press(holder, "Pass it on", "#piece")  # a stale page, pressed twice
    assert refused.notice == "Only the person holding the talking piece can pass it."

    scribe = await page_of(mair)
    assert "You are the scribe for this group" in scribe.text("#hats")


async def test_world_cafe_tells_each_traveller_where_to_go_and_offers_the_call(
    server: Server,
) -> None:
    links = await server.new_session("world-cafe", title="High street")
    host = await host_of(server, links)
    one = await new_group(host, "Table 1", "venue-1", remote_seats=True)
    two = await new_group(host, "Table 2", "venue-1", remote_seats=True)
    call = "https://meet.example/table-2?x=1&y=2"
    await act(host, {"type": "set_call_url", "group_id": two, "call_url": call})
    people = [await arrive(server, links.room_url, n) for n in ("Rhian", "Siôn", "Mair")]
    people += [await arrive(server, links.remote_url, n) for n in ("Dewi", "Nia")]
    await open_phase(host, 2)
    for person, table in zip(people, (one, one, two, two, one), strict=True):
        await act(
            host,
            {
                "type": "move_participant",
                "participant_id": person.participant_id,
                "group_id": table,
            },
        )

    at_two = await page_of(people[3])
    assert at_two.text("#place-now") == "You are now at Table 2."
    assert at_two.text("#place-with") == "With you: Mair"
    link = at_two.find("#call-link")
    assert link is not None and at_two.shown("#call-link")
    assert link["href"] == call and link["target"] == "_blank"
    assert "noopener" in str(link["rel"])
    assert link.get_text(" ", strip=True) == "Join the call for Table 2 (opens in a new tab)"
    assert not (await page_of(people[0])).shown("#call-link")  # Table 1 has no call
    assert not at_two.shown("#next-seat")

    await act(host, {"type": "propose_seating", "seed": 3})
    seats = (await host.snapshot())["seating"]["seats"]
    table_name = {one: "Table 1", two: "Table 2"}
    for person in people:
        shown = await page_of(person)
        goes = seats[person.participant_id]
        stays = (await person.snapshot())["participants"]
        mine = next(p for p in stays if p["id"] == person.participant_id)["group_id"]
        verb = "stay at" if goes == mine else "go to"
        assert shown.text("#next-seat") == f"Next round: {verb} {table_name[goes]}."

    await act(host, {"type": "apply_seating"})
    for person in people:
        moved = await page_of(person)
        goes = table_name[seats[person.participant_id]]
        assert moved.text("#place-now") == f"You are now at {goes}."
        assert not moved.shown("#next-seat")
        assert moved.text("#status-line").startswith(f"Round 1 of 3 — {goes} —")


async def test_1_2_4_all_tells_each_person_their_pair(server: Server) -> None:
    links = await server.new_session("1-2-4-all")
    host = await host_of(server, links)
    called = ("Rhian", "Siôn", "Mair", "Ifan")
    people = [await arrive(server, links.room_url, n) for n in called]
    await open_phase(host, 2)
    await act(host, {"type": "form_groups", "size": 2, "seed": 1})
    state = await host.snapshot()
    group_of = {p["id"]: p["group_id"] for p in state["participants"]}
    names = {g["id"]: g["name"] for g in state["groups"]}
    label = {p.participant_id: n for p, n in zip(people, called, strict=True)}
    for person in people:
        shown = await page_of(person)
        pair = group_of[person.participant_id]
        partner = next(p for p, g in group_of.items() if g == pair and p != person.participant_id)
        assert shown.text("#place-now") == f"You are now in {names[pair]}."
        assert shown.text("#place-with") == f"With you: {label[partner]}"


async def test_questions_are_listed_by_upvotes_and_show_when_answered(server: Server) -> None:
    links = await server.new_session("fishbowl")
    host = await host_of(server, links)
    ifan = await arrive(server, links.room_url, "Ifan")
    nia = await arrive(server, links.remote_url, "Nia")
    owain = await arrive(server, links.remote_url, "Owain")
    await open_phase(host, 1)
    for asker, text in ((ifan, "Who decides?"), (nia, "What does it cost?")):
        await act(asker, {"type": "post_contribution", "kind": "question", "text": text})
    first = await page_of(owain)
    assert first.texts("#questions .text") == ["Who decides?", "What does it cost?"]
    assert first.texts("#notes .text") == []  # questions are listed once, with their votes

    # without scripts: two people upvote the later question, which rises to the top
    voted = await press(first, "Upvote", "#questions li:nth-of-type(2)")
    assert voted.texts("#questions .text") == ["What does it cost?", "Who decides?"]
    assert voted.text("#questions li:nth-of-type(1) .votes") == "1 vote"
    pressed = voted.find("#questions li:nth-of-type(1) button")
    assert pressed is not None and pressed["aria-pressed"] == "true"
    await press(await page_of(ifan), "Upvote", "#questions li:nth-of-type(1)")
    shown = await page_of(nia)
    assert shown.texts("#questions .votes") == ["2 votes", "0 votes"]

    cost = next(c["id"] for c in (await host.snapshot())["contributions"] if "cost" in c["text"])
    await act(host, {"type": "mark_answered", "contribution_id": cost, "answer": "answering"})
    assert "Being answered now" in (await page_of(ifan)).text(f"#q-{cost}")
    await act(host, {"type": "mark_answered", "contribution_id": cost})
    answered = await page_of(ifan)
    assert "Answered" in answered.text(f"#q-{cost} .answer-state")
    assert "answer-answered" in answered.find(f"#q-{cost}")["class"]  # type: ignore[index]

    # only its author may withdraw a question, and it goes from everyone's list
    assert "Withdraw" in (await page_of(nia)).buttons(f"#q-{cost}")
    assert "Withdraw" not in (await page_of(ifan)).buttons(f"#q-{cost}")
    await press(await page_of(nia), "Withdraw", f"#q-{cost}")
    assert (await page_of(owain)).texts("#questions .text") == ["Who decides?"]


async def open_space(server: Server, attribution: str) -> tuple[Person, list[Person], str]:
    """An Open Space in topic sessions: two topics placed, people spread across them."""
    links = await server.new_session("open-space", attribution=attribution)
    host = await host_of(server, links)
    people = [await arrive(server, links.room_url, n) for n in ("Rhian", "Siôn", "Mair")]
    people.append(await arrive(server, links.remote_url, "Dewi"))
    await open_phase(host, 2)
    for convener, topic in ((people[0], "Late buses home"), (people[3], "A repair café")):
        await act(convener, {"type": "post_contribution", "kind": "topic", "text": topic})
    topics = {c["text"]: c["id"] for c in (await host.snapshot())["contributions"]}
    await act(
        host,
        {
            "type": "place_topic",
            "contribution_id": topics["Late buses home"],
            "slot": "10:00",
            "space": "Main hall",
        },
    )
    await act(
        host,
        {
            "type": "place_topic",
            "contribution_id": topics["A repair café"],
            "slot": "11:00",
            "space": "Online room 1",
            "cell_id": "online",
        },
    )
    await open_phase(host, 3)
    buses = next(g["id"] for g in (await host.snapshot())["groups"] if g["topic_id"])
    for person in people[:2]:
        await act(person, {"type": "choose_group", "group_id": buses})
    return host, people, buses


async def test_open_space_topics_show_who_is_where_and_the_law_of_two_feet(
    server: Server,
) -> None:
    _host, people, buses = await open_space(server, "attributed")
    mair = await page_of(people[2])
    assert mair.texts("#topics .topic-name") == ["Late buses home", "A repair café"]
    assert mair.texts("#topics .topic-where") == [
        "10:00, Main hall · Convener: Rhian",
        "11:00, Online room 1 (online) · Convener: Dewi",
    ]
    assert mair.texts("#topics .topic-people") == ["2 people here: Rhian, Siôn", "0 people here"]
    assert mair.text("#place-now") == "You are with everyone, not in a group."

    # without scripts: Mair joins the buses, then leaves on her own two feet
    joined = await press(mair, "Join this topic", f"#topic-{buses}")
    assert joined.text(f"#topic-{buses} .topic-people") == "3 people here: Rhian, Siôn, Mair"
    assert joined.text(f"#topic-{buses} .you-here") == "You are here."
    assert joined.text("#place-now") == "You are now in the topic “Late buses home”."
    left = await press(joined, "Leave this topic", f"#topic-{buses}")
    assert left.notice == "Done."
    assert left.text(f"#topic-{buses} .topic-people") == "2 people here: Rhian, Siôn"
    assert left.text("#place-now") == "You are with everyone, not in a group."


async def test_topic_groups_never_name_people_in_chatham_house_and_use_aliases_when_pseudonymous(
    server: Server,
) -> None:
    _host, people, buses = await open_space(server, "chatham-house")
    shown = await page_of(people[2])
    assert shown.texts("#topics .topic-people") == ["2 people here", "0 people here"]
    assert "Convener" not in shown.text("#topics")
    html = str(shown.soup.select_one("main"))
    assert not any(name in html for name in ("Rhian", "Siôn", "Dewi"))
    inside = await page_of(people[0])
    assert inside.text("#place-with") == "2 people in this group"

    _host, people, buses = await open_space(server, "pseudonymous")
    shown = await page_of(people[2])
    # the host is Participant 1; Rhian and Siôn joined next, Dewi (a convener) last
    assert shown.text(f"#topic-{buses} .topic-people") == (
        "2 people here: Participant 2, Participant 3"
    )
    assert "Convener: Participant 5" in shown.text("#topics")
    assert "Rhian" not in str(shown.soup.select_one("main"))


async def test_calling_the_host_is_confirmed_until_the_host_answers(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = await host_of(server, links)
    rhian = await arrive(server, links.room_url, "Rhian")
    page = await page_of(rhian)
    assert page.text("#call-state") == ""
    called = await press(page, "Call the host", "#call-section", text="We need more pens")
    assert called.text("#call-state") == (
        "You have called the host. They know, and will come to you."
    )
    assert not called.shown("#call-form")
    calls = (await host.snapshot())["calls"]
    assert [(c["participant_id"], c["text"]) for c in calls] == [
        (rhian.participant_id, "We need more pens")
    ]
    await act(host, {"type": "resolve_call", "call_id": calls[0]["id"]})
    again = await page_of(rhian)
    assert again.shown("#call-form") and again.text("#call-state") == ""


async def test_people_withdraw_a_note_or_everything_they_said(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = await host_of(server, links)
    rhian = await arrive(server, links.room_url, "Rhian")
    dewi = await arrive(server, links.remote_url, "Dewi")
    await open_phase(host, 1)
    for person, text in ((rhian, "The bus is late"), (rhian, "Shops close early"), (dewi, "Hi")):
        await act(person, {"type": "post_contribution", "kind": "note", "text": text})
    mine = await page_of(rhian)
    ids = {c["text"]: c["id"] for c in (await host.snapshot())["contributions"]}
    assert mine.buttons(f"#c-{ids['The bus is late']}") == ["Withdraw"]
    assert mine.buttons(f"#c-{ids['Hi']}") == []  # not Rhian's to withdraw
    button = mine.find(f"#c-{ids['The bus is late']} button")
    assert button is not None and button["aria-describedby"] == f"c-{ids['The bus is late']}-text"

    gone = await press(mine, "Withdraw", f"#c-{ids['The bus is late']}")
    assert gone.texts("#notes .text") == ["Shops close early", "Hi"]

    # everything at once asks for "I understand" first, and the server checks the tick too
    box = gone.find("#withdraw-confirm")
    assert box is not None and box.has_attr("required")
    unticked = await press(gone, "Withdraw everything I said", "#withdraw-section")
    assert unticked.notice == "Tick “I understand” first: nothing was withdrawn."
    assert unticked.texts("#notes .text") == ["Shops close early", "Hi"]
    ticked = await press(gone, "Withdraw everything I said", "#withdraw-section", confirm="yes")
    assert ticked.notice == "Done."
    assert (await page_of(dewi)).texts("#notes .text") == ["Hi"]
