/**
 * Condition evaluation speed: json-logic-js (the reference) vs json-logic-engine's compiled mode
 * vs our compiler, the same realistic conditions over the same synthetic records, in one run.
 * The unit is record-condition evaluations per second (every condition on every record); the
 * ratio is to json-logic-js. Each figure is the median of several interleaved repetitions after a
 * warm-up (types.ts's medianMs times one function at a time; interleaving keeps ratios steadier).
 */
import jsonLogic from 'json-logic-js';
import { LogicEngine } from 'json-logic-engine';
import { compileCondition, expandMacros, type Evaluator } from '../../engine/conditions/compile.ts';
import { compileValue } from '../../engine/conditions/compile.ts';
import { agreementWithReference } from '../conditions/agreement.ts';
import { makeRecords, POLICY_CONDITIONS } from '../conditions/fixtures.ts';
import type { Bench, BenchResult } from './types.ts';

const NOW = '2024-06-01T00:00:00.000Z';

type Candidate = { name: string; build: (logic: unknown) => Evaluator };

const engine = new LogicEngine();
const CANDIDATES: Candidate[] = [
  { name: 'json-logic-js apply', build: (logic) => (d) => jsonLogic.truthy(jsonLogic.apply(logic as jsonLogic.RulesLogic, d)) },
  {
    name: 'json-logic-engine build (compiled)',
    build: (logic) => {
      const fn = engine.build(logic) as (d: unknown) => unknown;
      return (d) => jsonLogic.truthy(fn(d));
    },
  },
  { name: 'lethe compileCondition', build: (logic) => compileCondition(logic, { now: NOW }) },
];

/** Evaluates every evaluator on every record; returns the number of true results (kept live). */
function runAll(evaluators: Evaluator[], records: readonly unknown[]): number {
  let hits = 0;
  for (const r of records) for (const ev of evaluators) if (ev(r)) hits++;
  return hits;
}

/**
 * Rates (evaluations/s) of several evaluator sets, measured in interleaved rounds (A, B, C, A, B,
 * C, ...) so that machine noise hits all of them alike; each rate is from the median round.
 */
function interleavedRates(sets: Evaluator[][], records: readonly unknown[], runs: number): number[] {
  let sink = 0;
  // Warm-up (JIT), then enough passes per timing for it to last >= 25 ms (timer and GC noise).
  const loops = sets.map((set) => {
    sink += runAll(set, records);
    const t0 = process.hrtime.bigint();
    sink += runAll(set, records);
    return Math.max(1, Math.ceil(25 / (Number(process.hrtime.bigint() - t0) / 1e6)));
  });
  const times: number[][] = sets.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (const [i, set] of sets.entries()) {
      const t0 = process.hrtime.bigint();
      for (let l = 0; l < loops[i]!; l++) sink += runAll(set, records);
      times[i]!.push(Number(process.hrtime.bigint() - t0) / 1e6 / loops[i]!);
    }
  }
  if (sink < 0) throw new Error('unreachable');
  return sets.map((set, i) => (records.length * set.length) / (median(times[i]!) / 1000));
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** How many (record, condition) results differ from json-logic-js. */
function disagreements(reference: Evaluator[], other: Evaluator[], records: readonly unknown[]): number {
  let n = 0;
  for (const r of records) reference.forEach((ev, i) => (ev(r) !== other[i]!(r) ? n++ : 0));
  return n;
}

export const bench: Bench = async ({ quick }) => {
  const records = makeRecords(quick ? 5_000 : 50_000, 7);
  const runs = quick ? 3 : 7;
  const names = Object.keys(POLICY_CONDITIONS);
  const plain = names.map((n) => expandMacros(POLICY_CONDITIONS[n], NOW));
  const built = CANDIDATES.map((c) => plain.map((logic) => c.build(logic)));
  const reference = built[0]!;
  const results: BenchResult[] = [];
  const rates = interleavedRates(built, records, runs);
  const suite = CANDIDATES.map((c, i) => ({ c, rate: rates[i]! }));
  const base = suite[0]!;
  // Per-condition ratios of our compiler to json-logic-js, to show the weakest case.
  const perCondition = names.map((name, j) => {
    const [ref, ours] = interleavedRates([[reference[j]!], [built[2]![j]!]], records, runs);
    return { name, ratio: ours! / ref! };
  });
  const weakest = perCondition.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  for (const [i, s] of suite.entries()) {
    const mismatches = i === 0 ? 0 : disagreements(reference, built[i]!, records);
    const result: BenchResult = {
      name: `conditions: ${s.c.name}`,
      value: Math.round(s.rate),
      unit: 'record-condition evals/s',
      note: `${names.length} conditions x ${records.length} records, median of ${runs}; ${mismatches} results differ from json-logic-js`,
    };
    if (i > 0) {
      result.baseline = { name: `conditions: ${base.c.name}`, value: Math.round(base.rate) };
      result.ratio = Number((s.rate / base.rate).toFixed(2));
    }
    if (i === 2) {
      result.target = '>= 10x json-logic-js';
      result.note += `; per condition ${perCondition.map((p) => `${p.name} ${p.ratio.toFixed(1)}x`).join(', ')}; weakest ${weakest.name}`;
    }
    results.push(result);
  }
  const samples = quick ? 500 : 3000;
  const engineAgrees = agreementWithReference((logic) => engine.build(logic) as (d: unknown) => unknown, samples);
  const oursAgree = agreementWithReference(compileValue, samples);
  results.push({
    name: 'conditions: raw results identical to json-logic-js on random rules',
    value: Number((oursAgree * 100).toFixed(2)),
    unit: '% of pairs (lethe compileValue)',
    target: '100%',
    note: `${samples} seeded random (rule, data) pairs; json-logic-engine build agrees on ${(engineAgrees * 100).toFixed(1)}%`,
  });
  return results;
};
