"""CheckpointWriter: a training loop logs into LOGDIR the way `richscope serve LOGDIR` reads it."""
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import PYDIR, REPO, assert_moments_close, full_moments

import richscope_export as rx
from test_torch import free_port

if os.environ.get("RICHSCOPE_REQUIRE_TORCH"):  # CI: a missing or broken torch is a failure, not a skip
    import torch
else:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (CI installs python3-torch)")

import richscope_logdir  # noqa: E402
from richscope_logdir import CheckpointWriter  # noqa: E402


def tiny_task(seed=0, n=240, d=12, classes=4):
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, classes, (n,), generator=g)
    x = torch.randn(n, d, generator=g) + 2.0 * torch.nn.functional.one_hot(y, d).float()
    return x, y


def files_of(folder):
    return sorted(os.listdir(folder))


def test_training_loop_writes_moments_and_raw_splits_that_read_back(tmp_path):
    torch.manual_seed(0)
    x, y = tiny_task()
    train = torch.utils.data.TensorDataset(x[:180], y[:180])
    test = torch.utils.data.TensorDataset(x[180:], y[180:])
    model = torch.nn.Sequential(torch.nn.Linear(12, 16), torch.nn.ReLU(), torch.nn.Linear(16, 4))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    moments = CheckpointWriter(tmp_path / "runs", run="mlp-lr0.1")
    raw = CheckpointWriter(tmp_path / "runs", run="mlp-raw")
    loaders = {"train": torch.utils.data.DataLoader(train, batch_size=64), "test": torch.utils.data.DataLoader(test, batch_size=64)}
    expected = {}
    for step in range(12):
        if step % 4 == 0:
            assert moments.write_model(step, model, loaders) == str(tmp_path / "runs" / "mlp-lr0.1" / f"moments_step{step}.npz")
            assert model.training  # left in the mode it was found in
            with torch.no_grad():  # the loaders' batches: float32 results as the hook saw them
                expected[step] = {
                    split: tuple(
                        np.concatenate(parts)
                        for parts in zip(*((model[:-1](i).numpy(), model(i).numpy(), l.numpy()) for i, l in loader))
                    )
                    for split, loader in loaders.items()
                }
            for split, (features, logits, labels) in expected[step].items():
                raw.write_activations(step, torch.from_numpy(features), torch.from_numpy(logits), torch.from_numpy(labels), split=split)
        for inputs, labels in torch.utils.data.DataLoader(train, batch_size=30, shuffle=True):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(inputs), labels).backward()
            optimizer.step()

    # only finished files, named as the dashboard groups them: no temporary or dot-named leftovers
    assert files_of(tmp_path / "runs") == ["mlp-lr0.1", "mlp-raw"]
    assert files_of(tmp_path / "runs" / "mlp-lr0.1") == ["moments_step0.npz", "moments_step4.npz", "moments_step8.npz"]
    assert files_of(tmp_path / "runs" / "mlp-raw") == [f"step_{s}_{split}.npz" for s in (0, 4, 8) for split in ("test", "train")]
    for step, splits in expected.items():
        read, meta = rx.load(tmp_path / "runs" / "mlp-lr0.1" / f"moments_step{step}.npz", with_meta=True)
        assert meta["run"] == "mlp-lr0.1" and meta["step"] == step and meta["splits"] == ["train", "test"]
        for split, (features, logits, labels) in splits.items():
            assert_moments_close(read[split].blocks(), full_moments(features, logits, labels), rtol=1e-10)
            with np.load(tmp_path / "runs" / "mlp-raw" / f"step_{step}_{split}.npz") as z:
                assert sorted(z.files) == ["features", "labels", "logits"]
                np.testing.assert_array_equal(z["features"], features)
                np.testing.assert_array_equal(z["logits"], logits)
                np.testing.assert_array_equal(z["labels"], labels)
    # training moved the features: the last checkpoint's moments differ from the first's
    first = rx.load(tmp_path / "runs" / "mlp-lr0.1" / "moments_step0.npz")["train"].blocks()["S_pp"]
    last = rx.load(tmp_path / "runs" / "mlp-lr0.1" / "moments_step8.npz")["train"].blocks()["S_pp"]
    assert not np.allclose(first, last)


def test_a_file_appears_only_whole_under_its_name(tmp_path, monkeypatch):
    writer = CheckpointWriter(tmp_path, run="r")
    final = tmp_path / "r" / "step_3_train.npz"
    seen = []

    def watching_write(fh, arrays, compress=False):
        seen.append((final.exists(), [n for n in files_of(tmp_path / "r")]))
        rx.write_npz(fh, arrays, compress)

    monkeypatch.setattr(richscope_logdir, "write_npz", watching_write)
    writer.write_activations(3, np.ones((5, 2)), np.ones((5, 3)))
    assert seen == [(False, [f".step_3_train.npz.tmp{os.getpid()}"])]
    assert files_of(tmp_path / "r") == ["step_3_train.npz"]

    def failing_write(fh, arrays, compress=False):
        fh.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(richscope_logdir, "write_npz", failing_write)
    with pytest.raises(OSError):
        writer.write_activations(4, np.ones((5, 2)), np.ones((5, 3)))
    assert files_of(tmp_path / "r") == ["step_3_train.npz"]  # no half file, no temporary left


