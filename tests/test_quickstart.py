"""The README's quickstart, copied verbatim, on a fresh virtualenv; the demo without the ONNX packages."""

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf8")


def _quickstart_command() -> str:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)
    demo = [c for c in commands if "keras-torch demo" in c]
    assert len(demo) == 1, commands
    return demo[0]


@pytest.mark.slow
def test_readme_quickstart_on_a_fresh_venv(tmp_path):
    """`pip install -e . && keras-torch demo` in a new virtualenv (system site packages give it torch offline)."""
    src = tmp_path / "keras-torch"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "keras_torch", src / "keras_torch", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=600)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv),
               KERAS_TORCH_TINY="1", PIP_DISABLE_PIP_VERSION_CHECK="1", KERAS_TORCH_DEVICE="cpu")
    out = subprocess.run(["bash", "-c", _quickstart_command()], cwd=src, env=env, capture_output=True, text=True,
                         timeout=1200)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    assert re.search(r"Test accuracy: 0\.\d{4}", out.stdout)
    assert "Saved Keras .h5: keras_torch_demo/seed_cnn.h5" in out.stdout
    assert (src / "keras_torch_demo" / "seed_cnn.h5").exists()
    assert str(venv) in subprocess.run(["bash", "-c", "command -v keras-torch"], env=env, capture_output=True,
                                       text=True).stdout  # the venv's entry point ran


def test_demo_without_onnx_packages_skips_the_export_in_one_line(tmp_path, monkeypatch, capsys):
    from keras_torch.launcher import demo

    monkeypatch.setenv("KERAS_TORCH_TINY", "1")
    monkeypatch.setattr(demo, "onnx_missing", lambda: ["onnx", "onnxruntime"])
    result = demo.run_demo(epochs=1, out_dir=str(tmp_path / "out"), verbose=0)
    out = capsys.readouterr().out
    assert "ONNX export skipped: onnx and onnxruntime are not installed (`pip install onnx onnxruntime` enables it)" in out
    assert f"Saved Keras .h5: {tmp_path / 'out' / 'seed_cnn.h5'}" in out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["seed_cnn.h5"]
    assert set(result) == {"test_accuracy", "test_loss", "h5"}
