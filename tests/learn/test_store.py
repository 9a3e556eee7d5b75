"""Learning on a real database: counts, accept/reject, auto-accept, never sensitive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.db import Database
from agent.dispatch.seams import Recalled
from agent.learn import LearnStore, UnknownLearned, normalise

KETTLE = {"device": "kettle", "state": "on"}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(None, tmp_path)
    yield database
    database.close()


@pytest.mark.parametrize(("text", "phrase"), [
    ("Could you get the kettle going?", "could you get the kettle going"),
    ("  please   get the KETTLE going, please!", "get the kettle going"),
    ("Hey hearth, please: kettle on", "kettle on"),
    ("?!", ""),
])
def test_normalise(text: str, phrase: str) -> None:
    assert normalise(text) == phrase


async def test_observe_counts_one_resolution_and_recall_needs_an_accept(db: Database) -> None:
    store = LearnStore(db)
    await store.observe("Could you get the kettle going?", "home", KETTLE, sensitive=False)
    await store.observe("could you get the kettle going", "home", KETTLE, sensitive=False)
    [row] = store.list_sync()
    assert (row.phrase, row.count, row.status, dict(row.arguments)) == (
        "could you get the kettle going", 2, "candidate", KETTLE)
    assert await store.recall("could you get the kettle going") is None
    store.set_status_sync(row.id, "accepted", by="alice")
    assert await store.recall("Could you get the kettle going, please?") == Recalled(
        row.id, "home", KETTLE)
    assert store.list_sync() == []  # accepted rows show with --all only
    [accepted] = store.list_sync(include_all=True)
    assert (accepted.status, accepted.accepted_by) == ("accepted", "alice")
    store.set_status_sync(row.id, "rejected", by="alice")
    assert await store.recall("could you get the kettle going") is None


async def test_auto_accept_after_n_same_resolutions(db: Database) -> None:
    store = LearnStore(db, auto_accept_after=3)
    for _ in range(2):
        await store.observe("kettle go", "home", KETTLE, sensitive=False)
    assert await store.recall("kettle go") is None
    await store.observe("kettle go", "home", KETTLE, sensitive=False)
    recalled = await store.recall("kettle go")
    assert recalled is not None and dict(recalled.arguments) == KETTLE
    assert store.list_sync(include_all=True)[0].accepted_by == "auto"


async def test_sensitive_and_ambiguous_phrasings_are_never_auto_accepted(db: Database) -> None:
    store = LearnStore(db, auto_accept_after=2)
    lock = {"device": "front door", "state": "unlocked"}
    for _ in range(4):
        await store.observe("let me in", "home", lock, sensitive=True)
    await store.observe("lights", "home", {"device": "lamp", "state": "on"}, sensitive=False)
    await store.observe("lights", "home", {"device": "lamp", "state": "off"}, sensitive=False)
    await store.observe("lights", "home", {"device": "lamp", "state": "on"}, sensitive=False)
    assert await store.recall("let me in") is None
    assert await store.recall("lights") is None
    statuses = {(r.phrase, r.count, r.sensitive, r.status) for r in store.list_sync()}
    assert ("let me in", 4, True, "candidate") in statuses
    # A person may still accept it: the run still asks for confirmation (the home skill).
    sensitive = next(r for r in store.list_sync() if r.phrase == "let me in")
    store.set_status_sync(sensitive.id, "accepted", by="bob")
    assert await store.recall("let me in") is not None


async def test_accepting_one_resolution_retires_the_other(db: Database) -> None:
    store = LearnStore(db)
    await store.observe("lights", "home", {"state": "on"}, sensitive=False)
    await store.observe("lights", "home", {"state": "off"}, sensitive=False)
    on, off = sorted(store.list_sync(), key=lambda r: r.arguments["state"] == "off")
    store.set_status_sync(on.id, "accepted", by="a")
    store.set_status_sync(off.id, "accepted", by="a")
    recalled = await store.recall("lights")
    assert recalled is not None and recalled.arguments == {"state": "off"}
    assert {r.id: r.status for r in store.list_sync(include_all=True)} == {
        on.id: "candidate", off.id: "accepted"}
    with pytest.raises(UnknownLearned):
        store.set_status_sync(9999, "accepted", by="a")


async def test_record_false_keeps_nothing(db: Database) -> None:
    store = LearnStore(db, record=False)
    await store.observe("kettle go", "home", KETTLE, sensitive=False)
    assert store.list_sync(include_all=True) == []
