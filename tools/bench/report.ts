import type { BenchPhoto } from './photos';
import { byTypeText } from './cpu';
import { median, medianOf, percentile, round } from './stats';

// From raw runs to the figures the issue asks for (medians over runs) and a markdown table.

/* eslint-disable @typescript-eslint/no-explicit-any -- raw page results are plain JSON */
type Json = any;
export interface RunResult {
  backends: Record<string, Json>;
  worker: Record<string, Json>;
  choice?: Json;
  /** tools/bench/cross-site.ts: { cold, repeat } visits, or { error }. */
  crossSite?: Json;
  /** The batch: { photos, ours: { firstMs, lastMs }, peer: { … }, megapixels }, or { error }; the baseline build's beside it. */
  batch?: Json;
  batchBaseline?: Json;
  /** The machine's load average (1, 5, 15 min) as the run started and ended. */
  loadavg?: { start: number[]; end?: number[] };
}

const p = (rows: Json[] | undefined, key: string, q: number) =>
  rows?.length
    ? percentile(
        rows.map((r) => r[key]),
        q,
      )
    : NaN;
const MB = 1024 * 1024;

function sizeClass(mp: number) {
  return mp < 1 ? '<1 MP' : mp <= 5 ? '1–5 MP' : '>5 MP';
}

