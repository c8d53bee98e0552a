"""``keras.tree`` cases shared by the fixture generator (real Keras) and the tests (keras_torch).

Each case is a function of the tree module (``keras.tree`` or ``keras_torch.tree``); the fixture
stores ``repr()`` of its result, or ``raises <ExceptionType>``, so both sides compare as text.
The structures use only ints, strings, ``None`` and containers (and :data:`Point`, a namedtuple
defined here so its ``repr`` is the same on both sides).
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

Point = collections.namedtuple("Point", ["y", "x"])


def mixed() -> dict:
    """Dict (unsorted keys), list, tuple, namedtuple (fields not in sorted order), OrderedDict, None."""
    return {"b": [1, (2, None)], "a": Point(3, {"y": 4, "x": 5}),
            "c": collections.OrderedDict([("z", 6), ("y", 7)])}


def _traverse_log(t: Any, top_down: bool) -> tuple:
    seen: list = []
    out = t.traverse(lambda s: seen.append(s), [(1, 2), [3], {"b": 4, "a": 5}], top_down=top_down)
    return out, seen


def _map_to_none(t: Any) -> Any:
    return t.traverse(lambda s: t.MAP_TO_NONE if s == (1, 2) else None, [(1, 2), [3]], top_down=True)


def _stop_descent(t: Any) -> Any:
    return t.traverse(lambda s: "dict" if isinstance(s, dict) else None, [{"a": 1}, [2, {"b": 3}]])


def _defaultdict(t: Any) -> Any:
    d = collections.defaultdict(list, {"q": 1, "p": [2, 3]})
    out = t.map_structure(lambda v: v * 2, d)
    return type(out).__name__, out.default_factory, dict(out), t.flatten(d)


CASES: dict[str, Callable[[Any], Any]] = {
    "flatten_mixed": lambda t: t.flatten(mixed()),
    "flatten_leaf": lambda t: t.flatten(7),
    "flatten_none": lambda t: t.flatten(None),
    "flatten_empty": lambda t: t.flatten([[], {}, ()]),
    "flatten_with_path_mixed": lambda t: t.flatten_with_path(mixed()),
    "flatten_with_path_leaf": lambda t: t.flatten_with_path("leaf"),
    "is_nested": lambda t: [t.is_nested(v) for v in (1, "ab", None, [], (), {}, Point(1, 2), [1])],
    "map_structure_one": lambda t: t.map_structure(lambda v: None if v is None else v * 10, mixed()),
    "map_structure_two": lambda t: t.map_structure(lambda a, b: (a, b), [1, {"k": 2}], [3, {"k": 4}]),
    "map_structure_keeps_key_order": lambda t: list(t.map_structure(str, {"z": 1, "a": 2, "m": 3})),
    "map_structure_mismatch_length": lambda t: t.map_structure(lambda a, b: a, [1, 2], [1, 2, 3]),
    "map_structure_mismatch_depth": lambda t: t.map_structure(lambda a, b: a, [1, 2], [1, [2]]),
    "map_structure_mismatch_keys": lambda t: t.map_structure(lambda a, b: a, {"a": 1}, {"b": 1}),
    "map_structure_list_vs_tuple": lambda t: t.map_structure(lambda a, b: a, [1, 2], (1, 2)),
    "map_structure_none_not_leaf": lambda t: t.map_structure(lambda v: v + 1, [1, None, (2,)], none_is_leaf=False),
    "map_structure_no_structures": lambda t: t.map_structure(lambda v: v),
    "map_structure_defaultdict": _defaultdict,
    "map_structure_up_to": lambda t: t.map_structure_up_to([None, None], lambda a, b: (a, b), [1, [2, 3]], [4, {"k": 5}]),
    "map_structure_up_to_dict": lambda t: t.map_structure_up_to({"a": 0, "b": 0}, len, {"a": [1, 2], "b": "xyz"}),
    "assert_same_structure_ok": lambda t: t.assert_same_structure([1, {"a": (2, 3)}], ["x", {"a": ("y", "z")}]),
    "assert_same_structure_depth": lambda t: t.assert_same_structure([1, 2], [1, [2]]),
    "assert_same_structure_length": lambda t: t.assert_same_structure([1, 2], [1, 2, 3]),
    "assert_same_structure_types": lambda t: t.assert_same_structure([1, 2], (1, 2)),
    "assert_same_paths_ok": lambda t: t.assert_same_paths([1, {"a": 2}], (3, {"a": 4})),
    "assert_same_paths_differ": lambda t: t.assert_same_paths({"a": 1, "b": 2}, {"a": 1, "c": 2}),
    "pack_sequence_as_mixed": lambda t: t.pack_sequence_as(mixed(), list(range(10, 18))),
    "pack_sequence_as_leaf": lambda t: t.pack_sequence_as("leaf", [5]),
    "pack_sequence_as_too_few": lambda t: t.pack_sequence_as([1, [2, 3]], [1, 2]),
    "pack_sequence_as_too_many": lambda t: t.pack_sequence_as([1, [2, 3]], [1, 2, 3, 4]),
    "pack_sequence_as_roundtrip": lambda t: t.pack_sequence_as(mixed(), t.flatten(mixed())) == mixed(),
    "lists_to_tuples": lambda t: t.lists_to_tuples([1, [2, {"a": [3, (4, [5])]}]]),
    "map_shape_structure": lambda t: t.map_shape_structure(lambda s: ("shape", s),
                                                          {"a": (1, 2), "b": [(3,), (None, 4)], "c": [(), 5]}),
    "traverse_top_down": lambda t: _traverse_log(t, True),
    "traverse_bottom_up": lambda t: _traverse_log(t, False),
    "traverse_map_to_none": _map_to_none,
    "traverse_stop_descent": _stop_descent,
    "traverse_bottom_up_replace": lambda t: t.traverse(lambda s: len(s) if isinstance(s, list) else None,
                                                       [[1, 2], ([3],)], top_down=False),
}


def run(tree_module: Any) -> dict[str, str]:
    """``{case: repr(result) or "raises <Type>"}`` for every case."""
    out = {}
    for name, fn in CASES.items():
        try:
            out[name] = repr(fn(tree_module))
        except Exception as err:  # noqa: BLE001 - the exception type is the expected result
            out[name] = f"raises {type(err).__name__}"
    return out
