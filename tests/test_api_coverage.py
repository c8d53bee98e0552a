"""The public Keras 3 / tf-keras 2 API, name by name: provided, or omitted with a documented error.

The names come from the committed snapshot (``compat/gen/api_snapshot.py``). A name keras_torch
does not provide on purpose is listed in ``keras_torch.core.omissions.OMISSIONS`` and must raise
exactly the error documented there. Everything else that does not resolve yet is *missing*: the
provided count may only grow (raise ``FLOORS`` as names are added). ``python -m compat.api_coverage
--missing`` prints the same report.
"""

from __future__ import annotations

import importlib.machinery
import json

import pytest

from compat import api_coverage
from keras_torch.core import omissions
from keras_torch.launcher import aliases

# Names provided today (applications and modules not counted); raise these as the API grows.
FLOORS = {"Keras 3.15": 1305, "tf-keras 2.21": 705}


@pytest.fixture(scope="module", params=sorted(api_coverage.SNAPSHOTS))
def report(request) -> api_coverage.Report:
    return api_coverage.report(request.param)


def test_snapshots_list_both_libraries():
    for library, filename in api_coverage.SNAPSHOTS.items():
        data = json.loads((api_coverage.SNAPSHOT_DIR / filename).read_text(encoding="utf8"))
        root = data["library"]
        assert {"keras": "Keras 3.", "tf_keras": "tf-keras 2."}[root] in library + "."
        assert library.endswith(".".join(data["version"].split(".")[:2]))
        kinds = set(data["names"].values())
        assert kinds <= {"module", "class", "function", "constant"}
        assert all(name.startswith(root + ".") for name in data["names"])
        for core_module in ("layers", "losses", "metrics", "optimizers", "callbacks"):
            assert data["names"][f"{root}.{core_module}"] == "module"


def test_coverage_does_not_regress(report: api_coverage.Report):
    provided = report.count(api_coverage.PROVIDED)
    print("\n" + api_coverage.render([report], show_missing=True))
    missing = [e.name for e in report.missing() if e.counted]
    assert provided >= FLOORS[report.library], (
        f"{report.library}: {provided} names provided, floor is {FLOORS[report.library]}. Missing: {missing}"
    )


def test_provided_modules_are_reachable_as_attributes(report: api_coverage.Report):
    # `import keras; keras.layers.experimental.preprocessing...` walks attributes, not imports.
    import keras_torch

    unreachable = []
    for entry, state in report.statuses.items():
        if entry.kind != "module" or state != api_coverage.PROVIDED:
            continue
        obj = keras_torch
        try:
            for part in entry.name.split(".")[1:]:
                obj = getattr(obj, part)
        except AttributeError:
            unreachable.append(entry.name)
    assert unreachable == []


def test_the_floor_is_kept_up_to_date(report: api_coverage.Report):
    # A floor far below the real count would let names disappear unnoticed.
    assert report.count(api_coverage.PROVIDED) - FLOORS[report.library] < 25, "raise FLOORS in this file"


def test_omitted_names_raise_the_documented_error(report: api_coverage.Report):
    omitted = [e for e, s in report.statuses.items() if s == api_coverage.OMITTED]
    assert omitted
    for entry in omitted:
        with pytest.raises(omissions.NotProvidedError) as info:
            api_coverage.access(entry.path)
        assert str(info.value) == omissions.message(entry.path), entry.name
        assert isinstance(info.value, AttributeError)  # hasattr() stays False


def test_every_omission_matches_a_public_name():
    paths = {e.path for lib in api_coverage.SNAPSHOTS for e in api_coverage.load(api_coverage.SNAPSHOTS[lib])}
    for key in omissions.OMISSIONS:
        assert any(p == key or p.startswith(key + ".") for p in paths), f"stale omission: {key}"


def test_omitted_module_import_raises_under_the_aliases():
    spec = aliases.KerasAliasFinder().find_spec("tf_keras.estimator")
    assert isinstance(spec, importlib.machinery.ModuleSpec)
    with pytest.raises(omissions.NotProvidedModuleError) as info:
        spec.loader.create_module(spec)
    assert str(info.value) == omissions.message("estimator")
    assert isinstance(info.value, ModuleNotFoundError) and info.value.name == "tf_keras.estimator"


def test_unknown_names_still_raise_a_plain_attribute_error():
    import keras_torch

    with pytest.raises(AttributeError) as info:
        keras_torch.no_such_thing  # noqa: B018
    assert not isinstance(info.value, omissions.NotProvidedError)
    assert not hasattr(keras_torch, "estimator")
    with pytest.raises(omissions.NotProvidedError, match="keras_torch does not provide keras.estimator: "):
        keras_torch.estimator  # noqa: B018


def test_report_command_prints_both_libraries():
    text = api_coverage.render([api_coverage.report(lib) for lib in api_coverage.SNAPSHOTS])
    for library in api_coverage.SNAPSHOTS:
        assert f"{library}: " in text
    assert text.count("names provided (") == 2 and "  layers " in text