export function summarise(runs: RunResult[], photos: BenchPhoto[]) {
  const mpOf = new Map(photos.map((x) => [x.file, x.megapixels]));
  const backends: Record<string, Json> = {};
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.backends)))];
  for (const b of names) {
    const ok = runs.map((r) => r.backends[b]).filter((x) => x && !x.error);
    if (!ok.length) {
      backends[b] = { error: runs.map((r) => r.backends[b]?.error).find(Boolean) };
      continue;
    }
    const cold = (k: string) => round(medianOf(ok, (x) => x.cold[k]));
    const repeat = (k: string) => round(medianOf(ok, (x) => x.repeat?.[k]));
    const bySize: Record<string, number | null> = {};
    for (const cls of ['<1 MP', '1–5 MP', '>5 MP']) {
      bySize[cls] = round(medianOf(ok, (x) => median(x.warm.rows.filter((row: Json) => sizeClass(mpOf.get(row.name) ?? 0) === cls).map((row: Json) => row.totalMs))));
    }
    backends[b] = {
      photos: ok[0].warm.rows.length,
      cold: {
        backendInitMs: cold('backendInitMs'),
        modelFetchMs: cold('modelFetchMs'),
        warmupMs: cold('warmupMs'),
        firstScoreMs: cold('firstScoreMs'),
        totalMs: cold('totalMs'),
        pageToStartMs: cold('pageToStartMs'),
      },
      repeatVisit: {
        backendInitMs: repeat('backendInitMs'),
        modelFetchMs: repeat('modelFetchMs'),
        warmupMs: repeat('warmupMs'),
        firstScoreMs: repeat('firstScoreMs'),
        totalMs: repeat('totalMs'),
        modelBytes: round(medianOf(ok, (x) => x.repeat?.bytes.model)),
        modelFilesFromCache: ok[0].repeat ? Object.values(ok[0].repeat.modelSources).filter((s) => s === 'cache').length : null,
      },
      bytesBeforeFirstScore: {
        total: round(medianOf(ok, (x) => x.cold.bytes.total)),
        weights: round(medianOf(ok, (x) => x.cold.bytes.weights)),
        model: round(medianOf(ok, (x) => x.cold.bytes.model)),
        wasm: round(medianOf(ok, (x) => x.cold.bytes.wasm)),
        script: round(medianOf(ok, (x) => x.cold.bytes.script)),
      },
      warm: {
        p50: round(medianOf(ok, (x) => p(x.warm.rows, 'totalMs', 50))),
        p95: round(medianOf(ok, (x) => p(x.warm.rows, 'totalMs', 95))),
        decodeP50: round(medianOf(ok, (x) => p(x.warm.rows, 'decodeMs', 50))),
        modelP50: round(medianOf(ok, (x) => p(x.warm.rows, 'modelMs', 50))),
        adviceP50: round(
          medianOf(ok, (x) => p(x.warm.rows, 'adviceMs', 50)),
          2,
        ),
        bySizeP50: bySize,
      },
      cpuPerPhoto: ok[0].cpu
        ? {
            ours: round(medianOf(ok, (x) => x.cpu.oursPerPhotoMs)),
            peer: round(medianOf(ok, (x) => x.cpu.peerPerPhotoMs)),
            ratio: round(
              medianOf(ok, (x) => x.cpu.oursPerPhotoMs / x.cpu.peerPerPhotoMs),
              2,
            ),
            // the first run's split by process (absent from runs before it was measured)
            oursByType: ok[0].cpu.oursByTypeMs ?? null,
            peerByType: ok[0].cpu.peerByTypeMs ?? null,
          }
        : null,
      peer: {
        modelP50: round(medianOf(ok, (x) => p(x.peer.rows, 'modelMs', 50))),
        modelP95: round(medianOf(ok, (x) => p(x.peer.rows, 'modelMs', 95))),
        withDecodeP50: round(medianOf(ok, (x) => p(x.peer.rows, 'totalMs', 50))),
        withDecodeP95: round(medianOf(ok, (x) => p(x.peer.rows, 'totalMs', 95))),
        warmupMs: round(medianOf(ok, (x) => x.peerLoad.warmupMs)),
      },
      ratioToPeer: {
        p50: round(
          medianOf(ok, (x) => p(x.warm.rows, 'totalMs', 50) / p(x.peer.rows, 'modelMs', 50)),
          2,
        ),
        p95: round(
          medianOf(ok, (x) => p(x.warm.rows, 'totalMs', 95) / p(x.peer.rows, 'modelMs', 95)),
          2,
        ),
        modelOnlyP50: round(
          medianOf(ok, (x) => p(x.warm.rows, 'modelMs', 50) / p(x.peer.rows, 'modelMs', 50)),
          2,
        ),
        vsPeerWithDecodeP50: round(
          medianOf(ok, (x) => p(x.warm.rows, 'totalMs', 50) / p(x.peer.rows, 'totalMs', 50)),
          2,
        ),
        // like for like at the tail: both sides decoding the same big JPEGs
        vsPeerWithDecodeP95: round(
          medianOf(ok, (x) => p(x.warm.rows, 'totalMs', 95) / p(x.peer.rows, 'totalMs', 95)),
          2,
        ),
      },
      mainThreadLongTasks: {
        count: round(medianOf(ok, (x) => x.warm.longTasks.count)),
        totalMs: round(medianOf(ok, (x) => x.warm.longTasks.totalMs)),
        maxMs: round(medianOf(ok, (x) => x.warm.longTasks.maxMs)),
      },
      parts: ok[0].parts
        ? {
            backboneSide: ok[0].parts.backboneSide ?? 512,
            backboneMs: round(medianOf(ok, (x) => x.parts.backboneMs)),
            pipeline512Ms: round(medianOf(ok, (x) => x.parts.pipeline512Ms)),
            pipeline2048Ms: round(medianOf(ok, (x) => x.parts.pipeline2048Ms)),
            backboneOverPeer: round(
              medianOf(ok, (x) => x.parts.backboneMs / p(x.peer.rows, 'modelMs', 50)),
              2,
            ),
            // older results have no stage split
            stages: ok[0].parts.stages
              ? {
                  photo: ok[0].parts.stages.photo,
                  pixelsMs: round(medianOf(ok, (x) => x.parts.stages.pixelsMs)),
                  viewsMs: round(medianOf(ok, (x) => x.parts.stages.viewsMs)),
                  measuresMs: round(medianOf(ok, (x) => x.parts.stages.measuresMs)),
                }
              : null,
          }
        : null,
      topKernels: ok[0].profile.top,
      profilePhoto: ok[0].profile.photo,
      memory: {
        peakNumTensors: round(medianOf(ok, (x) => x.warm.peaks.numTensors)),
        leakedTensors: Math.max(...ok.map((x) => x.warm.leakedTensors)),
        peakJsHeapMB: round(
          medianOf(ok, (x) => x.warm.peaks.jsHeap / MB),
          1,
        ),
        profilePeakMB: round(
          medianOf(ok, (x) => x.profile.peakBytes / MB),
          1,
        ),
      },
    };
  }

  const worker: Record<string, Json> = {};
  for (const b of [...new Set(runs.flatMap((r) => Object.keys(r.worker)))]) {
    const ok = runs.map((r) => r.worker[b]).filter((x) => x && !x.error);
    if (!ok.length) {
      worker[b] = { error: runs.map((r) => r.worker[b]?.error).find(Boolean) };
      continue;
    }
    worker[b] = {
      backend: ok[0].info.backend,
      readyMs: round(medianOf(ok, (x) => x.readyMs)),
      p50: round(medianOf(ok, (x) => p(x.rows, 'totalMs', 50))),
      p95: round(medianOf(ok, (x) => p(x.rows, 'totalMs', 95))),
      pageLongTasks: Math.max(...ok.map((x) => x.longTasks.count)),
      pageLongTasksDuringReady: Math.max(...ok.map((x) => x.pageLongTasksDuringReady.count)),
      reason: ok[0].info.reason,
    };
  }

  const choices = runs.map((r) => r.choice).filter(Boolean);
  let choice: Json = null;
  if (choices.length) {
    const picks = choices.map((c) => c.choice.backend as string);
    const chosen = picks.sort((a, b) => picks.filter((x) => x === b).length - picks.filter((x) => x === a).length)[0];
    // compare on the photos every backend ran (slow backends may have run a capped subset)
    const okNames = Object.keys(backends).filter((k) => !backends[k].error);
    const common = Math.min(...runs.flatMap((r) => okNames.map((k) => r.backends[k]?.warm?.rows.length ?? Infinity)));
    const p50On = (k: string) => medianOf(runs, (r) => (r.backends[k]?.warm ? p(r.backends[k].warm.rows.slice(0, common), 'totalMs', 50) : undefined));
    const best = okNames.map((k) => [k, p50On(k)] as const).sort((a, b) => a[1] - b[1])[0];
    const chosenP50 = okNames.includes(chosen) ? p50On(chosen) : NaN;
    choice = {
      chosen,
      picks,
      reason: choices[0].choice.reason,
      timeToChooseAndLoadMs: round(median(choices.map((c) => c.totalMs))),
      best: best?.[0],
      comparedOnPhotos: common,
      chosenOverBest: best && chosenP50 ? round(chosenP50 / best[1], 2) : null,
    };
  }

  const visits = runs.map((r) => r.crossSite).filter((x) => x && !x.error);
  const visit = (k: 'cold' | 'repeat') => ({
    readyMs: round(medianOf(visits, (x) => x[k].readyMs)),
    firstScoreMs: round(medianOf(visits, (x) => x[k].firstScoreMs)),
    weightsBytes: round(medianOf(visits, (x) => x[k].weightsBytes)),
    modelOtherBytes: round(medianOf(visits, (x) => x[k].modelOtherBytes)),
  });
  const failedVisit = runs.map((r) => r.crossSite?.error).find(Boolean);
  const crossSite: Json = visits.length ? { cold: visit('cold'), repeat: visit('repeat') } : failedVisit ? { error: failedVisit } : null;

  const batchOf = (list: Json[]) =>
    list.length
      ? {
          photos: list[0].photos,
          megapixels: list[0].megapixels,
          oursFirstMs: round(medianOf(list, (x) => x.ours.firstMs)),
          oursLastMs: round(medianOf(list, (x) => x.ours.lastMs)),
          // the same photos one at a time (absent from runs before it was measured)
          oursSinglyFirstMs: round(medianOf(list, (x) => x.oursSingly?.firstMs)),
          oursSinglyP50Ms: round(medianOf(list, (x) => x.oursSingly?.p50Ms)),
          oursSinglyTotalMs: round(medianOf(list, (x) => x.oursSingly?.totalMs)),
          // the CPU all of the browser's processes spent on each phase (absent for builds whose page runs the batch in one call)
          cpuSinglyMs: round(medianOf(list, (x) => x.cpu?.singly.cpuMs)),
          cpuAtOnceMs: round(medianOf(list, (x) => x.cpu?.atOnce.cpuMs)),
          cpuAtOnceWallMs: round(medianOf(list, (x) => x.cpu?.atOnce.wallMs)),
          cpuAtOnceByType: list[0].cpu?.atOnce.byTypeMs ?? null,
          peerFirstMs: round(medianOf(list, (x) => x.peer.firstMs)),
          peerLastMs: round(medianOf(list, (x) => x.peer.lastMs)),
        }
      : null;
  const batch: Json = batchOf(runs.map((r) => r.batch).filter((x) => x && !x.error));
  const baselineBatches = runs.map((r) => r.batchBaseline).filter((x) => x && !x.error);
  if (batch && baselineBatches.length) batch.baseline = { name: baselineBatches[0].name, ...batchOf(baselineBatches) };

  const targets = {
    pipelineWithin1_3xPeer: Object.fromEntries(
      Object.entries(backends)
        .filter(([, v]) => !v.error)
        .map(([k, v]) => [k, v.ratioToPeer.p50 <= 1.3]),
    ),
    chosenWithin10PercentOfBest: choice ? choice.chosenOverBest !== null && choice.chosenOverBest <= 1.1 : null,
    zeroLongTasksOnWorkerPath: Object.fromEntries(Object.entries(worker).map(([k, v]) => [k, v.error ? null : v.pageLongTasks === 0])),
    weightsAtMost4MBBeforeFirstScore: Object.fromEntries(
      Object.entries(backends)
        .filter(([, v]) => !v.error)
        .map(([k, v]) => [k, v.bytesBeforeFirstScore.weights <= 4 * MB]),
    ),
  };
  return { backends, worker, choice, crossSite, batch, targets };
}

