"""Fine-tunes the whole backbone on the ratings, with the nine labelled aspects as auxiliary heads.

usage: /usr/bin/python3 tools/torch/finetune.py [--cache .cache] [--run NAME] [--epochs 3] …
       (normally through `npm run train -- --finetune …`; --help lists every option)

Reads the inputs tools/torch/views.ts cached (<cache>/torch/), starts from the shipped backbone
(public/model/backbone) and writes <cache>/torch/runs/NAME/:
  log.jsonl        one line per epoch: losses, held-out and fit-part SRCC (the gap), seconds
  checkpoint.pt    every --save-every steps and at each epoch's end: training resumes from it
  epoch-K/         the backbone after epoch K as a tfjs graph model (float32 weights)
  best/            the epoch with the best held-out SRCC (ridge on pooled features, λ 1200)
The held-out part of train.csv (near-duplicates kept together, heldout.py) decides everything;
val is never read here.

Losses, on targets standardized over the fit part: the quality head's pooled squared error plus
a within-subset pairwise ranking loss (the subsets were rated separately), and the masked squared
error of nine aspect heads where a photo has labels. The heads read the same pooled features the
shipped head reads and are dropped after training: the shipped head is refitted on the new features.
Augmentation keeps quality and labels: crops of 90–100 % of the side, horizontal flips.
"""

import argparse
import json
import math
import os
import random
import re
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from features import card_outputs, extract, read_views  # noqa: E402
from heldout import duplicate_groups, held_out_mask, ridge_figures  # noqa: E402
from tfgraph import GraphModule, pooled_features, write_graph_model  # noqa: E402

RIDGE_LAMBDA = 1200.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--cache', default='.cache')
    p.add_argument('--model', default='public/model/backbone', help='the backbone to start from')
    p.add_argument('--card', default='public/model/model-card.json', help='names the levels the head reads')
    p.add_argument('--run', default='default')
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--lr', type=float, default=5e-5, help='backbone learning rate (heads: 10×)')
    p.add_argument('--weight-decay', type=float, default=1e-4)
    p.add_argument('--l2sp', type=float, default=0.0,
                   help='weight of the squared distance of the backbone from the weights it started from (L2-SP: it forgets less '
                        'of what the published weights know); the backbone then has no decay toward zero')
    p.add_argument('--train-from', type=int, default=0,
                   help='train only the blocks from expanded_conv_N on (and extern1); the stem and earlier blocks keep the '
                        'published weights, so the shallow levels the head reads stay as they are (0: train everything)')
    p.add_argument('--biases-only', action='store_true',
                   help='train only the biases (batch-norm offsets) of the blocks trained, about 1 %% of the weights (BitFit): '
                        'too few to learn the photos by heart')
    p.add_argument('--head-lr', type=float, default=0.0, help='the heads\' learning rate (0: 10× --lr)')
    p.add_argument('--rank', type=float, default=1.0, help='weight of the within-subset ranking loss')
    p.add_argument('--aux', type=float, default=0.5, help='weight of the aspect heads’ loss')
    p.add_argument('--min-crop', type=float, default=0.9)
    p.add_argument('--subset-batches', action='store_true',
                   help='draw each batch from one subset, so the ranking loss sees all of its pairs '
                        '(a mixed batch of 16 holds about a third as many)')
    p.add_argument('--save-every', type=int, default=40, help='steps between checkpoints')
    p.add_argument('--limit', type=int, default=0, help='use only the first N train photos (smoke runs)')
    p.add_argument('--stop-after', type=int, default=0, help='save and stop after N steps of this invocation (rerun to resume)')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--seed', type=int, default=20261201)
    return p.parse_args(argv)


def load_inputs(cache, limit):
    d = os.path.join(cache, 'torch')
    meta_path = os.path.join(d, 'meta-train.json')
    if not os.path.exists(meta_path):
        raise SystemExit(f'{meta_path} is missing: run `npx tsx tools/torch/views.ts --cache {cache}` first')
    with open(meta_path) as f:
        meta = json.load(f)
    photos = meta['photos'][:limit or None]
    n = len(photos)
    v320 = read_views(os.path.join(d, f"views-train-{meta['side']}.u8"), meta['side'], 'u8')[:n]
    vaug = read_views(os.path.join(d, f"views-train-{meta['augSide']}.u8"), meta['augSide'], 'u8')[:n]
    mos = np.array([p['mos'] for p in photos], np.float32)
    subsets = np.array([p['subset'] for p in photos])
    na = len(meta['aspects'])
    labels = np.array([p['labels'] if p['labels'] is not None else [np.nan] * na for p in photos], np.float32)
    return meta, photos, v320, vaug, mos, subsets, labels


