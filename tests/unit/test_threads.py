"""The CPU thread policy (core/threads.py): usable CPUs, overrides, and fit's per-model tuning."""

import os

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch.core import threads


@pytest.fixture
def restore_policy():
    saved = (threads.POLICY.applied, threads.POLICY.threads, threads.POLICY.source, threads.POLICY.adaptive,
             threads.POLICY.import_threads, torch.get_num_threads())
    yield
    (threads.POLICY.applied, threads.POLICY.threads, threads.POLICY.source, threads.POLICY.adaptive,
     threads.POLICY.import_threads, n) = saved
    torch.set_num_threads(n)


def _cgroup(tmp_path, files, proc_lines):
    for rel, text in files.items():
        path = tmp_path / "fs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "cgroup").write_text("\n".join(proc_lines) + "\n")
    return str(tmp_path / "fs"), str(tmp_path / "cgroup")


def test_cgroup_v2_quota_in_own_group(tmp_path):
    root, proc = _cgroup(tmp_path, {"job/cpu.max": "250000 100000\n", "cpu.max": "max 100000\n"}, ["0::/job"])
    assert threads.cgroup_cpu_limit(root, proc) == 2.5


def test_cgroup_v2_no_quota(tmp_path):
    root, proc = _cgroup(tmp_path, {"cpu.max": "max 100000\n"}, ["0::/"])
    assert threads.cgroup_cpu_limit(root, proc) is None


def test_cgroup_v1_quota_and_unlimited(tmp_path):
    root, proc = _cgroup(tmp_path, {"cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "150000",
                                    "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000"},
                         ["4:memory:/docker/abc", "3:cpu,cpuacct:/docker/abc"])
    assert threads.cgroup_cpu_limit(root, proc) == 1.5
    root, proc = _cgroup(tmp_path / "b", {"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"},
                         ["1:cpu:/"])
    assert threads.cgroup_cpu_limit(root, proc) is None


def test_no_cgroup_files(tmp_path):
    assert threads.cgroup_cpu_limit(str(tmp_path / "none"), str(tmp_path / "none" / "cgroup")) is None


def test_usable_cpus_is_capped_by_the_quota_rounded_down(tmp_path):
    affinity = len(os.sched_getaffinity(0))
    root, proc = _cgroup(tmp_path, {"cpu.max": "50000 100000"}, ["0::/"])
    assert threads.usable_cpus(root, proc) == 1  # half a CPU: still one thread
    root, proc = _cgroup(tmp_path / "b", {"cpu.max": "6400000 100000"}, ["0::/"])
    assert threads.usable_cpus(root, proc) == affinity  # a quota above the affinity mask changes nothing


@pytest.mark.parametrize("env, current, expected", [
    ({}, 4, (8, "auto", True)),
    ({"KERAS_TORCH_NUM_THREADS": "3", "OMP_NUM_THREADS": "2"}, 2, (3, "KERAS_TORCH_NUM_THREADS", False)),
    ({"KERAS_TORCH_NUM_THREADS": "auto"}, 4, (8, "auto", True)),
    ({"OMP_NUM_THREADS": "2"}, 2, (2, "OMP_NUM_THREADS", False)),
    ({"MKL_NUM_THREADS": "5"}, 5, (5, "MKL_NUM_THREADS", False)),
    ({}, 3, (3, "torch", False)),  # torch.set_num_threads(3) after import: the user's choice
    ({"WORLD_SIZE": "4"}, 4, (1, "launcher", False)),
])
def test_resolve_precedence(env, current, expected):
    assert threads.resolve_threads(env, current, import_threads=4, usable=8) == expected


def test_resolve_single_cpu_is_not_adaptive():
    assert threads.resolve_threads({}, 1, 1, 1) == (1, "auto", False)


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_bad_env_value_is_named(value):
    with pytest.raises(ValueError, match=f"KERAS_TORCH_NUM_THREADS.*{value}"):
        threads.resolve_threads({"KERAS_TORCH_NUM_THREADS": value}, 2, 2, 2)


def test_set_and_get_num_threads(restore_policy):
    keras.config.set_num_threads(1)
    assert keras.config.get_num_threads() == 1 and torch.get_num_threads() == 1
    assert threads.POLICY.source == "set_num_threads" and not threads.POLICY.adaptive
    assert threads.fit_tuner(None, torch.device("cpu")) is None  # fixed by the user: no tuning
    keras.config.set_num_threads(None)
    assert threads.POLICY.source in ("auto", "launcher", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                     "KERAS_TORCH_NUM_THREADS")
    with pytest.raises(ValueError, match="positive integer.*0"):
        keras.config.set_num_threads(0)
    with pytest.raises(ValueError, match="positive integer"):
        keras.config.set_num_threads(2.5)


