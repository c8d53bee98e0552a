"""``DTypePolicyMap``: per-layer-path dtype policies (exact paths or full-match regexes) with a default."""

from __future__ import annotations

import re
from collections.abc import Iterator, MutableMapping
from typing import Any

from keras_torch.core.dtype_policy import DTypePolicy, global_policy, resolve_policy


class DTypePolicyMap(DTypePolicy, MutableMapping):
    """A dict from layer paths to :class:`DTypePolicy`, usable itself as the default policy.

    Lookups try the exact path first, then every key as a ``re.fullmatch`` pattern
    (``"encoder/.*"`` covers the sub-layers of ``encoder``); no match gives the default policy.

    Args:
        default_policy: Policy (or name) for paths without an entry; ``None`` follows
            ``keras.config.dtype_policy()`` at lookup time.
        policy_map: Initial ``{path_or_pattern: policy}`` entries.
    """

    def __init__(self, default_policy: Any = None, policy_map: dict | None = None) -> None:
        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("`default_policy` cannot be a `DTypePolicyMap`.")
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError(f"If specified, `policy_map` must be a dict. Received: policy_map={policy_map} "
                            f"of type {type(policy_map)}")
        self._default_policy_arg = default_policy  # None: follow the global policy
        super().__init__(self.default_policy.name)
        self.name = f"map_{self.default_policy.name}"
        self._policy_map: dict[str, DTypePolicy] = {}
        for key, policy in (policy_map or {}).items():
            self[key] = policy

    @property
    def default_policy(self) -> DTypePolicy:
        """The policy for paths without an entry."""
        if self._default_policy_arg is None:
            return global_policy()
        return resolve_policy(self._default_policy_arg)

    def __getitem__(self, key: str) -> DTypePolicy:
        if key in self._policy_map:
            return self._policy_map[key]
        matching = [pattern for pattern in self._policy_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(f"Path '{key}' matches multiple dtype policy specification keys: {matching}. Please "
                             "make sure each path only matches at most one dtype policy specification key in the "
                             "DTypePolicyMap.")
        if matching:
            return self._policy_map[matching[0]]
        return self.default_policy

    def __setitem__(self, key: str, policy: Any) -> None:
        if key in self._policy_map:
            raise ValueError(f"{key} already exist in the DTypePolicyMap with value {self._policy_map[key]}. "
                             "Please make sure to not use duplicated keys.")
        try:
            self._policy_map[key] = resolve_policy(policy)
        except (TypeError, ValueError, KeyError) as err:
            raise ValueError(f"Cannot interpret the assigned value by `keras.dtype_policies.get`. Received: {policy} "
                             f"of type {type(policy)}") from err

    def __delitem__(self, key: str) -> None:
        del self._policy_map[key]

    def __contains__(self, key: object) -> bool:
        return key in self._policy_map

    def __len__(self) -> int:
        return len(self._policy_map)

    def __iter__(self) -> Iterator[str]:
        return iter(self._policy_map)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, DTypePolicyMap) and self.default_policy == other.default_policy
                and self._policy_map == other._policy_map)

    def __hash__(self) -> int:
        return id(self)

    def get_config(self) -> dict[str, Any]:
        return {"default_policy": self._default_policy_arg,
                "policy_map": {k: v.serialize() for k, v in self._policy_map.items()}}

    def serialize(self) -> dict[str, Any]:
        return {"module": "keras.dtype_policies", "class_name": "DTypePolicyMap", "config": self.get_config(),
                "registered_name": None}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> DTypePolicyMap:
        config = dict(config)
        config["policy_map"] = {k: resolve_policy(v) for k, v in (config.get("policy_map") or {}).items()}
        return cls(**config)

    def __repr__(self) -> str:
        mapping = [(k, v.name) for k, v in self._policy_map.items()]
        return f"<DTypePolicyMap at {hex(id(self))} default_policy={self.default_policy.name}, mapping={mapping}>"