def model_key(model_dir):
    """A checksum of a graph model folder's files: the frozen features belong to one starting model."""
    with open(os.path.join(model_dir, 'model.json'), 'rb') as f:
        raw = f.read()
    key = zlib.crc32(raw)
    for group in json.loads(raw)['weightsManifest']:
        for p in group['paths']:
            with open(os.path.join(model_dir, p), 'rb') as f:
                key = zlib.crc32(f.read(), key)
    return f'{key:08x}'


def split(run_dir, cache, module, photos, v320):
    """Frozen features of the starting model (the yardstick's baseline) and the held-out mask, computed once per cache."""
    d = os.path.join(cache, 'torch')
    path = os.path.join(d, f'frozen-train-{len(photos)}-{model_key(module.model_dir)}.npy')
    if os.path.exists(path):
        frozen = np.load(path)
    else:
        t = time.time()
        frozen = extract(module, v320)
        np.save(path, frozen)
        print(f'frozen features of {len(photos)} photos in {time.time() - t:.0f}s', flush=True)
    images = [p['image'] for p in photos]
    groups = duplicate_groups(frozen)
    held = held_out_mask(images, groups)
    if held.all() or not held.any():  # a handful of smoke photos: hold out every other one
        held = np.arange(len(images)) % 2 == 1
    sizes = np.bincount(np.unique(groups, return_inverse=True)[1])
    info = {'photos': len(images), 'held': int(held.sum()), 'groups': int(len(sizes)), 'multi_photo_groups': int((sizes > 1).sum()), 'largest_group': int(sizes.max())}
    with open(os.path.join(run_dir, 'split.json'), 'w') as f:
        json.dump({**info, 'frozen': path, 'held_images': [im for im, h in zip(images, held) if h]}, f)
    return frozen, held, info


class Heads(torch.nn.Module):
    """Quality and aspect heads on standardized pooled features, started from ridge fits."""

    def __init__(self, frozen, fit, mos, labels):
        super().__init__()
        mu, sd = frozen[fit].mean(0), frozen[fit].std(0) + 1e-6
        self.register_buffer('mu', torch.tensor(mu))
        self.register_buffer('sd', torch.tensor(sd))
        z = (frozen[fit] - mu) / sd
        targets = np.concatenate([mos[fit, None], labels[fit]], axis=1)
        self.t_mu = np.nanmean(targets, 0)
        self.t_sd = np.nanstd(targets, 0) + 1e-6
        w = np.zeros((z.shape[1], targets.shape[1]), np.float32)
        for k in range(targets.shape[1]):
            m = ~np.isnan(targets[:, k])
            y = (targets[m, k] - self.t_mu[k]) / self.t_sd[k]
            w[:, k] = np.linalg.solve(z[m].T @ z[m] + RIDGE_LAMBDA * np.eye(z.shape[1]), z[m].T @ y)
        self.linear = torch.nn.Linear(z.shape[1], targets.shape[1])
        with torch.no_grad():
            self.linear.weight.copy_(torch.tensor(w.T))
            self.linear.bias.zero_()

    def forward(self, feats):
        return self.linear((feats - self.mu) / self.sd)

    def standardized(self, mos, labels):
        t = np.concatenate([mos[:, None], labels], axis=1)
        return torch.tensor((t - self.t_mu) / self.t_sd, dtype=torch.float32)


def ranking_loss(q, y, subsets):
    """Pairwise logistic loss over pairs of one subset whose targets differ."""
    same = torch.tensor(subsets[:, None] == subsets[None, :])
    dy = y[:, None] - y[None, :]
    mask = same & (dy > 0.05)
    if not mask.any():
        return q.sum() * 0
    return F.softplus(-(q[:, None] - q[None, :])[mask]).mean()


