"""Weight-space ensembles of a fine-tune and the backbone it started from (WiSE-FT).

usage: /usr/bin/python3 tools/torch/wise.py --run NAME [--epoch best] [--alphas 0.25,0.5,0.75] [--cache .cache]

A fine-tune on 3,632 rated photos learns the photos as well as quality (the gap between the fit
part and the held-out part doubles in its first epoch). Mixing its weights with the published
ones, w = (1 − α)·w₀ + α·w₁, keeps part of what it learnt and part of what the published weights
knew, at no cost at inference: the same graph, the same size, the same speed. Each α is judged
by the yardstick of heldout.py on the run's own held-out part (val is never read here).

Writes into <cache>/torch/runs/NAME/: wise-A/ (the mixed backbone as a tfjs graph model, A the
α), wise-A-train-features.npy (its pooled features of every train photo, for compare.py
--features) and wise.jsonl (one line per α).
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from features import card_outputs, extract, read_views  # noqa: E402
from heldout import ridge_figures, run_split  # noqa: E402
from tfgraph import GraphModule, read_weights, write_graph_model  # noqa: E402

LAMBDA = '1200'


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--run', required=True)
    p.add_argument('--epoch', default='best', help='the run folder holding the fine-tuned weights: best or epoch-K')
    p.add_argument('--alphas', default='0.25,0.5,0.75', help='shares of the fine-tune, comma-separated')
    p.add_argument('--cache', default='.cache')
    p.add_argument('--model', default='public/model/backbone', help='the backbone the run started from')
    p.add_argument('--card', default='public/model/model-card.json')
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    d = os.path.join(a.cache, 'torch')
    run = os.path.join(d, 'runs', a.run)
    tuned_dir = os.path.join(run, a.epoch)
    if not os.path.exists(os.path.join(tuned_dir, 'model.json')):
        raise SystemExit(f'{tuned_dir} has no model.json: run the fine-tune first (npm run train -- --finetune --run {a.run})')
    meta, held, mos, subsets, _ = run_split(a.cache, a.run)
    v320 = read_views(os.path.join(d, f"views-train-{meta['side']}.u8"), meta['side'], 'u8')[:len(held)]

    module = GraphModule(a.model, card_outputs(a.card)).eval()
    with open(os.path.join(tuned_dir, 'model.json')) as f:
        tuned = read_weights(tuned_dir, json.load(f))
    start = {name: module.params[key].detach().clone() for name, key in module.key.items()}
    missing = sorted(set(start) - set(tuned))
    if missing:
        raise SystemExit(f'{tuned_dir} lacks {len(missing)} weights of {a.model}, e.g. {missing[0]}: not the same graph')

    lines = []
    for alpha in [float(s) for s in a.alphas.split(',')]:
        with torch.no_grad():
            for name, key in module.key.items():
                module.params[key].copy_((1 - alpha) * start[name] + alpha * torch.from_numpy(tuned[name]))
        out = os.path.join(run, f'wise-{alpha:g}')
        write_graph_model(module, out)
        # extract from the written, float16-rounded weights: what would ship
        shipped = GraphModule(out, card_outputs(a.card)).eval()
        feats = extract(shipped, v320)
        np.save(os.path.join(run, f'wise-{alpha:g}-train-features.npy'), feats)
        fig = ridge_figures(feats, mos, subsets, ~held, held)[LAMBDA]
        line = {'alpha': alpha, 'epoch': a.epoch, 'held': fig['held'], 'fit': fig['fit']['pooled']}
        lines.append(line)
        with open(os.path.join(run, 'wise.jsonl'), 'a') as f:
            f.write(json.dumps(line) + '\n')
        h = fig['held']
        per = ' '.join(f'{k} {v:.3f}' for k, v in h.items() if k != 'pooled')
        print(f"α {alpha:g}: held-out pooled {h['pooled']:.3f} {per}, fit part {line['fit']:.3f}", flush=True)


if __name__ == '__main__':
    main()
