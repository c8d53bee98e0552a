"""How many threads torch's CPU kernels use: the CPUs this process may really run on, a per-``fit``
choice between that count and one thread, and the user's overrides.

Why: torch's OpenMP threads wait for each other at the end of every parallel kernel. When other
processes share the cores (a data loader, a second job, other users of a small VM), one of our
threads is often descheduled and the others spin until it runs again, so a training step of a
small model can take 10-20x longer with 2 threads than with 1. TensorFlow's thread pool does not
suffer it. On an idle machine the same threads make convolutions faster. Neither count is right
for every model and machine state, so ``fit`` on the CPU measures both (:class:`StepThreadTuner`).

Precedence (highest first): :func:`set_num_threads`; ``KERAS_TORCH_NUM_THREADS``;
``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS`` (torch already read them: left alone);
``torch.set_num_threads`` called after keras_torch was imported (left alone); one thread per
process when a launcher started several (``WORLD_SIZE > 1``); otherwise the usable CPUs
(affinity mask, capped by the cgroup CPU quota), with the per-``fit`` tuning.
"""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import time
from collections.abc import Iterator

import torch

from keras_torch.core import allocator

_ENV = "KERAS_TORCH_NUM_THREADS"
_TORCH_ENVS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


# --------------------------------------------------------------------------- usable CPUs
def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        return None


