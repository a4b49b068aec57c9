"""Custom templates are selectable: ``hostkit new --format custom --template ...`` and the
admin page's create-session form both start a session from every shipped template."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from hostkit.domain.formats import CUSTOM_TEMPLATES
from tests.harness import Person, Server
from tests.test_cli import hostkit


@pytest.mark.parametrize("template", sorted(CUSTOM_TEMPLATES))
async def test_hostkit_new_starts_a_session_from_each_custom_template(
    server: Server, template: str
) -> None:
    code, out, err = await hostkit(
        "new",
        "--licence",
        "CC BY 4.0",
        "--data",
        str(server.data_dir),
        "--title",
        "Story night",
        "--format",
        "custom",
        "--template",
        template,
        "--public-url",
        server.public_url,
        "--json",
    )
    assert code == 0, err
    host = Person.from_link(server, json.loads(out)["host_url"])
    state = await host.snapshot()
    wanted = CUSTOM_TEMPLATES[template]
    assert state["session"]["format"] == template
    assert [p["title"] for p in state["phases"]] == [p.title for p in wanted.phases]
    assert [p["question"] for p in state["phases"]] == [p.question for p in wanted.phases]


async def test_a_template_without_the_custom_format_is_refused(tmp_path: Path) -> None:
    code, _, err = await hostkit(
        "new",
        "--licence",
        "CC BY 4.0",
        "--data",
        str(tmp_path / "data"),
        "--title",
        "Mixed up",
        "--format",
        "circle",
        "--template",
        "triz",
    )
    assert code != 0 and "--template goes with --format custom" in err


async def test_an_unknown_template_is_refused_with_the_choices(tmp_path: Path) -> None:
    code, _, err = await hostkit(
        "new",
        "--licence",
        "CC BY 4.0",
        "--data",
        str(tmp_path),
        "--title",
        "X",
        "--format",
        "custom",
        "--template",
        "nope",
    )
    assert code != 0 and "collective-story-harvest" in err


async def _admin(server: Server) -> tuple[httpx.AsyncClient, str, str]:
    """An admin's browser on the create-session page: the client, its path and a CSRF token."""
    path = (await server.admin_link()).removeprefix(server.url)
    http = httpx.AsyncClient(base_url=server.url)
    page = await http.get(path)
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return http, path, found.group(1)


async def test_the_admin_form_offers_every_custom_template(server: Server) -> None:
    http, path, _ = await _admin(server)
    page = (await http.get(path)).text
    await http.aclose()
    offered = re.findall(r'<option value="([a-z0-9-]+)">', page.split('id="template"')[1])
    assert set(CUSTOM_TEMPLATES) <= set(offered)
    assert '<label for="template">' in page


async def test_the_admin_form_creates_a_collective_story_harvest(server: Server) -> None:
    http, path, csrf = await _admin(server)
    form = {
        "title": "Our story",
        "format": "custom",
        "template": "collective-story-harvest",
        "attribution": "attributed",
        "venues": "Chapel",
        "licence": "CC BY-SA 4.0",
        "csrf": csrf,
    }
    created = await http.post(path, data=form)
    assert created.status_code == 200 and "Session created" in created.text
    host_link = re.search(r'href="([^"]+/host\?key=[^"]+)"', created.text)
    assert host_link
    host = Person.from_link(server, host_link.group(1).replace("&amp;", "&"))
    state = await host.snapshot()
    assert state["session"]["format"] == "collective-story-harvest"
    assert [p["title"] for p in state["phases"]][:2] == ["Arcs", "Story"]
    wrong = await http.post(path, data={**form, "format": "circle"})
    assert wrong.status_code == 422 and "A template goes with the Custom format" in wrong.text
    await http.aclose()
