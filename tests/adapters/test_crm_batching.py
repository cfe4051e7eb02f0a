"""Pure batching plans: merge per record in order, phases around backwards stage moves."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.batching import chunked, command_fields, invalid_record_command, plan_record_writes
from connector.commands import AddToList, SetStage, System, UpdateFields


def update(key: str, object_id: str, **fields: str) -> UpdateFields:
    return UpdateFields(
        System.HUBSPOT, f"r{object_id}", key, object_type="contacts", object_id=object_id,
        fields=fields,
    )  # fmt: skip


def stage(key: str, object_id: str, value: str, *, backwards: bool = False) -> SetStage:
    return SetStage(
        System.HUBSPOT, f"r{object_id}", key, object_type="contacts", object_id=object_id,
        field_name="lifecyclestage", value=value, backwards=backwards,
        extra_fields={"hs_lead_status": "NEW"},
    )  # fmt: skip


def test_consecutive_writes_to_one_record_merge_with_later_values_winning() -> None:
    (phase,) = plan_record_writes(
        [
            update("a", "1", city="A", zip="1"),
            update("b", "2", city="B"),
            update("c", "1", city="C"),
        ],
        split_on_backwards=True,
    )
    assert [(w.object_id, w.fields) for w in phase] == [
        ("1", {"city": "C", "zip": "1"}),
        ("2", {"city": "B"}),
    ]
    assert [c.idempotency_key for c in phase[0].commands] == ["a", "c"]


def test_stage_fields_include_extras_but_the_stage_itself_wins() -> None:
    command = SetStage(
        System.HUBSPOT, "r", "k", object_type="contacts", object_id="1",
        field_name="lifecyclestage", value="lead", extra_fields={"lifecyclestage": "x", "a": "b"},
    )  # fmt: skip
    assert command_fields(command) == {"lifecyclestage": "lead", "a": "b"}


def test_a_backwards_move_gets_its_own_phase_and_later_writes_follow_it() -> None:
    phases = plan_record_writes(
        [
            update("a", "1", city="A"),
            stage("b", "1", "subscriber", backwards=True),
            update("c", "1", city="C"),
            update("d", "2", city="D"),
            stage("e", "2", "lead"),
        ],
        split_on_backwards=True,
    )
    shape = [[(w.object_id, w.backwards, [c.idempotency_key for c in w.commands]) for w in p]
             for p in phases]  # fmt: skip
    assert shape == [
        [("1", False, ["a"]), ("2", False, ["d", "e"])],
        [("1", True, ["b"])],
        [("1", False, ["c"])],
    ]


def test_two_backwards_moves_in_a_row_stay_separate() -> None:
    phases = plan_record_writes(
        [stage("a", "1", "lead", backwards=True), stage("b", "1", "subscriber", backwards=True)],
        split_on_backwards=True,
    )
    assert [[w.commands[0].idempotency_key for w in p] for p in phases] == [["a"], ["b"]]


def test_without_the_split_everything_for_a_record_merges() -> None:
    (phase,) = plan_record_writes(
        [update("a", "1", city="A"), stage("b", "1", "lead", backwards=True)],
        split_on_backwards=False,
    )
    assert phase[0].fields == {"city": "A", "lifecyclestage": "lead", "hs_lead_status": "NEW"}
    assert not phase[0].backwards


def test_same_id_of_different_object_types_are_different_records() -> None:
    deal = UpdateFields(System.HUBSPOT, "d", "x", object_type="deals", object_id="1",
                        fields={"amount": "5"})  # fmt: skip
    (phase,) = plan_record_writes([update("a", "1", city="A"), deal], split_on_backwards=True)
    assert len(phase) == 2


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        (update("a", "", city="A"), "object_type and object_id are required"),
        (update("a", "1"), "no fields to write"),
        (
            SetStage(System.HUBSPOT, "r", "k", object_type="contacts", object_id="1", value="x"),
            "field_name is required",
        ),
        (update("a", "1", city="A"), None),
        (AddToList(System.HUBSPOT, "r", "k", list_id="1", object_ids=("1",)), None),
    ],
)
def test_invalid_record_commands_are_named(command: object, problem: str | None) -> None:
    assert invalid_record_command(command) == problem  # type: ignore[arg-type]


def test_chunked() -> None:
    assert [len(c) for c in chunked(list(range(250)), 100)] == [100, 100, 50]
    assert list(chunked([], 100)) == []
    with pytest.raises(ValueError):
        list(chunked([1], 0))


@st.composite
def command_streams(draw: st.DrawFn) -> list[UpdateFields | SetStage]:
    """Random interleavings of field writes and stage moves over a few records."""
    commands: list[UpdateFields | SetStage] = []
    for index in range(draw(st.integers(0, 30))):
        record = draw(st.sampled_from(["1", "2", "3"]))
        if draw(st.booleans()):
            commands.append(update(f"k{index}", record, city=f"c{index}"))
        else:
            commands.append(stage(f"k{index}", record, f"s{index}", backwards=draw(st.booleans())))
    return commands


@given(command_streams(), st.booleans())
def test_plans_keep_every_command_once_and_each_records_order(
    commands: list[UpdateFields | SetStage], split: bool
) -> None:
    phases = plan_record_writes(commands, split_on_backwards=split)
    planned = [c.idempotency_key for phase in phases for w in phase for c in w.commands]
    assert sorted(planned) == sorted(c.idempotency_key for c in commands)
    for record in {c.object_id for c in commands}:
        in_order = [c.idempotency_key for c in commands if c.object_id == record]
        by_phase = [
            c.idempotency_key
            for phase in phases
            for w in phase
            if w.object_id == record
            for c in w.commands
        ]
        assert by_phase == in_order
    for phase in phases:
        assert len({w.key for w in phase}) == len(phase)  # one write per record per phase
        for write in phase:
            if write.backwards:
                assert split and len(write.commands) == 1
            # the merged fields are what running the commands in order would leave behind
            expected: dict[str, object] = {}
            for command in write.commands:
                expected.update(command_fields(command))
            assert write.fields == expected
