#!/usr/bin/env python3
"""Runs the CLI on every <name>_train.npz (+ _test.npz) of a fixture folder and reports the worst
deviations from that folder's expected.json (float64 NumPy, scripts/make-expected.py).

    python3 scripts/compare-reference.py fixtures/digits-mlp [../shared/fixtures ...]
Exit code 1 when a tolerance of the foundation issue is exceeded.
"""
import json
import pathlib
import subprocess
import sys

import numpy as np

TOL = {'dlr': 1e-6, 'curve': 1e-5, 'rho_rel': 1e-6, 'nc1_rel': 1e-6}


def run_cli(fit, ev):
    cmd = ['npm', 'run', '--silent', 'analyze', '--', str(fit), '--json']
    if ev:
        cmd += ['--eval', str(ev)]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)[0]


def main(folders):
    worst = {'dlr': 0.0, 'dlrEnergy99': 0.0, 'curve': 0.0, 'rho_rel': 0.0, 'nc1_rel': 0.0}
    count = 0
    for folder in map(pathlib.Path, folders):
        expected = json.loads((folder / 'expected.json').read_text())
        for name, want in expected.items():
            fit = folder / f'{name}_train.npz'
            if not fit.exists():
                continue
            ev = folder / f'{name}_test.npz'
            got = run_cli(fit, ev if ev.exists() else None)
            count += 1
            worst['dlr'] = max(worst['dlr'], abs(got['dlr'] - want['dlr']))
            worst['dlrEnergy99'] = max(worst['dlrEnergy99'], abs(got['dlrEnergy99'] - want['dlr_energy99']))
            rho = np.array(want['rho'])
            worst['rho_rel'] = max(worst['rho_rel'], float(np.max(np.abs(np.array(got['rho']) - rho) / rho)))
            visible = rho / rho[0] >= 1e-6
            for key in ('mass', 'utilization'):
                if want.get(key) is not None:
                    d = np.abs(np.array(got[key]) - np.array(want[key]))[visible]
                    worst['curve'] = max(worst['curve'], float(d.max()))
            if want.get('nc1') is not None:
                worst['nc1_rel'] = max(worst['nc1_rel'], abs(got['nc1'] - want['nc1']) / abs(want['nc1']))
    print(json.dumps({'checkpoints': count, 'worst': worst}, indent=1))
    ok = worst['dlr'] <= TOL['dlr'] and worst['curve'] <= TOL['curve'] and worst['rho_rel'] <= TOL['rho_rel'] and worst['nc1_rel'] <= TOL['nc1_rel']
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main(sys.argv[1:] or ['fixtures/digits-mlp'])
