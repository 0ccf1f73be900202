/**
 * Crash trials shared by the scan, cluster and fine-tune suites: run the real command, SIGKILL it at a seeded
 * random moment, reopen the database and check it (sound file, no face twice, nothing the user made lost).
 */
import assert from 'node:assert/strict';
import { Random } from '../../main/eval/random.ts';
import { openStore, type Store } from '../../main/store/index.ts';
import { runFacet, type FacetRun, type KillPlan } from './cli.ts';
import { databaseProblems, missingItems, userItems } from './invariants.ts';
import { tally } from './tally.ts';

export const CRASH_TRIALS = 20;

export interface CrashTrialsOptions {
  db: string;
  args: readonly string[];
  seed: number;
  /** The kill moment of trial `i`, drawn from the seeded generator. */
  plan(random: Random, trial: number): KillPlan;
  /** Runs before each trial (e.g. adds work for it). */
  prepare?(trial: number, random: Random): Promise<void> | void;
  /** Checks of this command's own, on the reopened store after each trial. */
  check?(store: Store, run: FacetRun): void;
  /** Trials that end before their kill do not count; give up after this many runs. Default 2 × CRASH_TRIALS. */
  maxRuns?: number;
}

export interface CrashTrialsResult {
  kills: number;
  runs: number;
  /** Kills that landed after `after` (when the plan had one) was seen. */
  killsPastMark: number;
  log: string[];
}

/** Runs trials until CRASH_TRIALS runs were killed; every trial, killed or not, must leave a sound database. */
export async function crashTrials(options: CrashTrialsOptions): Promise<CrashTrialsResult> {
  const random = new Random(options.seed);
  const result: CrashTrialsResult = { kills: 0, runs: 0, killsPastMark: 0, log: [] };
  const maxRuns = options.maxRuns ?? 2 * CRASH_TRIALS;
  while (result.kills < CRASH_TRIALS && result.runs < maxRuns) {
    const trial = result.runs++;
    await options.prepare?.(trial, random);
    const before = withStore(options.db, userItems);
    const plan = options.plan(random, trial);
    const run = await runFacet(options.args, { db: options.db, kill: plan });
    const moment = `${options.args[0]} trial ${trial} (${plan.after ? `${plan.delayMs.toFixed(0)} ms after ${plan.after}` : `${plan.delayMs.toFixed(0)} ms`})`;
    if (!run.killed) assert.equal(run.code, 0, `${moment} ended by itself and failed: ${run.stderr}`);
    withStore(options.db, (store) => {
      assert.deepEqual(databaseProblems(store), [], `${moment}: the database after the kill`);
      const lost = missingItems(before, userItems(store));
      tally('itemsLost', lost.length, moment);
      assert.deepEqual(lost, [], `${moment}: user-made items lost`);
      options.check?.(store, run);
    });
    if (run.killed) {
      result.kills++;
      if (plan.after && run.reachedMark) result.killsPastMark++;
      tally('crashesSurvived', 1, moment);
    }
    result.log.push(`${moment}: ${run.killed ? 'killed' : 'finished first'} after ${run.ms.toFixed(0)} ms`);
  }
  assert.equal(result.kills, CRASH_TRIALS, `only ${result.kills} of ${result.runs} runs were killed before they finished:\n${result.log.join('\n')}`);
  return result;
}

export function withStore<T>(file: string, use: (store: Store) => T): T {
  const store = openStore(file);
  try {
    return use(store);
  } finally {
    store.close();
  }
}