def test_refuses_names_the_dashboard_would_misread(tmp_path):
    for run in ["test", "train", ".hidden", "a/b", "", "../up"]:
        with pytest.raises(rx.MomentsError, match="invalid run name"):
            CheckpointWriter(tmp_path, run=run)
    writer = CheckpointWriter(tmp_path, run="r")
    with pytest.raises(rx.MomentsError, match="split must be one of"):
        writer.write_activations(1, np.ones((2, 2)), np.ones((2, 2)), split="holdout")
    with pytest.raises(rx.MomentsError, match="step must be"):
        writer.write_activations(-1, np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(rx.MomentsError, match="rows"):
        writer.write_activations(1, np.ones((2, 2)), np.ones((3, 2)))


def test_only_rank_zero_writes(tmp_path):
    assert CheckpointWriter(tmp_path, run="r", rank=1).write_activations(1, np.ones((2, 2)), np.ones((2, 2))) is None
    assert not (tmp_path / "r").exists()


RANK_SCRIPT = """
import datetime, os, sys
sys.path.insert(0, {pydir!r})
import numpy as np, torch, torch.distributed as dist
import richscope_export as rx
from richscope_logdir import CheckpointWriter

rank = int(os.environ["RANK"])
dist.init_process_group("gloo", rank=rank, world_size=2, timeout=datetime.timedelta(seconds=60))
rng = np.random.default_rng(5)
features, logits, labels = rng.normal(size=(101, 6)), rng.normal(size=(101, 3)), rng.integers(0, 3, 101)
mine = slice(0, 40) if rank == 0 else slice(40, 101)  # uneven shards
writer = CheckpointWriter({logdir!r}, run="ddp")
acc = rx.MomentAccumulator().update(features[mine], logits[mine], labels=labels[mine])
moments = writer.write_moments(7, {{"train": acc}})
raw = writer.write_activations(7, features[mine], logits[mine], labels[mine], split="train")
print(repr((rank, moments, raw)))
dist.barrier()
dist.destroy_process_group()
"""


def test_torch_distributed_two_ranks_rank_zero_writes_everyones_rows(tmp_path):
    logdir = tmp_path / "runs"
    script = tmp_path / "rank.py"
    script.write_text(RANK_SCRIPT.format(pydir=PYDIR, logdir=str(logdir)))
    env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()), OMP_NUM_THREADS="1")
    procs = [
        subprocess.Popen([sys.executable, str(script)], env=dict(env, RANK=str(r)), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for r in range(2)
    ]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()[-3000:]
        outs.append(eval(out.decode().strip().splitlines()[-1]))
    run = logdir / "ddp"
    assert outs == [(0, str(run / "moments_step7.npz"), str(run / "step_7_train.npz")), (1, None, None)]
    assert files_of(run) == ["moments_step7.npz", "step_7_train.npz"]
    rng = np.random.default_rng(5)
    features, logits, labels = rng.normal(size=(101, 6)), rng.normal(size=(101, 3)), rng.integers(0, 3, 101)
    assert_moments_close(rx.load(run / "moments_step7.npz")["train"].blocks(), full_moments(features, logits, labels), rtol=1e-10)
    with np.load(run / "step_7_train.npz") as z:  # every rank's rows, in rank order
        np.testing.assert_array_equal(z["features"], features.astype(np.float64))
        np.testing.assert_array_equal(z["labels"], labels)


def test_docs_example_trains_and_logs(tmp_path):
    """The training loop of docs/logdir.md, as written, logs moments files into runs/."""
    text = open(os.path.join(REPO, "docs", "logdir.md"), encoding="utf-8").read()
    example = next(b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "CheckpointWriter(" in b)
    assert len(example.strip().splitlines()) <= 20
    script = tmp_path / "train.py"
    script.write_text(f"import sys; sys.path.insert(0, {PYDIR!r})\n" + example)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert done.returncode == 0, done.stderr[-3000:]
    (run,) = os.listdir(tmp_path / "runs")
    steps = sorted(int(re.fullmatch(r"moments_step(\d+)\.npz", name).group(1)) for name in files_of(tmp_path / "runs" / run))
    assert len(steps) >= 5 and steps[0] == 0
    first = rx.load(tmp_path / "runs" / run / f"moments_step{steps[0]}.npz")["train"]
    last = rx.load(tmp_path / "runs" / run / f"moments_step{steps[-1]}.npz")["train"]
    assert last.correct > first.correct  # it trained


def test_pip_install_gives_both_modules(tmp_path):
    """`pip install ./python` (here without network: no build isolation, no dependencies)."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "richscope_export.py", "richscope_logdir.py"):
        shutil.copy(os.path.join(PYDIR, name), source / name)
    target = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-deps", "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    if done.returncode != 0 and "No module named pip" in done.stderr:
        pytest.skip("pip is not installed")
    assert done.returncode == 0, done.stderr[-3000:]
    probe = "import richscope_export, richscope_logdir; print(richscope_export.__file__, richscope_logdir.CheckpointWriter.__name__)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(target)),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(target / "richscope_export.py"), "CheckpointWriter"]
