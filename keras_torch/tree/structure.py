"""Nested structures with Keras 3 semantics (``keras.tree``), written without optree.

Containers are ``list``, ``tuple``, namedtuples, structseqs (``torch.return_types``), ``dict``,
``OrderedDict``, ``defaultdict`` and ``deque`` -- exactly those types, not their subclasses, as
optree does. Everything else, ``None`` included, is a leaf. A ``dict`` is visited in sorted key
order (insertion order if the keys do not sort); an ``OrderedDict`` in insertion order. Rebuilt
containers keep their type and, for dicts, their original key order.
"""

from __future__ import annotations

import collections
import warnings
from collections.abc import Callable, Iterable
from typing import Any

_SEQUENCES = (list, tuple, collections.deque)
_MAPPINGS = (dict, collections.OrderedDict, collections.defaultdict)


class MAP_TO_NONE:  # noqa: N801 - Keras's name
    """Return this from a :func:`traverse` function to replace a sub-structure with ``None``."""


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _is_structseq(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "n_sequence_fields")


def is_nested(structure: Any) -> bool:
    """Whether ``structure`` is a container (sequence, mapping or namedtuple) rather than a leaf.

    Args:
        structure: Any value.

    Returns:
        ``True`` for the container types listed in the module docstring, ``False`` otherwise.
    """
    return type(structure) in _SEQUENCES or type(structure) in _MAPPINGS or _is_namedtuple(structure) \
        or _is_structseq(structure)


def _keys(structure: Any) -> list[Any]:
    """Child keys in visiting order (indices for sequences)."""
    if type(structure) in _MAPPINGS:
        if type(structure) is collections.OrderedDict:
            return list(structure)
        try:
            return sorted(structure)
        except TypeError:
            return list(structure)
    return list(range(len(structure)))


def _children(structure: Any) -> list[Any]:
    if type(structure) in _MAPPINGS:
        return [structure[k] for k in _keys(structure)]
    return list(structure)


def _rebuild(structure: Any, children: list[Any]) -> Any:
    """A container like ``structure`` holding ``children`` (given in visiting order)."""
    kind = type(structure)
    if kind in _MAPPINGS:
        by_key = dict(zip(_keys(structure), children))
        items = [(k, by_key[k]) for k in structure]
        if kind is collections.defaultdict:
            return collections.defaultdict(structure.default_factory, items)
        return kind(items)
    if _is_namedtuple(structure):
        return kind(*children)
    if _is_structseq(structure):
        return kind(children)
    if kind is collections.deque:
        return collections.deque(children, maxlen=structure.maxlen)
    return kind(children)


def _kind_name(structure: Any) -> str:
    return f"{type(structure).__module__}.{type(structure).__qualname__}"


def _check_same_node(a: Any, b: Any) -> None:
    """Raise ``ValueError`` unless ``b`` is the same kind of container as ``a`` with the same keys."""
    if type(a) in _MAPPINGS:
        if type(b) not in _MAPPINGS:
            raise ValueError(f"Expected an instance of {_kind_name(a)}, got {b!r}.")
        if set(a) != set(b):
            raise ValueError(f"dictionary key mismatch; expected key(s): {sorted(map(str, a))}, "
                             f"got key(s): {sorted(map(str, b))}.")
        return
    if type(a) is not type(b):
        raise ValueError(f"Expected an instance of {_kind_name(a)}, got {b!r}.")
    if len(a) != len(b):
        raise ValueError(f"{type(a).__name__} arity mismatch; expected: {len(a)}, got: {len(b)}; "
                         f"{type(a).__name__}: {b!r}.")


def _children_like(template: Any, other: Any) -> list[Any]:
    """``other``'s children in ``template``'s visiting order (same container, checked)."""
    _check_same_node(template, other)
    if type(template) in _MAPPINGS:
        return [other[k] for k in _keys(template)]
    return list(other)


def flatten(structure: Any) -> list[Any]:
    """The leaves of ``structure``, depth first (dict values in sorted key order).

    Args:
        structure: A nested structure or a leaf.

    Returns:
        A flat list; ``[structure]`` for a leaf (``None`` included).
    """
    if not is_nested(structure):
        return [structure]
    out: list[Any] = []
    for child in _children(structure):
        out.extend(flatten(child))
    return out


def flatten_with_path(structure: Any) -> list[tuple[tuple, Any]]:
    """``(path, leaf)`` pairs in :func:`flatten` order; a path is the tuple of keys/indices leading to the leaf.

    Args:
        structure: A nested structure or a leaf.

    Returns:
        A list of ``(tuple_of_keys, leaf)``.
    """
    if not is_nested(structure):
        return [((), structure)]
    out: list[tuple[tuple, Any]] = []
    for key, child in zip(_keys(structure), _children(structure)):
        out.extend(((key, *path), leaf) for path, leaf in flatten_with_path(child))
    return out


def map_structure(func: Callable[..., Any], *structures: Any, none_is_leaf: bool = True) -> Any:
    """Apply ``func`` to the leaves of ``structures`` (all nested the same way), keeping the structure.

    Args:
        func: Called with one leaf from each structure.
        *structures: One or more structures with the same nesting.
        none_is_leaf: If ``False``, ``None`` is an empty container: it is kept, not passed to ``func``.

    Returns:
        A structure like ``structures[0]`` holding ``func``'s results.

    Raises:
        ValueError: No structure given, or the structures are nested differently.
    """
    if not structures:
        raise ValueError("Must provide at least one structure")

    def walk(items: tuple) -> Any:
        first = items[0]
        if first is None and not none_is_leaf:
            for other in items[1:]:
                if other is not None:
                    raise ValueError(f"Expected None, got {other!r}.")
            return None
        if not is_nested(first):
            if any(is_nested(other) for other in items[1:]):
                raise ValueError("Structures don't have the same nested structure.")
            return func(*items)
        columns = [_children(first)] + [_children_like(first, other) for other in items[1:]]
        return _rebuild(first, [walk(column) for column in zip(*columns)])

    return walk(structures)


