"""The README stays true: generated support matrix, the CI command, the quickstart."""

import pathlib
import subprocess
import sys

from compat import support_matrix

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf8")


def test_support_matrix_is_generated_from_the_registry():
    start = README.index(support_matrix.BEGIN)
    stop = README.index(support_matrix.END) + len(support_matrix.END)
    assert README[start:stop] == support_matrix.render(), "run: python -m compat.support_matrix --write"


def test_ci_runs_the_readme_test_command():
    command = 'pip install -e ".[test]" && python -m pytest'
    assert f"```bash\n{command}\n```" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.strip().splitlines()[-1] == command


def test_readme_quickstart_demo_command_and_seed_mlp():
    assert "```bash\npip install -e . && keras-torch demo\n```" in README
    assert "model.add(Dense(units=64, activation=\"relu\", input_dim=100))" in README


def test_cli_entry_points_answer():
    out = subprocess.run([sys.executable, "-m", "keras_torch", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    for cmd in ("demo", "run", "export", "convert", "inspect"):
        assert cmd in out.stdout


def test_readme_python_example_runs(capsys):
    block = README.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(block, "README.md", "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out
    assert "\nTrue\n" in out and ".weight'" in out
