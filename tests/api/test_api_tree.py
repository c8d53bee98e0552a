"""``keras.tree`` behaves like real Keras 3's (fixture: compat/fixtures/tree, cases: compat/tree_cases.py)."""

import collections
import json
import pathlib

import pytest
import torch

from compat import tree_cases
from keras_torch import tree

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "tree" / "cases.json"
EXPECTED = json.loads(FIXTURE.read_text(encoding="utf8"))["cases"]


@pytest.mark.parametrize("case", sorted(tree_cases.CASES))
def test_matches_real_keras(case):
    assert tree_cases.run(tree)[case] == EXPECTED[case]


def test_every_case_has_a_fixture():
    assert set(EXPECTED) == set(tree_cases.CASES)


def test_tensors_are_leaves_and_structseqs_are_nested():
    t = torch.ones(2, 3)
    assert tree.flatten({"a": t})[0] is t
    result = torch.max(t, dim=1)
    assert tree.is_nested(result)
    doubled = tree.map_structure(lambda v: v * 2, result)
    assert type(doubled) is type(result) and torch.equal(doubled.values, torch.full((2,), 2.0))


def test_deque_keeps_maxlen_and_subclasses_are_leaves():
    d = collections.deque([1, 2], maxlen=3)
    out = tree.map_structure(str, d)
    assert out == collections.deque(["1", "2"]) and out.maxlen == 3

    class Tagged(dict):
        pass

    tagged = Tagged(a=1)
    assert tree.flatten([tagged]) == [tagged]


def test_error_messages_name_the_mismatch():
    with pytest.raises(ValueError, match="arity mismatch; expected: 2, got: 3"):
        tree.map_structure(lambda a, b: a, [1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="Too few leaves for the structure; expected: 3, got: 2"):
        tree.pack_sequence_as([1, [2, 3]], [1, 2])
    with pytest.raises(ValueError, match="Paths in `b` missing in `a`"):
        tree.assert_same_paths({"a": 1}, {"a": 1, "c": 2})
    with pytest.warns(DeprecationWarning, match="check_types"):
        tree.assert_same_structure([1], [2], check_types=True)