def epoch_batches(fit_idx, subsets, batch, by_subset, rs):
    """The fit photos in the batches an epoch reads them in. Mixed: one shuffle cut every `batch`.
    by_subset: each batch from one subset (a subset's last batch may be short), the batches
    shuffled together, so the within-subset ranking loss sees every pair of its batch."""
    if not by_subset:
        order = rs.permutation(fit_idx)
        return [order[i:i + batch] for i in range(0, len(order), batch)]
    batches = []
    for s in sorted(set(subsets[fit_idx])):
        part = rs.permutation(fit_idx[subsets[fit_idx] == s])
        batches += [part[i:i + batch] for i in range(0, len(part), batch)]
    return [batches[i] for i in rs.permutation(len(batches))]


def augment(views, side, min_crop, rng):
    """Random crop of min_crop–100 % of the side, resized to side², flipped left–right half the time."""
    out = []
    for v in views:
        s = v.shape[0]
        c = int(round(s * rng.uniform(min_crop, 1.0)))
        y, x = rng.randint(0, s - c), rng.randint(0, s - c)
        t = torch.from_numpy(np.array(v[y:y + c, x:x + c], dtype=np.float32)).permute(2, 0, 1)[None]
        t = F.interpolate(t, size=(side, side), mode='bilinear', align_corners=False, antialias=True)
        if rng.random() < 0.5:
            t = t.flip(3)
        out.append(t[0].permute(1, 2, 0))
    return torch.stack(out).clamp(0, 255)


def block_of(graph_name):
    """The MobileNetV3 block a weight belongs to: -1 for the stem, 0 for expanded_conv, N for expanded_conv_N, 99 after them."""
    if '/MobilenetV3/Conv/' in graph_name:
        return -1
    m = re.search(r'expanded_conv(?:_(\d+))?/', graph_name)
    return (int(m.group(1) or 0)) if m else 99


def freeze_below(module, first, biases_only=False):
    """Stops the gradient of every weight before block `first` (and of every filter, with biases_only); returns the weights left to train."""
    for name, key in module.key.items():
        w = module.params[key]
        w.requires_grad_(block_of(name) >= first and (w.ndim == 1 or not biases_only))
    trained = [w for w in module.parameters() if w.requires_grad]
    if first or biases_only:
        print(f'training blocks {first} on: {sum(w.numel() for w in trained):,} of '
              f'{sum(w.numel() for w in module.parameters()):,} backbone weights', flush=True)
    return trained


def evaluate(module, v320, mos, subsets, fit, held):
    module.eval()
    feats = extract(module, v320)
    module.train()
    return feats, ridge_figures(feats, mos, subsets, fit, held)


