"""Torch paths: tensors on update, the forward-hook recorder, and a real 2-process gloo run."""
import os
import pickle
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import HERE, assert_moments_close, dlr_from_moments, dlr_raw, full_moments, make_data

import richscope_export as rx

if os.environ.get("RICHSCOPE_REQUIRE_TORCH"):  # CI: a missing or broken torch is a failure, not a skip
    import torch
else:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (CI installs python3-torch)")


def test_update_accepts_tensors():
    phi, f, y = make_data(41, 100)
    acc = rx.MomentAccumulator()
    acc.update(torch.from_numpy(phi[:37]), torch.from_numpy(f[:37]), labels=torch.from_numpy(y[:37]))
    acc.update(torch.from_numpy(phi[37:]).double().requires_grad_(True), f[37:], labels=list(y[37:]))
    assert_moments_close(acc.blocks(), full_moments(phi, f, y))


def make_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 11), torch.nn.ReLU(), torch.nn.Linear(11, 5)
    ).eval()


def test_attach_records_last_linear():
    # Float64 forward passes: the reference below recomputes all 90 rows in one batch, and a float32
    # product's rounding depends on how the BLAS blocks it (batch size, OpenBLAS or reference BLAS),
    # about 1e-8 relative, which would drown the accumulator's own 1e-10 agreement. In float64 the
    # batches differ by about 1e-16 relative.
    model = make_model().double()
    x = torch.randn(90, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = torch.randint(0, 5, (90,), generator=torch.Generator().manual_seed(2))
    acc = rx.MomentAccumulator()
    with torch.no_grad():
        with rx.attach(model, acc) as rec:
            for s in range(0, 90, 32):
                with rec.batch(y[s : s + 32]):
                    model(x[s : s + 32])
        model(x)  # hook removed: not recorded
        feats = model[:-1](x).numpy()
        logits = model(x).numpy()
    assert rec.calls == 3 and acc.n == 90
    assert_moments_close(acc.blocks(), full_moments(feats, logits, y.numpy()))
    assert int(acc.blocks()["correct"]) == int((logits.argmax(1) == y.numpy()).sum())


def test_attach_module_fn_and_only_in_batch():
    model = make_model()
    x = torch.randn(20, 6)
    seen = []
    rec = rx.attach(model, lambda feats, logits, labels, targets: seen.append((feats.shape, logits.shape, labels)),
                    module=model[2], only_in_batch=True)
    with torch.no_grad():
        model(x)  # outside batch(): ignored
        with rec.batch():
            model(x)
    rec.remove()
    assert seen == [((20, 16), (20, 11), None)]
    # a bare Linear works as the "model"; default sink is a new accumulator; token dims flatten
    lin = torch.nn.Linear(4, 3)
    rec = rx.attach(lin)
    with torch.no_grad(), rec.batch(torch.zeros(2, 7, dtype=torch.long)):
        lin(torch.randn(2, 7, 4))
    assert rec.accumulator.n == 14 and rec.accumulator.q == 1
    rec.remove()
    with pytest.raises(rx.MomentsError, match="no torch.nn.Linear"):
        rx.attach(torch.nn.ReLU(), rx.MomentAccumulator())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_process_gloo_all_reduce(tmp_path):
    phi, f, _ = make_data(42, 300, p=10, C=4)
    y = np.concatenate([np.arange(70) % 3, np.arange(230) % 7])  # rank 0 sees classes 0..2, rank 1 0..6
    tphi, tf, _ = make_data(43, 45, p=10, C=4, affine=False)
    data = tmp_path / "data.npz"
    np.savez(data, features=phi, logits=f, labels=y, test_features=tphi, test_logits=tf,
             rows_0=np.arange(0, 70), rows_1=np.arange(70, 300))
    env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()), OMP_NUM_THREADS="1")
    t0 = time.time()
    procs = [
        subprocess.Popen([sys.executable, os.path.join(HERE, "dist_worker.py"), str(data), str(tmp_path), str(r), "2"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for r in range(2)
    ]
    errors = []
    for r, p in enumerate(procs):
        try:
            out, err = p.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail("distributed workers timed out")
        if p.returncode != 0:
            errors.append(f"rank {r} exit {p.returncode}:\n{err.decode()[-3000:]}")
    assert not errors, "\n".join(errors)
    elapsed = time.time() - t0
    # every rank holds the same (bit-identical) moments
    s0, s1 = (pickle.load(open(tmp_path / f"state_{r}.pkl", "rb")) for r in range(2))
    for split in ("train", "test"):
        assert set(s0[split]) == set(s1[split])
        for k in s0[split]:
            np.testing.assert_array_equal(s0[split][k], s1[split][k])
    # rank 0's file == single-process moments of all data, to 1e-10
    splits, meta = rx.load(tmp_path / "moments.npz", with_meta=True)
    assert meta == {"run": "ddp", "step": 42, "splits": ["train", "test"],
                    "target_kind": {"train": "onehot", "test": "none"}}
    b = splits["train"].blocks()
    assert_moments_close(b, full_moments(phi, f, y), rtol=1e-10)
    single = rx.MomentAccumulator().update(phi, f, labels=y).blocks()
    for k in single:
        np.testing.assert_allclose(b[k], single[k], rtol=1e-10, atol=1e-10 * max(1.0, np.abs(single[k]).max()))
    assert int(b["correct"]) == int((f.argmax(1) == y).sum())
    assert_moments_close(splits["test"].blocks(), full_moments(tphi, tf), rtol=1e-10)
    # D_LR from the moments (METHOD.md §3) == D_LR of the raw data, to 1e-9
    d_m, r_m = dlr_from_moments(b["S_pp"], b["S_pf"], b["S_ff"])
    d_r, r_r = dlr_raw(phi, f)
    assert r_m == r_r == 4
    assert abs(d_m - d_r) < 1e-9
    bt = splits["test"].blocks()
    assert abs(dlr_from_moments(bt["S_pp"], bt["S_pf"], bt["S_ff"])[0] - dlr_raw(tphi, tf)[0]) < 1e-9
    print(f"two-process gloo run: {elapsed:.1f} s")


def test_docs_ddp_example_runs(tmp_path):
    """The DDP example of docs/moments.md, on CPU (gloo), two ranks started as torchrun would."""
    import re

    text = open(os.path.join(os.path.dirname(os.path.dirname(HERE)), "docs", "moments.md"), encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    example = next(b for b in blocks if "all_reduce()" in b)
    example = example.replace('"nccl"', '"gloo"').replace("x.cuda()", "x")
    example = "\n".join(line for line in example.splitlines() if "torch.cuda.set_device" not in line)
    preamble = (
        f"import sys; sys.path.insert(0, {os.path.dirname(HERE)!r})\n"
        "import torch\n"
        "torch.manual_seed(0)\n"
        "model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 5)).double().eval()\n"
        "g = torch.Generator().manual_seed(1)\n"
        "train_set = torch.utils.data.TensorDataset(torch.randn(301, 8, generator=g, dtype=torch.float64), torch.randint(0, 5, (301,), generator=g))\n"
        "step = 7\n"
    )
    script = tmp_path / "eval_moments.py"
    script.write_text(preamble + example)
    env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()), WORLD_SIZE="2", OMP_NUM_THREADS="1")
    procs = [subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=dict(env, RANK=str(r), LOCAL_RANK=str(r)),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for r in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=90)
        assert p.returncode == 0, err.decode()[-3000:]
    # single-process reference: the same model on all 301 samples. The model runs in float64 (see the
    # preamble): in float32 the ranks' batches of 256 and this one batch of 301 round differently
    # (about 1e-8 relative, and differently under OpenBLAS and reference BLAS), far above the 1e-10
    # the merged moments are held to.
    ns = {}
    exec(preamble.split("step = 7")[0], ns)
    x, y = ns["train_set"].tensors
    with torch.no_grad():
        feats, logits = ns["model"][:-1](x).numpy(), ns["model"](x).numpy()
    b = rx.load(tmp_path / "moments_step7.npz")["train"].blocks()
    assert_moments_close(b, full_moments(feats, logits, y.numpy()), rtol=1e-10)


def layer_blocks(acc, name):
    return acc.layers[name].blocks()


def test_attach_records_the_input_of_every_linear():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 11), torch.nn.ReLU(), torch.nn.Linear(11, 5)
    ).eval().double()
    x = torch.randn(80, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = torch.randint(0, 5, (80,), generator=torch.Generator().manual_seed(2))
    acc = rx.MomentAccumulator()
    with torch.no_grad(), rx.attach(model, acc, layers="linear") as rec:
        for s in range(0, 80, 32):
            with rec.batch(y[s : s + 32]):
                model(x[s : s + 32])
    assert acc.features_name == "4" and list(acc.layers) == ["0", "2"]
    with torch.no_grad():
        inputs = {"0": x.numpy(), "2": model[:2](x).numpy()}
        logits = model(x).numpy()
    for name, values in inputs.items():
        assert_moments_close(layer_blocks(acc, name), full_moments(values, logits), rtol=1e-9)


def test_attach_by_name_and_errors():
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).eval()
    seen = []
    rec = rx.attach(model, lambda feats, logits, labels, targets, layers: seen.append(sorted(layers)), layers=["1"])
    with torch.no_grad():
        model(torch.randn(5, 4))
    rec.remove()
    assert seen == [["1"]]
    with pytest.raises(rx.MomentsError, match="no module named"):
        rx.attach(model, layers=["nope"])
    with pytest.raises(rx.MomentsError, match="read-out"):
        rx.attach(model, layers=[model[2]])