def _cgroup_paths(proc_cgroup: str) -> tuple[str, str]:
    """This process's cgroup v2 path and v1 ``cpu`` controller path (``/`` when unknown)."""
    v2 = v1 = "/"
    for line in (_read(proc_cgroup) or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if parts[0] == "0" and parts[1] == "":
            v2 = parts[2] or "/"
        elif "cpu" in parts[1].split(","):
            v1 = parts[2] or "/"
    return v2, v1


def cgroup_cpu_limit(root: str = "/sys/fs/cgroup", proc_cgroup: str = "/proc/self/cgroup") -> float | None:
    """The CPU quota of this process's cgroup, in CPUs (``None``: no quota).

    Reads cgroup v2 ``cpu.max`` (``"<quota> <period>"`` or ``"max <period>"``) or v1
    ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` (quota ``-1``: none), in the process's own
    cgroup directory first, then at the mount root (inside a container the two are the same).

    Args:
        root: Where the cgroup file system is mounted.
        proc_cgroup: The file listing this process's cgroups.

    Returns:
        ``quota / period`` as a float, or ``None`` when no quota is set or none can be read.
    """
    v2, v1 = _cgroup_paths(proc_cgroup)
    for rel in dict.fromkeys((v2.lstrip("/"), "")):
        text = _read(os.path.join(root, rel, "cpu.max"))
        if text:
            quota, _, period = text.partition(" ")
            if quota == "max":
                return None
            try:
                return int(quota) / int(period or 100000)
            except ValueError:
                return None
    for controller in ("cpu", "cpu,cpuacct", "cpuacct,cpu"):
        for rel in dict.fromkeys((v1.lstrip("/"), "")):
            base = os.path.join(root, controller, rel)
            quota, period = _read(os.path.join(base, "cpu.cfs_quota_us")), _read(os.path.join(base, "cpu.cfs_period_us"))
            if quota is None or period is None:
                continue
            try:
                q, p = int(quota), int(period)
            except ValueError:
                return None
            return None if q <= 0 or p <= 0 else q / p
    return None


def usable_cpus(root: str = "/sys/fs/cgroup", proc_cgroup: str = "/proc/self/cgroup") -> int:
    """The CPUs this process may run on: its affinity mask, capped by the cgroup quota (rounded
    down: two threads on a 1.5-CPU quota are throttled every period), at least 1."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    quota = cgroup_cpu_limit(root, proc_cgroup)
    if quota is not None:
        n = min(n, max(1, math.floor(quota)))
    return max(1, n)


# --------------------------------------------------------------------------- the policy
class ThreadPolicy:
    """The process's thread decision, made once on first use (``fit``/``evaluate``/``predict``)."""

    applied: bool = False
    threads: int = 1  # the count outside fit's tuning (what get_num_threads reports between fits)
    source: str = "auto"  # who decided: "set_num_threads", the env variable's name, "torch", "launcher", "auto"
    adaptive: bool = False  # fit on the CPU may switch between `threads` and 1 (StepThreadTuner)
    import_threads: int = 1  # torch's count when keras_torch was imported (a later change is the user's)

    def __init__(self) -> None:
        self.import_threads = torch.get_num_threads()


POLICY = ThreadPolicy()


def resolve_threads(env: dict[str, str], current: int, import_threads: int, usable: int) -> tuple[int, str, bool]:
    """The thread count, who decided it and whether ``fit`` may tune it, from the environment.

    Args:
        env: The environment variables (``os.environ``).
        current: torch's intra-op thread count now.
        import_threads: torch's count when keras_torch was imported.
        usable: :func:`usable_cpus`.

    Returns:
        ``(threads, source, adaptive)``.

    Raises:
        ValueError: ``KERAS_TORCH_NUM_THREADS`` is not a positive integer.
    """
    value = env.get(_ENV, "").strip()
    if value and value.lower() != "auto":
        try:
            n = int(value)
        except ValueError:
            n = 0
        if n < 1:
            raise ValueError(f"{_ENV} must be a positive integer or 'auto'. Received: {value!r}")
        return n, _ENV, False
    for name in _TORCH_ENVS:
        if env.get(name, "").strip():
            return current, name, False
    if current != import_threads:
        return current, "torch", False
    try:
        world = int(env.get("WORLD_SIZE", "1") or 1)
    except ValueError:
        world = 1
    if world > 1:  # several processes share the node's cores: one thread each, as torchrun's default
        return 1, "launcher", False
    return usable, "auto", usable > 1


def ensure_policy() -> ThreadPolicy:
    """Apply the thread policy once (the first ``fit``/``evaluate``/``predict``) and return it."""
    if not POLICY.applied:
        allocator.retain_freed_memory()
        threads, source, adaptive = resolve_threads(os.environ, torch.get_num_threads(), POLICY.import_threads,
                                                    usable_cpus())
        _apply(threads, source, adaptive)
    return POLICY


def _apply(threads: int, source: str, adaptive: bool) -> None:
    POLICY.applied, POLICY.threads, POLICY.source, POLICY.adaptive = True, threads, source, adaptive
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def set_num_threads(num_threads: int | None) -> None:
    """Fix the number of threads torch's CPU kernels use (``keras.config``-style setting).

    Overrides ``KERAS_TORCH_NUM_THREADS``, ``OMP_NUM_THREADS`` and the automatic choice, and turns
    off ``fit``'s per-model tuning. ``None`` returns to the automatic policy.

    Args:
        num_threads: A positive thread count, or ``None``.

    Raises:
        ValueError: ``num_threads`` is not a positive integer.
    """
    if num_threads is None:
        POLICY.applied = False
        POLICY.import_threads = torch.get_num_threads()
        ensure_policy()
        return
    if isinstance(num_threads, bool) or not isinstance(num_threads, int) or num_threads < 1:
        raise ValueError(f"num_threads must be a positive integer or None. Received: {num_threads!r}")
    _apply(num_threads, "set_num_threads", False)


def get_num_threads() -> int:
    """The number of threads torch's CPU kernels use outside ``fit`` (the policy applied first)."""
    return ensure_policy().threads


# --------------------------------------------------------------------------- inference under contention
class ContentionMonitor:
    """Whether other processes keep this one waiting for a CPU, from the kernel's scheduler
    statistics of the calling thread (``/proc/self/schedstat``: time on a CPU, time runnable but
    waiting). The waiting share of the runnable time since the last reading turns the flag on above
    ``high`` and off below ``low`` (the gap keeps it from flapping).

    Args:
        path: The schedstat file (a fake one in tests).
    """

    interval: float = 1.0  # seconds between readings
    high: float = 0.25
    low: float = 0.10
    min_runnable: float = 0.02  # seconds of runnable time a reading needs to say anything

    def __init__(self, path: str = "/proc/self/schedstat") -> None:
        self.path = path
        self.contended = False
        self.next_check = 0.0  # time.monotonic() of the next reading
        self._base: tuple[int, int] | None = None  # (ns on a CPU, ns waiting) at the last counted reading

    def waiting_share(self) -> float | None:
        """The share of runnable time this thread spent waiting for a CPU since the last counted reading
        (``None`` at the first reading, with too little activity since the base, or without the file)."""
        text = _read(self.path)
        if text is None:
            return None
        try:
            on_cpu, waiting = (int(v) for v in text.split()[:2])
        except ValueError:
            return None
        if self._base is None:
            self._base = (on_cpu, waiting)
            return None
        ran, waited = on_cpu - self._base[0], waiting - self._base[1]
        if ran + waited < self.min_runnable * 1e9:
            return None  # too little activity since the base: keep accumulating
        self._base = (on_cpu, waiting)
        return waited / (ran + waited)

    def update(self) -> bool:
        """Read the counters and return the (possibly new) flag."""
        share = self.waiting_share()
        if share is not None:
            if share > self.high:
                self.contended = True
            elif share < self.low:
                self.contended = False
        return self.contended


MONITOR = ContentionMonitor()


def inference_threads() -> None:
    """Before inference (``predict``, ``predict_on_batch``, ``evaluate``): one thread while other
    processes keep this one waiting for a CPU, the policy's count otherwise. Reads the scheduler
    counters at most once per :attr:`ContentionMonitor.interval`; costs a clock read otherwise."""
    now = time.monotonic()
    if now < MONITOR.next_check:
        return
    MONITOR.next_check = now + MONITOR.interval
    policy = ensure_policy()
    if not policy.adaptive or torch.are_deterministic_algorithms_enabled():
        return
    n = 1 if MONITOR.update() else policy.threads
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


# --------------------------------------------------------------------------- per-fit tuning
class StepThreadTuner:
    """Chooses, while CPU training steps run, between ``threads`` and one thread, by timing both.

    After ``warmup`` steps it runs probe blocks alternately at each count (``rounds`` blocks each;
    the first step of a block, which pays for the switch, is not counted; one round when a count is
    ``clear`` times faster), keeps the count with the lower typical step time (the mean while other processes keep this one
    waiting for a CPU, else the median), and probes again after ``hold`` seconds of steps (at least ``probe_share`` times what the
    probe took), doubling the hold (up to ``max_hold`` or that floor) while the choice stays the
    same, since the load on a shared machine changes. The decision lives on the model, so it carries over between ``fit``
    calls.

    Args:
        threads: The policy's thread count (more than 1).
    """

    warmup: int = 2
    warmup_seconds: float = 0.05  # and at least this long (the scheduler statistics need some activity)
    block: int = 3  # steps per probe block at least ...
    block_seconds: float = 0.2  # ... and, while other processes keep this one waiting, this long
    contended_share: float = 0.10  # waiting share of the runnable time above which blocks are long
    max_block: int = 256
    rounds: int = 2
    clear: float = 1.5
    hold: float = 5.0
    probe_share: float = 20.0  # hold at least this many times what the probe took
    max_hold: float = 60.0

    def __init__(self, threads: int, monitor: ContentionMonitor | None = None) -> None:
        self.threads = threads
        self._monitor = ContentionMonitor() if monitor is None else monitor
        self._monitor.waiting_share()  # the base reading
        self._warm = 0.0  # seconds of warm-up steps so far
        self.choice: int = threads  # the count steps run at outside probes
        self._skip = self.warmup  # steps still ignored before the first probe
        self._probe_due = True
        self._plan: list[tuple[int, bool]] = []  # (thread count, first of its block) per remaining probe step
        self._times: dict[int, list[float]] = {}
        self._held = 0.0  # seconds of steps since the last decision
        self._hold = self.hold
        self._probe_seconds = 0.0  # what the current/last probe's steps took
        self._last = 0.0  # the last step's seconds (sizes the probe blocks)
        self._block = self.block  # the current probe's block length
        self._contended = True  # whether the current probe saw this process waiting for a CPU

    @property
    def settled(self) -> bool:
        """Whether the next step runs at the chosen count (not a warm-up or probe step)."""
        return not (self._skip or self._plan or self._probe_due)

    def begin(self) -> None:
        """Set torch's count for the next step (called before the loop and after each record)."""
        if self._probe_due and not self._skip and not self._plan:
            other = 1 if self.choice != 1 else self.threads
            block = self._block = self.block_steps()
            self._plan = [(n, i == 0) for _ in range(self.rounds) for n in (self.choice, other) for i in range(block)]
            self._times = {self.threads: [], 1: []}
            self._probe_seconds = 0.0
            self._probe_due = False
        n = self._plan[0][0] if self._plan else self.choice
        if torch.get_num_threads() != n:
            torch.set_num_threads(n)

    def block_steps(self) -> int:
        """Steps per probe block: :attr:`block`; while other processes keep this one waiting for a CPU
        (or that is unknown), enough to last :attr:`block_seconds` at the last step's pace. Under
        contention a thread is descheduled for a scheduler slice (milliseconds) now and then; a block of
        a few 1 ms steps would often fall between those stalls and miss what they cost. On an idle
        machine there are no stalls to catch, and short blocks keep the probe's slower steps few."""
        share = self._monitor.waiting_share()
        self._contended = share is None or share > self.contended_share
        if self._last <= 0.0 or not self._contended:
            return self.block
        return max(self.block, min(self.max_block, math.ceil(self.block_seconds / self._last)))

    def _typical(self, times: list[float]) -> float:
        # Contended: the mean, since the scheduler-slice stalls of the higher count are its cost. Idle:
        # the median, since a stray slow step there is the host's noise, not the thread count's.
        return statistics.fmean(times) if self._contended else statistics.median(times)

    def record(self, seconds: float) -> None:
        """Account one finished step of ``seconds`` and prepare the next."""
        self._last = seconds
        if self._skip:
            self._warm += seconds
            if self._skip > 1 or self._warm >= self.warmup_seconds:
                self._skip -= 1
        elif self._plan:
            n, first = self._plan.pop(0)
            self._probe_seconds += seconds
            if not first:
                self._times[n].append(seconds)
            if not self._plan or (len(self._plan) % (2 * self._block) == 0 and self._clear_winner()):
                self._plan = []
                self._decide()
        else:
            self._held += seconds
            if self._held >= self._hold:
                self._probe_due, self._held = True, 0.0
        self.begin()

    def _clear_winner(self) -> bool:
        # After a round, a count at least `clear` times faster than the other needs no second round
        # (contention makes the difference 5-20x; it is the close calls that need more samples).
        if not self._contended and min((len(ts) for ts in self._times.values()), default=0) < 4:
            return False  # idle: two samples per count cannot tell the host's stray slow step from the count's
        typical = [self._typical(ts) for ts in self._times.values() if ts]
        return len(typical) == 2 and max(typical) >= self.clear * min(typical)

    def _decide(self) -> None:
        typical = {n: self._typical(ts) for n, ts in self._times.items() if ts}
        best = min(typical, key=typical.__getitem__) if typical else self.choice
        # Probing runs steps at the slower count: hold long enough that probes cost a small share of
        # the time even when one step takes seconds (a ResNet-50 step on a contended CPU).
        base = max(self.hold, self.probe_share * self._probe_seconds)
        self._hold = min(max(self.max_hold, base), self._hold * 2) if best == self.choice else base
        self.choice = best

    def restore(self) -> None:
        """Put torch back to the policy's count (the end of a ``fit``)."""
        if torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)


def fit_tuner(existing: StepThreadTuner | None, device: torch.device) -> StepThreadTuner | None:
    """The tuner a ``fit`` on ``device`` uses: ``existing`` (the model's) when it still fits the
    policy, a new one, or ``None`` (not the CPU, one usable CPU, threads fixed by the user, or
    ``torch.use_deterministic_algorithms`` on: a kernel's result may depend on its thread count)."""
    policy = ensure_policy()
    if device.type != "cpu" or not policy.adaptive or torch.are_deterministic_algorithms_enabled():
        return None
    if existing is not None and existing.threads == policy.threads:
        return existing
    return StepThreadTuner(policy.threads)


@contextlib.contextmanager
def tuning(tuner: StepThreadTuner | None) -> Iterator[None]:
    """Run a training loop under ``tuner`` (``None``: nothing to do); torch's count is restored after."""
    if tuner is None:
        yield
        return
    tuner.begin()
    try:
        yield
    finally:
        tuner.restore()