def test_no_tuner_off_cpu_or_when_deterministic(restore_policy):
    threads._apply(2, "auto", True)
    assert threads.fit_tuner(None, torch.device("meta")) is None
    assert isinstance(threads.fit_tuner(None, torch.device("cpu")), threads.StepThreadTuner)
    torch.use_deterministic_algorithms(True)
    try:
        assert threads.fit_tuner(None, torch.device("cpu")) is None
    finally:
        torch.use_deterministic_algorithms(False)


class _Monitor:
    """A ContentionMonitor stand-in reporting a fixed waiting share."""

    def __init__(self, share):
        self.share = share

    def waiting_share(self):
        return self.share


def _tuner(share=0.3, warmup_seconds=0.0):
    """A tuner whose scheduler statistics say ``share`` of its runnable time is spent waiting."""
    tuner = threads.StepThreadTuner(2, monitor=_Monitor(share))
    tuner.warmup_seconds = warmup_seconds
    return tuner


def _drive(tuner, cost, steps=100):
    """Run steps whose duration is cost[thread count now]; returns the counts the steps ran at."""
    ran = []
    tuner.begin()
    for _ in range(steps):
        n = torch.get_num_threads()
        ran.append(n)
        tuner.record(cost[n])
    return ran


def test_tuner_keeps_the_faster_count_and_probes_again(restore_policy):
    tuner = _tuner()
    ran = _drive(tuner, {2: 0.5, 1: 0.1}, steps=500)  # contended: one thread is 5x faster (one probe round suffices)
    assert tuner.choice == 1
    assert ran[:2] == [2, 2]  # warm-up steps at the policy's count
    assert ran[2:8] == [2, 2, 2, 1, 1, 1]  # the probe: a block at each count
    assert ran[8:20] == [1] * 12  # then the choice holds ...
    assert 2 in ran[20:]  # ... until the next probe, 20x the probe's 1.8 s of steps later
    assert 2 not in ran[8:8 + 350]
    tuner.restore()
    assert torch.get_num_threads() == 2


def test_tuner_keeps_threads_when_they_help(restore_policy):
    tuner = _tuner(share=0.0)
    _drive(tuner, {2: 0.01, 1: 0.02})
    assert tuner.choice == 2
    assert tuner._hold > threads.StepThreadTuner.hold  # an unchanged choice is probed less often


def test_tuner_ignores_the_first_step_of_each_block(restore_policy):
    tuner = _tuner(share=0.0)
    tuner.begin()
    for _ in range(tuner.warmup):
        tuner.record(1.0)
    for i in range(12):  # the step right after a switch is slow; the others say 2 threads are faster
        first = i % 3 == 0
        n = torch.get_num_threads()
        tuner.record(9.0 if first and n == 2 else {2: 0.01, 1: 0.02}[n])
    assert tuner.choice == 2