const f = (x: number | null | undefined, unit = '') => (x === null || x === undefined || Number.isNaN(x) ? '—' : `${x.toLocaleString('en-US')}${unit}`);
const kb = (x: number | null) => (x === null ? '—' : `${Math.round(x / 1024).toLocaleString('en-US')} KB`);
const yes = (v: boolean | null) => (v === null ? '—' : v ? 'yes' : '**no**');

export function toMarkdown(meta: Json, s: ReturnType<typeof summarise>): string {
  const names = Object.keys(s.backends);
  const ok = names.filter((b) => !s.backends[b].error);
  const row = (label: string, get: (b: Json) => string) => `| ${label} | ${ok.map((b) => get(s.backends[b])).join(' | ')} |`;
  const lines = [
    `# Bench results`,
    '',
    `${meta.date} · commit ${meta.commit} · ${meta.device.cpu} (${meta.device.cores} cores, ${meta.device.memoryGiB} GiB), load average at the end ${meta.device.loadavg.map((x: number) => x.toFixed(1)).join(' / ')}`,
    `Load average per run (1-minute, at the start → the end): ${meta.loadavgPerRun ?? '—'}`,
    `Chromium ${meta.browser.version} headless · WebGL renderer: ${meta.browser.renderer || 'none'}`,
    `Medians of ${meta.options.runs} run(s); ${meta.options.photos} photos (${Math.min(...meta.photoSet.map((x: Json) => x.megapixels))}–${Math.max(...meta.photoSet.map((x: Json) => x.megapixels))} MP)` +
      Object.entries(meta.options.caps as Record<string, number>)
        .map(([b, n]) => `; ${b}: the first ${n} only (page and worker)`)
        .join('') +
      '. Times in ms on the page’s thread unless marked worker.',
    '',
    `| | ${ok.join(' | ')} |`,
    `|---|${ok.map(() => '---:').join('|')}|`,
    row('cold: backend init', (b) => f(b.cold.backendInitMs)),
    row('cold: model fetch + load', (b) => f(b.cold.modelFetchMs)),
    row('cold: warm-up (shader compile)', (b) => f(b.cold.warmupMs)),
    row('cold: first score (2 MP photo)', (b) => f(b.cold.firstScoreMs)),
    row('cold: total', (b) => f(b.cold.totalMs)),
    row('repeat visit: total (model from Cache Storage)', (b) => `${f(b.repeatVisit.totalMs)} (fetch ${f(b.repeatVisit.modelFetchMs)})`),
    row('weights fetched before first score', (b) => kb(b.bytesBeforeFirstScore.weights)),
    row('all bytes before first score', (b) => kb(b.bytesBeforeFirstScore.total)),
    row('model bytes on a repeat visit', (b) => kb(b.repeatVisit.modelBytes)),
    row('**ours per photo p50** (decode→advice)', (b) => `**${f(b.warm.p50)}**`),
    row('ours per photo p95', (b) => f(b.warm.p95)),
    row('  of which decode / model / advice p50', (b) => `${f(b.warm.decodeP50)} / ${f(b.warm.modelP50)} / ${f(b.warm.adviceP50)}`),
    row('  p50 by size <1 / 1–5 / >5 MP', (b) => `${f(b.warm.bySizeP50['<1 MP'])} / ${f(b.warm.bySizeP50['1–5 MP'])} / ${f(b.warm.bySizeP50['>5 MP'])}`),
    row('**peer MobileNetV2 model-only p50**', (b) => `**${f(b.peer.modelP50)}**`),
    row('peer model-only p95', (b) => f(b.peer.modelP95)),
    row('peer with decode + resize p50 / p95', (b) => `${f(b.peer.withDecodeP50)} / ${f(b.peer.withDecodeP95)}`),
    row('**ratio ours / peer p50** (target ≤ 1.3)', (b) => `**${f(b.ratioToPeer.p50)}**`),
    row('ratio ours / peer p95', (b) => f(b.ratioToPeer.p95)),
    row('ratio model part only / peer p50', (b) => f(b.ratioToPeer.modelOnlyP50)),
    row('ratio ours / peer with decode p50 / p95', (b) => `${f(b.ratioToPeer.vsPeerWithDecodeP50)} / ${f(b.ratioToPeer.vsPeerWithDecodeP95)}`),
    row('CPU per photo, all processes: ours / peer with decode (ratio)', (b) => (b.cpuPerPhoto ? `${f(b.cpuPerPhoto.ours)} / ${f(b.cpuPerPhoto.peer)} (${f(b.cpuPerPhoto.ratio)})` : '—')),
    row('  CPU per photo by process (first run): ours / peer with decode', (b) =>
      b.cpuPerPhoto?.oursByType ? `${byTypeText(b.cpuPerPhoto.oursByType)} / ${byTypeText(b.cpuPerPhoto.peerByType)}` : '—',
    ),
    row('main-thread long tasks while scoring (page path)', (b) => `${f(b.mainThreadLongTasks.count)} (max ${f(b.mainThreadLongTasks.maxMs)} ms)`),
    row('peak tf tensors / leaked', (b) => `${f(b.memory.peakNumTensors)} / ${f(b.memory.leakedTensors)}`),
    row('peak JS heap / tf.profile peak', (b) => `${f(b.memory.peakJsHeapMB)} MB / ${f(b.memory.profilePeakMB)} MB`),
  ];
  const parted = ok.filter((b) => s.backends[b].parts);
  if (parted.length) {
    lines.push(
      '',
      '## Where our model time goes (warm, medians of 3; synthetic input)',
      '',
      '| backend | backbone alone (input side) | whole pipeline, 512² photo | whole pipeline, 2048×1536 photo | backbone alone / peer p50 |',
      '|---|---:|---:|---:|---:|',
    );
    for (const b of parted) {
      const x = s.backends[b].parts;
      lines.push(`| ${b} | ${f(x.backboneMs)} (${x.backboneSide}²) | ${f(x.pipeline512Ms)} | ${f(x.pipeline2048Ms)} | ${f(x.backboneOverPeer)} |`);
    }
    for (const b of parted.filter((x) => s.backends[x].parts.stages)) {
      const st = s.backends[b].parts.stages;
      lines.push(
        '',
        `${b}, the model part of ${st.photo} besides the backbone: bitmap → pixels ${f(st.pixelsMs)} ms, views (work size, 320² squeeze, overview, detail crop) ${f(st.viewsMs)} ms, measurements ${f(st.measuresMs)} ms`,
      );
    }
  }
  for (const b of ok.filter((x) => s.backends[x].topKernels?.some((t: Json) => t.ms > 0))) {
    const k = s.backends[b];
    lines.push('', `${b}, tf.profile of ${k.profilePhoto} (peak ${f(k.memory.profilePeakMB)} MB): top kernels ${k.topKernels.map((t: Json) => `${t.name} ${t.ms} ms`).join(', ')}`);
  }
  for (const b of names.filter((x) => s.backends[x].error)) lines.push('', `${b} failed: ${s.backends[b].error}`);
  if (Object.keys(s.worker).length) {
    lines.push(
      '',
      '## Worker path (engine → worker: decode + score; advice on the page)',
      '',
      '| backend | ready (cold) | p50 | p95 | page long tasks while scoring | during start |',
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const [b, w] of Object.entries(s.worker)) {
      lines.push(w.error ? `| ${b} | failed: ${w.error} | | | | |` : `| ${b} | ${f(w.readyMs)} | ${f(w.p50)} | ${f(w.p95)} | ${w.pageLongTasks} | ${w.pageLongTasksDuringReady} |`);
    }
  }
  if (s.batch) {
    const b = s.batch;
    const single = Object.values(s.worker).find((w: Json) => !w.error) as Json;
    const budget = single ? 0.8 * b.photos * single.p50 : null;
    lines.push(
      '',
      `## A batch: ${b.photos} photos added at once (${b.megapixels.join(', ')} MP, the set's biggest in turn)`,
      '',
      '| | first score | last score |',
      '|---|---:|---:|',
      `| ours (engine queue, worker) | ${f(b.oursFirstMs)} | ${f(b.oursLastMs)} |`,
      ...(b.oursSinglyTotalMs ? [`| ours, the same photos one at a time (p50 ${f(b.oursSinglyP50Ms)} each) | ${f(b.oursSinglyFirstMs)} | ${f(b.oursSinglyTotalMs)} |`] : []),
      `| peer with its own decode, one after another | ${f(b.peerFirstMs)} | ${f(b.peerLastMs)} |`,
      ...(b.baseline
        ? [
            `| ours @${b.baseline.name} (same run) | ${f(b.baseline.oursFirstMs)} | ${f(b.baseline.oursLastMs)} |`,
            `| peer, on @${b.baseline.name}'s page | ${f(b.baseline.peerFirstMs)} | ${f(b.baseline.peerLastMs)} |`,
          ]
        : []),
      '',
      budget
        ? `Target: the last within 0.8 × ${b.photos} × the worker path's p50 (${f(single.p50)} ms) = ${f(Math.round(budget))} ms: ${yes(b.oursLastMs <= budget)}. (The worker p50 is over the whole photo set, 0.3–12 MP; the batch is of its biggest.)`
        : '',
      ...(b.oursSinglyP50Ms
        ? [
            '',
            `Against the same photos one at a time: the last within 0.8 × ${b.photos} × their p50 (${f(b.oursSinglyP50Ms)} ms) = ${f(Math.round(0.8 * b.photos * b.oursSinglyP50Ms))} ms: ${yes(b.oursLastMs <= 0.8 * b.photos * b.oursSinglyP50Ms)}; the batch takes ${round(b.oursLastMs / b.oursSinglyTotalMs, 2)} of their time one after another.`,
          ]
        : []),
      ...(b.cpuAtOnceMs
        ? [
            '',
            `CPU, all of the browser's processes, per phase: one at a time ${f(b.cpuSinglyMs)} ms (${f(Math.round(b.cpuSinglyMs / b.photos))} a photo), all at once ${f(b.cpuAtOnceMs)} ms (${f(Math.round(b.cpuAtOnceMs / b.photos))} a photo) in ${f(b.cpuAtOnceWallMs)} ms of wall time: ${round(b.cpuAtOnceMs / b.cpuAtOnceWallMs, 2)} cores busy on average.${b.cpuAtOnceByType ? ` All at once by process (first run): ${byTypeText(b.cpuAtOnceByType)} ms.` : ''}`,
          ]
        : []),
    );
  }
  if (s.crossSite) {
    const x = s.crossSite;
    lines.push('', '## Cross-site (the demo listing page on localhost, the coach in its iframe from 127.0.0.1; the coach picks its backend)', '');
    if (x.error) lines.push(`failed: ${x.error}`);
    else {
      lines.push('| visit | coach ready | first score (2 MP photo) | weights fetched | other model files fetched |', '|---|---:|---:|---:|---:|');
      for (const [name, v] of [
        ['cold (fresh profile)', x.cold],
        ['repeat (same profile, HTTP cache)', x.repeat],
      ] as const) {
        lines.push(`| ${name} | ${f(v.readyMs)} | ${f(v.firstScoreMs)} | ${kb(v.weightsBytes)} | ${kb(v.modelOtherBytes)} |`);
      }
    }
  }
  if (s.choice) {
    lines.push(
      '',
      '## Measured backend choice (fresh device, nothing remembered)',
      '',
      `Chosen: **${s.choice.chosen}** (runs: ${s.choice.picks.join(', ')}); reason: “${s.choice.reason}”; time to measure and load: ${f(s.choice.timeToChooseAndLoadMs)} ms. Best warm p50 over the ${s.choice.comparedOnPhotos} photos every backend ran: ${s.choice.best}; chosen / best = ${f(s.choice.chosenOverBest)}.`,
    );
  }
  const t = s.targets;
  lines.push(
    '',
    '## Targets',
    '',
    `- pipeline ≤ 1.3× peer model-only time, same backend: ${Object.entries(t.pipelineWithin1_3xPeer)
      .map(([k, v]) => `${k} ${yes(v)}`)
      .join(', ')}`,
    `- chosen backend within 10% of the best: ${yes(t.chosenWithin10PercentOfBest)}`,
    `- zero long tasks on the worker path: ${
      Object.entries(t.zeroLongTasksOnWorkerPath)
        .map(([k, v]) => `${k} ${yes(v)}`)
        .join(', ') || '—'
    }`,
    `- ≤ 4 MB weights before the first score: ${Object.entries(t.weightsAtMost4MBBeforeFirstScore)
      .map(([k, v]) => `${k} ${yes(v)}`)
      .join(', ')}`,
    '',
  );
  return lines.join('\n');
}