def map_structure_up_to(shallow_structure: Any, func: Callable[..., Any], *structures: Any) -> Any:
    """Like :func:`map_structure`, but only down to the leaves of ``shallow_structure``.

    Whatever sits in ``structures`` where ``shallow_structure`` has a leaf (a value or a whole
    sub-structure) is passed to ``func`` as it is.

    Args:
        shallow_structure: The structure to map up to; its leaves are not passed to ``func``.
        func: Called with one item from each of ``structures``.
        *structures: Structures nested like ``shallow_structure`` at least down to its leaves.

    Returns:
        A structure like ``shallow_structure`` holding ``func``'s results.

    Raises:
        ValueError: No structure given, or the structures do not match ``shallow_structure``
            (a ``None`` leaf in ``shallow_structure`` counts as a mismatch, as in Keras).
    """
    if not structures:
        raise ValueError("Must provide at least one structure")

    def walk(shallow: Any, items: tuple) -> Any:
        if not is_nested(shallow):
            if shallow is None:
                raise ValueError("Structures don't have the same nested structure.")
            return func(*items)
        columns = [_children_like(shallow, other) for other in items]
        return _rebuild(shallow, [walk(s, column) for s, column in zip(_children(shallow), zip(*columns))])

    return walk(shallow_structure, structures)


def assert_same_structure(a: Any, b: Any, check_types: bool | None = None) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` are nested the same way (same container types too).

    Args:
        a: A structure.
        b: Another structure.
        check_types: Deprecated in Keras and ignored (with a warning); types are always checked.

    Raises:
        ValueError: The structures differ.
    """
    if check_types is not None:
        warnings.warn("The `check_types` argument is deprecated and no longer has any effect.", DeprecationWarning,
                      stacklevel=2)
    map_structure(lambda x, y: None, a, b)


def assert_same_paths(a: Any, b: Any) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same set of leaf paths (types may differ).

    Args:
        a: A structure.
        b: Another structure.

    Raises:
        ValueError: Listing the paths found in only one of them.
    """
    a_paths = {path for path, _ in flatten_with_path(a)}
    b_paths = {path for path, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        msg = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            msg += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
        if b_paths - a_paths:
            msg += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
        raise ValueError(msg)


def pack_sequence_as(structure: Any, flat_sequence: Iterable[Any]) -> Any:
    """Put the items of ``flat_sequence`` into the nesting of ``structure`` (inverse of :func:`flatten`).

    Args:
        structure: The template structure (a leaf means a one-item ``flat_sequence``).
        flat_sequence: The leaves, in :func:`flatten` order.

    Returns:
        A structure like ``structure`` holding the new leaves.

    Raises:
        TypeError: ``flat_sequence`` is not iterable.
        ValueError: It holds too few or too many items.
    """
    leaves = list(flat_sequence)
    expected = len(flatten(structure))
    if len(leaves) != expected:
        which = "few" if len(leaves) < expected else "many"
        raise ValueError(f"Too {which} leaves for the structure; expected: {expected}, got: {len(leaves)}.")
    it = iter(leaves)

    def build(s: Any) -> Any:
        if not is_nested(s):
            return next(it)
        return _rebuild(s, [build(c) for c in _children(s)])

    return build(structure)


def traverse(func: Callable[[Any], Any], structure: Any, top_down: bool = True) -> Any:
    """Visit every sub-structure of ``structure`` (leaves included), depth first.

    Top down, ``func(sub)`` returning ``None`` descends into ``sub``; any other value replaces
    ``sub`` and stops the descent. Bottom up, children are visited first and a non-``None``
    result replaces the (already traversed) sub-structure. Return :class:`MAP_TO_NONE` to
    replace a sub-structure with ``None``.

    Args:
        func: Called on each sub-structure.
        structure: The structure to traverse.
        top_down: Visit parents before their children.

    Returns:
        The structure with the replacements applied.
    """

    def children_done(s: Any) -> Any:
        if not is_nested(s):
            return s
        return _rebuild(s, [traverse(func, c, top_down=top_down) for c in _children(s)])

    if top_down:
        ret = func(structure)
        if ret is None:
            return children_done(structure)
    else:
        done = children_done(structure)
        ret = func(done)
        if ret is None:
            return done
    return None if ret is MAP_TO_NONE else ret


def lists_to_tuples(structure: Any) -> Any:
    """``structure`` with every ``list`` turned into a ``tuple``.

    Args:
        structure: A nested structure.

    Returns:
        The same nesting with tuples instead of lists.
    """
    return traverse(lambda s: tuple(s) if isinstance(s, list) else None, structure, top_down=False)


def _is_shape(x: Any) -> bool:
    return isinstance(x, (list, tuple)) and all(isinstance(e, (int, type(None))) for e in x)


def map_shape_structure(func: Callable[[Any], Any], structure: Any) -> Any:
    """:func:`map_structure` where a list/tuple of ints and ``None`` (a shape) counts as one leaf.

    Args:
        func: Called on each shape (and on every other leaf).
        structure: A nested structure of shapes.

    Returns:
        The same nesting holding ``func``'s results.
    """
    if _is_shape(structure) or not is_nested(structure):
        return func(structure)
    return _rebuild(structure, [map_shape_structure(func, c) for c in _children(structure)])