def test_fit_uses_and_keeps_the_tuner(restore_policy):
    threads._apply(2, "auto", True)
    model = keras.Sequential([keras.layers.Dense(4, input_dim=3), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((8192, 3), "float32"), np.zeros((8192, 1), "float32")  # sub-ms steps: 200 ms probe blocks
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    tuner = model._thread_tuner
    assert isinstance(tuner, threads.StepThreadTuner) and tuner.choice in (1, 2)
    assert tuner.settled  # it saw the steps and chose
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert model._thread_tuner is tuner  # the decision carries over between fits
    assert torch.get_num_threads() == 2  # restored after fit


def test_contention_monitor_from_schedstat(tmp_path):
    path = tmp_path / "schedstat"
    monitor = threads.ContentionMonitor(str(path))
    ms = 1_000_000

    def reading(on_cpu_ms, waiting_ms):
        path.write_text(f"{on_cpu_ms * ms} {waiting_ms * ms} 7\n")
        return monitor.update()

    assert reading(100, 0) is False  # the first reading is the base
    assert reading(200, 5) is False  # 5% waiting
    assert reading(250, 60) is True  # 55 ms of 105 waiting: contended
    assert reading(252, 61) is True  # 3 ms of activity says nothing: the flag and base stay
    assert reading(350, 75) is True  # 14% waiting: between the thresholds, no change
    assert reading(450, 80) is False  # 5%: free again
    path.write_text("garbage")
    assert monitor.update() is False
    assert threads.ContentionMonitor(str(tmp_path / "missing")).update() is False


def test_inference_threads_follow_the_monitor(restore_policy, tmp_path, monkeypatch):
    threads._apply(2, "auto", True)
    path = tmp_path / "schedstat"
    monitor = threads.ContentionMonitor(str(path))
    monkeypatch.setattr(threads, "MONITOR", monitor)
    for on_cpu, waiting, expected in ((0, 0, 2), (100, 100, 1), (300, 105, 2)):
        path.write_text(f"{on_cpu * 1_000_000} {waiting * 1_000_000} 1")
        monitor.next_check = 0.0
        threads.inference_threads()
        assert torch.get_num_threads() == expected
    monitor.next_check = float("inf")  # between readings nothing is read or changed
    path.write_text("0 999999999999 1")
    threads.inference_threads()
    assert torch.get_num_threads() == 2
    keras.config.set_num_threads(2)  # fixed by the user: the monitor is not consulted
    monitor.next_check = 0.0
    monitor.contended = True
    threads.inference_threads()
    assert torch.get_num_threads() == 2


def test_tuner_takes_a_second_round_for_a_close_call(restore_policy):
    tuner = _tuner(share=0.0)  # idle: blocks of 3 steps
    ran = _drive(tuner, {2: 0.010, 1: 0.012})
    assert ran[2:14] == [2, 2, 2, 1, 1, 1] * 2
    assert tuner.choice == 2
    contended = _tuner(share=0.3)  # waiting for a CPU: blocks of 200 ms
    ran = _drive(contended, {2: 0.010, 1: 0.012})
    assert contended._block == 20
    assert ran[2:82] == ([2] * 20 + [1] * 20) * 2


def test_tuner_counts_the_stalls_of_short_steps(restore_policy):
    """Contended: at 2 threads most 1 ms steps are fast, every 8th stalls for a scheduler slice. The
    median says 2 threads; the time says 1 (the old 3-step blocks with medians kept 2)."""
    tuner = _tuner(share=0.3)
    tuner.begin()
    k = 0
    for _ in range(1200):
        n = torch.get_num_threads()
        k += n == 2
        tuner.record({2: 0.024 if k % 8 == 0 else 0.0008, 1: 0.001}[n])
    assert tuner.choice == 1
    assert tuner._block == 250  # ceil(200 ms / the 0.8 ms warm-up step)


def test_tuner_warms_up_long_enough_to_read_the_scheduler(restore_policy):
    tuner = _tuner(share=None, warmup_seconds=0.05)  # None: unknown, treated as contended
    tuner.begin()
    for step in range(5):  # 10 ms steps: the warm-up lasts five of them (50 ms), not two
        assert tuner._skip and not tuner._plan, step
        tuner.record(0.01)
    assert not tuner._skip and len(tuner._plan) == 4 * 20  # then the probe: 200 ms blocks


def test_waiting_share_from_schedstat(tmp_path):
    path = tmp_path / "schedstat"
    monitor = threads.ContentionMonitor(str(path))
    path.write_text("100000000 0 1")
    assert monitor.waiting_share() is None  # the base
    path.write_text("101000000 0 1")
    assert monitor.waiting_share() is None  # 1 ms of activity says nothing
    path.write_text("130000000 10000000 1")
    assert monitor.waiting_share() == 0.25  # 30 ms run, 10 ms waiting


def test_tuner_holds_in_proportion_to_slow_probes(restore_policy):
    tuner = _tuner()
    ran = _drive(tuner, {2: 10.0, 1: 2.0})  # seconds-long steps: the probe took 36 s
    assert tuner.choice == 1
    assert tuner._hold >= 20 * 36
    assert ran[8:] == [1] * (len(ran) - 8)  # no second probe within 92 steps of 2 s


def test_idle_probe_ignores_a_stray_slow_step(restore_policy):
    """Idle machine: one hiccup in the 2-thread block (the host, not the count) does not pick 1 thread."""
    tuner = _tuner(share=0.0)
    tuner.begin()
    for _ in range(tuner.warmup):
        tuner.record(0.007)
    hiccup = True
    for _ in range(12):
        n = torch.get_num_threads()
        slow = hiccup and n == 2 and tuner._plan and not tuner._plan[0][1]
        hiccup = hiccup and not slow
        tuner.record(0.05 if slow else {2: 0.007, 1: 0.014}[n])
    assert tuner.choice == 2
