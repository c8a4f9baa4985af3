"""One rank of the two-process torch.distributed test (run by test_torch.py, not by pytest).

    python3 dist_worker.py DATA.npz OUT_DIR RANK WORLD      (MASTER_ADDR / MASTER_PORT in env)

Each rank streams ITS rows (uneven shards with different class sets) as float32 torch tensors
in mini-batches, calls all_reduce(), saves its own view of the result; rank 0 also writes the
moments file the way docs/moments.md tells users to.
"""
import datetime
import os
import pickle
import sys

import numpy as np
import torch
import torch.distributed as dist

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import richscope_export as rx  # noqa: E402


def main():
    data_path, out_dir, rank, world = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    dist.init_process_group("gloo", rank=rank, world_size=world, timeout=datetime.timedelta(seconds=60))
    d = np.load(data_path)
    rows = d[f"rows_{rank}"]
    phi, f, y = (torch.from_numpy(d[k][rows]) for k in ("features", "logits", "labels"))
    tphi, tf = torch.from_numpy(d["test_features"]), torch.from_numpy(d["test_logits"])
    acc, acc_test = rx.MomentAccumulator(), rx.MomentAccumulator()
    for s in range(0, len(rows), 32):
        acc.update(phi[s : s + 32], f[s : s + 32], labels=y[s : s + 32])
    if rank == 1:  # the label-free test split lives on rank 1 only; rank 0 contributes nothing
        acc_test.update(tphi, tf)
    acc.all_reduce()
    acc_test.all_reduce()
    with open(os.path.join(out_dir, f"state_{rank}.pkl"), "wb") as fh:
        pickle.dump({"train": acc.blocks(), "test": acc_test.blocks()}, fh)
    if rank == 0:
        rx.save_splits(os.path.join(out_dir, "moments.npz"), {"train": acc, "test": acc_test}, step=42, run="ddp")
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
