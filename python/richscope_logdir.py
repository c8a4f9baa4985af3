"""Richscope log directories: checkpoints that ``richscope serve LOGDIR`` shows while a run trains.

Each run is a folder of LOGDIR; each evaluation step adds one file to it, named so that the
dashboard groups it like a dropped folder (README: "Follow a log directory")::

    LOGDIR/RUN/moments_step{STEP}.npz          moments of every split (small; docs/moments.md)
    LOGDIR/RUN/step_{STEP}_{SPLIT}.npz         raw features / logits / labels of one split

Usage, from an evaluation hook::

    from richscope_logdir import CheckpointWriter

    writer = CheckpointWriter("runs", run="mlp-lr0.1")
    writer.write_model(step, model, {"train": train_eval_loader, "test": test_loader})
    # or, with accumulators or arrays of your own:
    writer.write_moments(step, {"train": acc_train, "test": acc_test})
    writer.write_activations(step, features, logits, labels, split="train")

Every file is written under a temporary dot-name in its run folder and renamed into place, so a
reader never sees half of one (``richscope serve`` never reads dot-named or ``*.tmp*`` files).
Under ``torch.distributed`` only rank 0 writes, and the write methods are collective (call them on
every rank): moments are all-reduced, raw rows gathered to rank 0, before it writes.

Imports NumPy and ``richscope_export`` (beside this file); PyTorch only when used.
"""

from __future__ import annotations

import contextlib
import os
import re

import numpy as np

from richscope_export import MomentAccumulator, MomentsError, attach, save_splits, write_npz

__all__ = ["CheckpointWriter"]

# The split words the dashboard's grouping knows (src/io/grouping.ts): the first fits, the others evaluate.
FIT_SPLITS = ("train", "training", "fit")
EVAL_SPLITS = ("test", "testing", "eval", "val", "valid", "validation")
RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+=-]*$")


def _distributed():
    """(rank, world size) of an initialised torch.distributed group, else None."""
    try:
        import torch.distributed as dist  # lazy: NumPy-only users never import torch
    except ImportError:
        return None
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return None


def _check_step(step):
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 0:
        raise MomentsError(f"step must be a non-negative integer, got {step!r}")
    return int(step)


def _to_array(a, kind):
    """NumPy copy of an array or tensor: float32 (float64 kept) for features/logits, int64 for labels."""
    if hasattr(a, "detach"):
        a = a.detach().to("cpu").numpy()
    a = np.asarray(a)
    if kind == "labels":
        return a.reshape(-1).astype(np.int64)
    return a.astype(np.float64 if a.dtype == np.float64 else np.float32, copy=False)


class CheckpointWriter:
    """Writes one run's checkpoints into ``logdir/run/``.

    ``rank``: this process's rank (default: torch.distributed's when initialised, else 0); only
    rank 0 writes. The run folder is created on the first write.
    """

    def __init__(self, logdir, run, rank=None):
        run = str(run)
        if not RUN_NAME.match(run) or run.lower() in FIT_SPLITS + EVAL_SPLITS:
            raise MomentsError(
                f"invalid run name {run!r}: use letters, digits and _ . + = - (not starting with one of"
                " them), and not a split word such as 'train' or 'test'"
            )
        self.logdir = os.fspath(logdir)
        self.run = run
        group = _distributed()
        self.rank = int(rank) if rank is not None else (group[0] if group else 0)

    @property
    def run_dir(self):
        return os.path.join(self.logdir, self.run)

    @property
    def is_writer(self):
        """Whether this process writes files (rank 0)."""
        return self.rank == 0

    def _atomic_write(self, name, write):
        """Runs ``write(fh)`` on a temporary dot-named file of the run folder, then renames it to ``name``."""
        os.makedirs(self.run_dir, exist_ok=True)
        path = os.path.join(self.run_dir, name)
        tmp = os.path.join(self.run_dir, f".{name}.tmp{os.getpid()}")
        try:
            with open(tmp, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(tmp)
            raise
        return path

    def write_moments(self, step, splits, reduce=True):
        """Write ``{split: MomentAccumulator}`` (fit split first) as ``moments_step{step}.npz``.

        Under torch.distributed, with ``reduce=True`` (default), each accumulator is all-reduced in
        place first, so every rank must call this; pass ``reduce=False`` for accumulators that
        already hold every rank's rows. Returns the path on the writing rank, else None.
        """
        step = _check_step(step)
        if not splits:
            raise MomentsError("no splits to write")
        if reduce and _distributed():
            for acc in splits.values():
                acc.all_reduce()
        if not self.is_writer:
            return None
        name = f"moments_step{step}.npz"
        os.makedirs(self.run_dir, exist_ok=True)
        tmp = os.path.join(self.run_dir, f".{name}")
        save_splits(tmp, splits, step=step, run=self.run)  # itself written via a temporary name
        path = os.path.join(self.run_dir, name)
        os.replace(tmp, path)
        return path

    def write_model(self, step, model, loaders, module=None, device=None, num_classes=None):
        """Evaluate ``model`` on each loader of ``{split: loader}`` (fit split first; batches of
        ``(inputs, labels)``), record the input and output of its read-out layer (the last
        ``nn.Linear``, or ``module``) and write their moments (``write_moments``). Leaves the model
        in the mode it found it. ``num_classes`` gives every split the same one-hot columns.
        """
        import torch  # lazy

        accs = {}
        was_training = model.training
        model.eval()
        try:
            for split, loader in loaders.items():
                acc = accs[split] = MomentAccumulator(num_classes=num_classes)
                with torch.no_grad(), attach(model, acc, module=module, only_in_batch=True) as recorder:
                    for inputs, labels in loader:
                        with recorder.batch(labels):
                            model(inputs.to(device) if device is not None else inputs)
        finally:
            model.train(was_training)
        return self.write_moments(step, accs)

    def write_activations(self, step, features, logits, labels=None, split="train"):
        """Write one split's raw rows as ``step_{step}_{split}.npz`` (arrays ``features`` n x p,
        ``logits`` n x C, ``labels`` n). NumPy arrays or tensors on any device. Under
        torch.distributed each rank passes its own rows; they are gathered to rank 0 in rank order
        (every rank must call this). Returns the path on the writing rank, else None.
        """
        step = _check_step(step)
        if split not in FIT_SPLITS + EVAL_SPLITS:
            raise MomentsError(f"split must be one of {', '.join(FIT_SPLITS + EVAL_SPLITS)}, got {split!r}")
        arrays = {"features": _to_array(features, "features"), "logits": _to_array(logits, "logits")}
        if labels is not None:
            arrays["labels"] = _to_array(labels, "labels")
        for key, a in arrays.items():
            if key != "labels" and a.ndim != 2:
                raise MomentsError(f"{key} must be 2-D (rows x columns), got shape {a.shape}")
            if a.shape[0] != arrays["features"].shape[0]:
                raise MomentsError(f"{key} has {a.shape[0]} rows, features have {arrays['features'].shape[0]}")
        if _distributed():
            import torch.distributed as dist  # lazy

            gathered = [None] * dist.get_world_size() if self.is_writer else None
            dist.gather_object(arrays, gathered, dst=0)
            if not self.is_writer:
                return None
            arrays = {key: np.concatenate([part[key] for part in gathered]) for key in arrays}
        elif not self.is_writer:
            return None
        return self._atomic_write(f"step_{step}_{split}.npz", lambda fh: write_npz(fh, arrays))
