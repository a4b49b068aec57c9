"""The host console sets up and runs a format with plain forms, no files edited."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx

from tests.format_play import act, arrive, sees
from tests.harness import Person, Server


class Forms(HTMLParser):
    """Every POST form of a page with the values a browser would send by default."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method") == "post":
            self.forms.append({"__action": a.get("action", ""), "__hidden": ""})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type") != "checkbox":
            self.forms[-1][a["name"]] = a.get("value", "")
            if a.get("type") == "hidden":
                self.forms[-1]["__hidden"] += f" {a['name']}"
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            form = self.forms[-1]
            if self._select not in form or "selected" in a:
                form[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.forms[-1][a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] += data


class Console:
    def __init__(self, server: Server, host: Person) -> None:
        self.http = httpx.AsyncClient(
            base_url=server.url, cookies={f"hk_{host.session_id}": host.token}
        )
        self.path = f"/s/{host.session_id}/host"

    async def page(self) -> str:
        """Every page of the console, one after the other."""
        pages = []
        for page in ("", "/phases", "/people", "/harvest", "/settings"):
            response = await self.http.get(self.path + page)
            assert response.status_code == 200
            pages.append(response.text)
        return "".join(pages)

    async def submit(self, command: str, **fields: str) -> str:
        """Fill the first form for ``command`` whose own fields match, submit, show notice."""
        parser = Forms()
        parser.feed(await self.page())
        for form in parser.forms:
            if form.get("type") != command:
                continue
            hidden = form["__hidden"].split()
            fixed = {k: v for k, v in fields.items() if k in hidden}
            if any(form.get(k) != v for k, v in fixed.items()):
                continue
            data = {k: v for k, v in form.items() if not k.startswith("__")} | fields
            response = await self.http.post(form["__action"], data=data)
            assert response.status_code == 303
            return str(httpx.URL(response.headers["location"]).params.get("notice"))
        raise AssertionError(f"no form for {command} with {fields}")


async def test_a_host_sets_up_and_runs_a_world_cafe_from_the_console(server: Server) -> None:
    links = await server.new_session("custom", title="Built in the console")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    console = Console(server, host)
    first = (await host.snapshot())["phases"][0]["id"]

    assert (
        await console.submit(
            "add_phase", title="Round 1", question="What do we notice?", grouping="tables"
        )
        == "Done."
    )
    assert (
        await console.submit(
            "add_phase", title="Harvest", question="What matters?", allows="insight, note"
        )
        == "Done."
    )
    assert (
        await console.submit("edit_phase", phase_id=first, title="Welcome", duration_s="300")
        == "Done."
    )
    phases = (await host.snapshot())["phases"]
    assert [(p["title"], p["grouping"], p["duration_s"]) for p in phases] == [
        ("Welcome", "plenary", 300),
        ("Round 1", "tables", 1200),
        ("Harvest", "plenary", 1200),
    ]
    assert phases[2]["allows"] == ["insight", "note"]
    refused = await console.submit("add_phase", title="Bad", question="?", allows="gossip")
    assert "not a kind of contribution" in refused
    await console.submit("move_phase", phase_id=phases[2]["id"], position="1")  # "up"
    titles = [p["title"] for p in (await host.snapshot())["phases"]]
    assert titles == ["Welcome", "Harvest", "Round 1"]
    await console.submit("move_phase", phase_id=phases[2]["id"], position="2")  # "down"
    assert [p["title"] for p in (await host.snapshot())["phases"]] == [
        "Welcome",
        "Round 1",
        "Harvest",
    ]

    for name in ("Table A", "Table B"):
        await console.submit("create_group", name=name, cell_id="venue-1", remote_seats="true")
    people = [await arrive(server, links.room_url, n) for n in ("Rhian", "Siôn", "Mair", "Ifan")]
    people += [await arrive(server, links.remote_url, n) for n in ("Dewi", "Nia")]
    assert await console.submit("propose_seating") == "Done."
    page = await console.page()
    assert "pairs would meet again" in page and "Change seat" in page
    where = (await sees(people[4])).go_to
    assert where is not None
    assert await console.submit("apply_seating") == "Done."
    assert (await sees(people[4])).group == where

    group = where
    # a circle phase brings the talking piece to a café's console
    assert "Publish speaking order" not in await console.page()
    await console.submit("add_phase", title="Check-out", question="Taking away?", grouping="circle")
    assert (
        await console.submit("set_call_url", group_id=group, call_url="https://meet.example/a")
        == "Done."
    )
    assert (
        await console.submit("set_speaking_order", group_id=group, room_first="false", turn_s="90")
        == "Done."
    )
    view = await sees(people[5])
    holder = view.holder(group)
    assert (
        holder is not None
        and next(p for p in view.state["participants"] if p["id"] == holder)["where"] == "remote"
    )
    assert "holds the piece" in await console.page()
    assert await console.submit("pass_talking_piece", group_id=group) == "Done."
    assert (await sees(people[0])).holder(group) != holder

    me = people[1].participant_id
    assert await console.submit("set_hat", participant_id=me, hat="scribe") == "Done."
    assert next(p for p in (await host.snapshot())["participants"] if p["id"] == me)["hats"] == [
        "scribe"
    ]

    await console.submit("open_phase", phase_id=phases[0]["id"])
    await act(
        people[2], {"type": "post_contribution", "kind": "question", "text": "When is lunch?"}
    )
    qid = (await host.snapshot())["questions"][0]
    assert await console.submit("mark_answered", contribution_id=qid) == "Done."
    await act(people[3], {"type": "call_host", "text": "Need pens"})
    assert "Need pens" in await console.page()
    assert await console.submit("resolve_call") == "Done."
    together = (await sees(people[2])).group  # one queue of two: room and remote
    assert together is not None
    mover = {"participant_id": people[4].participant_id, "group_id": together}
    assert await console.submit("move_participant", **mover) == "Done."
    await act(people[2], {"type": "raise_hand"})
    await act(people[4], {"type": "raise_hand"})
    assert await console.submit("sort_hands", first="remote") == "Done."
    await console.submit("add_phase", title="Marketplace", question="Topics?", allows="topic")
    market = (await host.snapshot())["phases"][-1]["id"]
    await console.submit("open_phase", phase_id=market)
    await act(people[0], {"type": "post_contribution", "kind": "topic", "text": "Bus times"})
    await act(people[5], {"type": "post_contribution", "kind": "topic", "text": "Online help"})
    await console.submit(
        "place_topic",
        contribution_id=(await host.snapshot())["contributions"][-2]["id"],
        slot="10:00",
        space="Stage",
    )
    assert (
        await console.submit("place_topics", slots="10:00, 11:00", spaces="Stage", cell_id="online")
        == "Done."
    )
    grid = {
        (g["name"], g["slot"], g["space"])
        for g in (await host.snapshot())["groups"]
        if g["topic_id"]
    }
    assert grid == {("Bus times", "10:00", "Stage"), ("Online help", "10:00", "Stage")}
    assert "Topics by time and space" in await console.page()
    await console.http.aclose()
