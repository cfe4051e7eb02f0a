"""The SQL pre-filter on raw bodies: only bodies that may name the person are decoded."""

from __future__ import annotations

from datetime import timedelta

from people_testing import ANN, BOB, T0, seed
from privacy_testing import where_found
from sqlalchemy import insert, select

from connector.privacy.body_search import body_mentions, minimal_needles
from connector.privacy.erasure import erase_person
from connector.store import Store
from connector.store.models import RawRequest

BODIES = {
    "upper": b'{"email": "ANN.VERMEULEN@EXAMPLE.ORG"}',
    "binary": b"\xff\xfe\x00 ann.vermeulen@example.org \\ \x80",
    "lead": b"<sObject><Id>00Q000000000AnnAAA</Id></sObject>",
    "other": b'{"email": "bob.dekkers@example.org"}',
    "near": b'{"email": "joann.vermeulen@example.org", "Id": "00Q000000000AnnAAAB"}',
}


def _add_bodies(store: Store) -> dict[int, str]:
    rows = [
        {"source": "test", "received_at": T0, "path": "/", "headers": {}, "body": body,
         "body_sha256": "0" * 64}
        for body in BODIES.values()
    ]  # fmt: skip
    with store.session() as session:
        ids = session.scalars(insert(RawRequest).returning(RawRequest.id), rows).all()
    return dict(zip(ids, BODIES, strict=True))


def test_the_needles_that_contain_another_are_not_searched_again() -> None:
    needles = ["7001", "contact:7001", "Create_Lead:7001", "ANN@x.org", "ann@x.org"]
    assert minimal_needles(needles) == ["7001", "ann@x.org"]


def test_the_filter_finds_any_case_any_bytes_and_skips_the_rest(store: Store) -> None:
    names = _add_bodies(store)
    with store.session() as session:
        dialect = session.get_bind().dialect.name
        column = RawRequest.__table__.c.body
        condition = body_mentions(column, [ANN.email, ANN.lead_id], dialect)
        assert condition is not None
        found = {names[i] for i in session.scalars(select(RawRequest.id).where(condition))}
        # a substring superset: "near" is a candidate, the redactor's token rule decides
        assert found == {"upper", "binary", "lead", "near"}
        assert body_mentions(column, ["annélies@example.org"], dialect) is None, "decode all"


def test_an_erasure_drops_only_the_bodies_that_name_the_person(store: Store) -> None:
    seed(store, ANN)
    seed(store, BOB)
    names = _add_bodies(store)
    with store.session() as session:
        erase_person(session, ANN.email, "command", T0 + timedelta(days=1))
    with store.session() as session:
        kept = {
            names[i]
            for i in session.scalars(select(RawRequest.id).where(RawRequest.body.is_not(None)))
            if i in names
        }
    assert kept == {"other", "near"}
    assert where_found(store, ANN.values) == {}
