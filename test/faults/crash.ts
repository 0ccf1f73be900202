/**
 * Crash trials shared by the scan, cluster and fine-tune suites: run the real command, SIGKILL it at a seeded
 * random moment, look at the database and check it (sound file, no face twice, nothing the user made lost).
 * The look is read-only, so the write-ahead log the killed process left is still there for the next run of
 * the command to recover, as after a real crash.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { Random } from '../../main/core/random.ts';
import { createStore, openStore, type Store } from '../../main/store/index.ts';
import { runFacet, type FacetRun, type KillPlan } from './cli.ts';
import { databaseProblems, missingItems, userItems } from './invariants.ts';
import { tally } from './tally.ts';

export const CRASH_TRIALS = 20;

export interface CrashTrialsOptions {
  db: string;
  args: readonly string[];
  seed: number;
  /**
   * The kill moment of a trial, drawn from the seeded generator. `typicalMs` is how long a whole run takes: the
   * median of the uninterrupted run's time (given as `typicalMs`) and of the trials that ended before their kill
   * (the machine is shared, so runs speed up and slow down).
   */
  plan(random: Random, trial: number, typicalMs: number): KillPlan;
  typicalMs?: number;
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
  const finished = [options.typicalMs ?? 5000];
  const typicalMs = () => [...finished].sort((a, b) => a - b)[Math.floor(finished.length / 2)]!;
  while (result.kills < CRASH_TRIALS && result.runs < maxRuns) {
    const trial = result.runs++;
    await options.prepare?.(trial, random);
    const before = withStore(options.db, userItems, { readonly: true });
    const plan = options.plan(random, trial, typicalMs());
    const run = await runFacet(options.args, { db: options.db, kill: plan });
    const moment = `${options.args[0]} trial ${trial} (${plan.after ? `${plan.delayMs.toFixed(0)} ms after ${plan.after}` : `${plan.delayMs.toFixed(0)} ms`})`;
    if (!run.killed) {
      assert.equal(run.code, 0, `${moment} ended by itself and failed: ${run.stderr}`);
      finished.push(run.ms);
    }
    withStore(options.db, (store) => {
      assert.deepEqual(databaseProblems(store), [], `${moment}: the database after the kill`);
      const lost = missingItems(before, userItems(store));
      tally('itemsLost', lost.length, moment);
      assert.deepEqual(lost, [], `${moment}: user-made items lost`);
      options.check?.(store, run);
    }, { readonly: true });
    tally('childrenLeft', run.childrenLeft, moment);
    assert.deepEqual(run.leftBehind, [], `${moment}: processes Facet started outlived it`);
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

/** Opens the store at `file` for `use`, then closes it; read-only leaves the file and its WAL as they are. */
export function withStore<T>(file: string, use: (store: Store) => T, options: { readonly?: boolean } = {}): T {
  const store = options.readonly ? createStore(new Database(file, { readonly: true, fileMustExist: true })) : openStore(file);
  try {
    return use(store);
  } finally {
    store.close();
  }
}
