#!/usr/bin/env python3
"""Runs the CLI on every <name>_train.npz (+ _test.npz) of a fixture folder and reports the worst
deviations from that folder's expected.json (float64 NumPy, scripts/make-expected.py).

    python3 scripts/compare-reference.py fixtures/digits-mlp [../shared/fixtures ...]
Exit code 1 when a tolerance is exceeded (curves 1e-6, standard errors 1e-8, D_LR 1e-6).
"""
import json
import pathlib
import subprocess
import sys

import numpy as np

TOL = {'dlr': 1e-6, 'curve': 1e-6, 'rho_rel': 1e-6, 'nc1_rel': 1e-6, 'std_err': 1e-8}


def run_cli(fit, ev):
    cmd = ['npm', 'run', '--silent', 'analyze', '--', str(fit), '--json']
    if ev:
        cmd += ['--eval', str(ev)]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)[0]


def main(folders):
    worst = {'dlr': 0.0, 'dlrEnergy99': 0.0, 'curve': 0.0, 'rho_rel': 0.0, 'nc1_rel': 0.0, 'std_err': 0.0}
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
            # a set written before the held-out curves holds the Nyström sums under mass / utilization
            old_set = 'utilization_nystrom' not in want
            pairs = [('massNystrom', 'mass'), ('utilizationNystrom', 'utilization')] if old_set else [
                ('mass', 'mass'), ('utilization', 'utilization'),
                ('massNystrom', 'mass_nystrom'), ('utilizationNystrom', 'utilization_nystrom')]
            for key, wanted in pairs:
                if want.get(wanted) is not None:
                    d = np.abs(np.array(got[key]) - np.array(want[wanted]))
                    worst['curve'] = max(worst['curve'], float(d.max()))
            for key, wanted in (('dlrStdErr', 'dlr_std_err'), ('dlrEnergy99StdErr', 'dlr_energy99_std_err')):
                if want.get(wanted) is not None:
                    worst['std_err'] = max(worst['std_err'], abs(got[key] - want[wanted]))
            if want.get('nc1') is not None:
                worst['nc1_rel'] = max(worst['nc1_rel'], abs(got['nc1'] - want['nc1']) / abs(want['nc1']))
    print(json.dumps({'checkpoints': count, 'worst': worst}, indent=1))
    ok = all(worst[key] <= TOL[key] for key in TOL)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main(sys.argv[1:] or ['fixtures/digits-mlp'])
