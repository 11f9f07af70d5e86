"""Edge cases of turning pydantic errors into located problems."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modelhealth.rules.loader import Loc, compose
from modelhealth.rules.messages import describe, known_keys, problems_from


class _Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    size: dict[Literal["min", "max"], int] = Field(default_factory=dict)
    even: int = Field(default=0, multiple_of=2)
    tags: list[str] = Field(default_factory=list, max_length=1)


def _problems(text: str) -> list[str]:
    tree, found = compose(text, "f.yaml")
    assert found == []
    with pytest.raises(ValidationError) as info:
        _Inner.model_validate(tree)
    return [
        str(p)
        for p in problems_from(info.value, tree, _Inner, ("x",), Loc("f.yaml", 1, 1))
    ]


def test_dict_key_errors_point_at_the_key():
    assert _problems("size: {mid: 1}\n") == [
        "f.yaml:1:8 x.size.mid: must be one of: min, max; got 'mid';"
        " did you mean 'min'?"
    ]


def test_unmapped_error_types_keep_pydantics_words():
    assert _problems("even: 3\ntags: [a, b]\n") == [
        "f.yaml:1:7 x.even: input should be a multiple of 2",
        "f.yaml:2:7 x.tags: list should have at most 1 item after validation, not 2",
    ]


def test_non_container_tree_uses_the_fallback():
    with pytest.raises(ValidationError) as info:
        _Inner.model_validate(3)
    problems = problems_from(info.value, 3, _Inner, ("x",), Loc("f.yaml", 4, 2))
    assert [str(p) for p in problems] == ["f.yaml:4:2 x: expected a mapping, got 3"]


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "null"), (True, "true"), (False, "false"), ({}, "a mapping"), (1.5, "1.5")],
)
def test_describe(value, text):
    assert describe(value) == text


def test_known_keys_of_non_models_is_empty():
    assert known_keys(_Inner, ("size", "min")) == []
    assert known_keys(_Inner, ("tags", 0)) == []
