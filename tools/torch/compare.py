"""A fine-tune's best epoch against the frozen backbone on the held-out part of train.csv.

usage: /usr/bin/python3 tools/torch/compare.py --run NAME [--features FILE] [--cache .cache] [--boot 1000]

The yardstick of heldout.py (ridge on the fit part's pooled features, λ 1200), with a paired
bootstrap over held-out photos: the SRCC difference (tuned − frozen) pooled and per subset, and
its 95 % interval. About 300 held-out photos per subset: an ss02 difference of a few hundredths
is inside the noise, and this says how far.
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from heldout import ridge_predictions, run_split, srcc  # noqa: E402

LAMBDA = 1200.0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--run', required=True)
    p.add_argument('--cache', default='.cache')
    p.add_argument('--boot', type=int, default=1000)
    p.add_argument('--features', default='best-train-features.npy',
                   help="the tuned side's train features, in the run folder (wise.py writes wise-A-train-features.npy)")
    a = p.parse_args()
    d = os.path.join(a.cache, 'torch')
    run = os.path.join(d, 'runs', a.run)
    _, held, mos, subsets, split = run_split(a.cache, a.run)
    frozen = np.load(split['frozen'])
    tuned = np.load(os.path.join(run, a.features))
    pf, pt = (ridge_predictions(f, mos, ~held, (LAMBDA,))[LAMBDA] for f in (frozen, tuned))
    rng = np.random.RandomState(7)
    out = {}
    for name in ['pooled'] + sorted(set(subsets)):
        idx = np.nonzero(held & ((subsets == name) if name != 'pooled' else True))[0]
        base, new = srcc(pf[idx], mos[idx]), srcc(pt[idx], mos[idx])
        diffs = []
        for _ in range(a.boot):
            b = rng.choice(idx, len(idx))
            diffs.append(srcc(pt[b], mos[b]) - srcc(pf[b], mos[b]))
        lo, hi = np.percentile(diffs, [2.5, 97.5])
        out[name] = {'photos': int(len(idx)), 'frozen': round(base, 4), 'tuned': round(new, 4), 'diff': round(new - base, 4), 'ci95': [round(float(lo), 4), round(float(hi), 4)]}
    print('| held out | photos | frozen | fine-tuned | difference (95 % interval) |')
    print('|---|---:|---:|---:|---|')
    for k, v in out.items():
        print(f"| {k} | {v['photos']} | {v['frozen']:.3f} | {v['tuned']:.3f} | {v['diff']:+.3f} ({v['ci95'][0]:+.3f} … {v['ci95'][1]:+.3f}) |")
    with open(os.path.join(run, 'compare.json' if a.features == 'best-train-features.npy' else f'compare-{a.features[:-4]}.json'), 'w') as f:
        json.dump(out, f)


if __name__ == '__main__':
    main()
