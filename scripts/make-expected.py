#!/usr/bin/env python3
"""Writes fixtures/<set>/expected.json with scripts/reference.py (float64 NumPy).

Each checkpoint `<name>_train.npz` is the fit split; its `<name>_test.npz` partner, when present,
is the eval split where the cumulative curves are measured.

    python3 scripts/make-expected.py fixtures/digits-mlp
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import reference  # noqa: E402


def main(folder):
    folder = pathlib.Path(folder)
    out = {}
    for fit in sorted(folder.glob('*_train.npz')):
        name = fit.name[: -len('_train.npz')]
        test = folder / f'{name}_test.npz'
        ev = reference.load(test) if test.exists() else None
        fit_arrays = reference.load(fit)
        out[name] = reference.analyze(fit_arrays, ev if ev is not None else fit_arrays)
        out[name]['eval'] = test.name if test.exists() else None
    (folder / 'expected.json').write_text(json.dumps(out, indent=1) + '\n')
    print(f'wrote {folder / "expected.json"} ({len(out)} checkpoints)')


if __name__ == '__main__':
    main(sys.argv[1])