def main(argv=None):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    run_dir = os.path.join(a.cache, 'torch', 'runs', a.run)
    os.makedirs(run_dir, exist_ok=True)
    meta, photos, v320, vaug, mos, subsets, labels = load_inputs(a.cache, a.limit)
    side = meta['side']
    outputs = card_outputs(a.card)
    module = GraphModule(a.model, outputs)
    frozen, held, info = split(run_dir, a.cache, module, photos, v320)
    fit = ~held
    print(f"{info['photos']} train photos: {int(fit.sum())} fit, {info['held']} held out "
          f"({info['groups']} groups, {info['multi_photo_groups']} of more than one photo, largest {info['largest_group']})", flush=True)
    heads = Heads(frozen, fit, mos, labels)
    targets = heads.standardized(mos, labels)
    trained = freeze_below(module, a.train_from, a.biases_only)
    opt = torch.optim.AdamW([
        {'params': trained, 'lr': a.lr, 'weight_decay': 0.0 if a.l2sp else a.weight_decay},
        {'params': heads.parameters(), 'lr': a.head_lr or a.lr * 10},
    ], weight_decay=a.weight_decay)
    # the starting point L2-SP pulls toward: the published weights, not a checkpoint's
    start = [w.detach().clone() for w in trained] if a.l2sp else []
    fit_idx = np.nonzero(fit)[0]
    steps_per_epoch = len(epoch_batches(fit_idx, subsets, a.batch, a.subset_batches, np.random.RandomState(0)))
    total = steps_per_epoch * a.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, total) / total)))
    ckpt_path = os.path.join(run_dir, 'checkpoint.pt')
    log_path = os.path.join(run_dir, 'log.jsonl')
    state = {'epoch': 0, 'step': 0, 'best': None, 'sums': {}}
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        module.load_state_dict(ck['module'])
        heads.load_state_dict(ck['heads'])
        opt.load_state_dict(ck['opt'])
        sched.load_state_dict(ck['sched'])
        state = ck['state']
        print(f"resumed at epoch {state['epoch'] + 1}, step {state['step']} of {steps_per_epoch}", flush=True)
    else:
        with open(log_path, 'w') as f:
            base = ridge_figures(frozen, mos, subsets, fit, held)  # the start is the frozen backbone, extracted once
            f.write(json.dumps({'epoch': 0, 'ridge': base, 'split': info}) + '\n')
        print(f"frozen: held-out SRCC {base[str(int(RIDGE_LAMBDA))]['held']}", flush=True)

    def save():
        tmp = ckpt_path + '.part'
        torch.save({'module': module.state_dict(), 'heads': heads.state_dict(), 'opt': opt.state_dict(), 'sched': sched.state_dict(), 'state': state}, tmp)
        os.replace(tmp, ckpt_path)

    module.train()
    steps_here = 0
    while state['epoch'] < a.epochs:
        epoch = state['epoch']
        batches = epoch_batches(fit_idx, subsets, a.batch, a.subset_batches, np.random.RandomState(a.seed + epoch))
        rng = random.Random(a.seed * 1000 + epoch * 100000 + state['step'])
        started, first = time.time(), state['step']
        for step in range(first, steps_per_epoch):
            idx = np.sort(batches[step])
            x = augment(vaug[idx], side, a.min_crop, rng)
            levels = module(x)
            out = heads(pooled_features([levels[o] for o in outputs]))
            t = targets[idx]
            q_loss = F.mse_loss(out[:, 0], t[:, 0])
            r_loss = ranking_loss(out[:, 0], t[:, 0], subsets[idx])
            m = ~torch.isnan(t[:, 1:])
            a_loss = F.mse_loss(out[:, 1:][m], t[:, 1:][m]) if m.any() else q_loss * 0
            loss = q_loss + a.rank * r_loss + a.aux * a_loss
            if a.l2sp:
                loss = loss + a.l2sp * sum(((w - w0) ** 2).sum() for w, w0 in zip(trained, start))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            for k, v in (('quality', q_loss), ('rank', r_loss), ('aspects', a_loss)):
                state['sums'][k] = state['sums'].get(k, 0.0) + float(v)
            state['step'] = step + 1
            if (step + 1) % 10 == 0:
                rate = (time.time() - started) / (step + 1 - first)
                print(f'epoch {epoch + 1} step {step + 1}/{steps_per_epoch} loss {float(loss):.3f} '
                      f'({rate / a.batch * 1000:.0f} ms/photo)', flush=True)
            steps_here += 1
            if (step + 1) % a.save_every == 0 or steps_here == a.stop_after:
                save()
            if steps_here == a.stop_after:
                print(f"stopped after {steps_here} steps at epoch {epoch + 1}, step {step + 1}: rerun to resume", flush=True)
                return
        seconds = time.time() - started
        feats, fig = evaluate(module, v320, mos, subsets, fit, held)
        held_srcc = fig[str(int(RIDGE_LAMBDA))]['held']['pooled']
        line = {'epoch': epoch + 1, 'train_seconds': round(seconds), 'losses': {k: v / steps_per_epoch for k, v in state['sums'].items()}, 'ridge': fig}
        with open(log_path, 'a') as f:
            f.write(json.dumps(line) + '\n')
        write_graph_model(module, os.path.join(run_dir, f'epoch-{epoch + 1}'))
        if state['best'] is None or held_srcc > state['best']['srcc']:
            state['best'] = {'epoch': epoch + 1, 'srcc': held_srcc}
            write_graph_model(module, os.path.join(run_dir, 'best'))
            np.save(os.path.join(run_dir, 'best-train-features.npy'), feats)
        print(f"epoch {epoch + 1}: {seconds:.0f}s, held-out SRCC {fig[str(int(RIDGE_LAMBDA))]['held']}, "
              f"fit {fig[str(int(RIDGE_LAMBDA))]['fit']['pooled']:.3f}", flush=True)
        state = {'epoch': epoch + 1, 'step': 0, 'best': state['best'], 'sums': {}}
        save()
    print(json.dumps({'run': run_dir, 'best': state['best']}), flush=True)


if __name__ == '__main__':
    main()
