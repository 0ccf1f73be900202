/**
 * The end-to-end fixture: a temporary FACET_HOME and two small folders of real faces from LFW.
 * First folder: 7 photos each of Colin Powell and Tony Blair, 4 of Serena Williams, and two of face-api's demo
 * photos (strangers, several faces each). Second folder: the next 3 photos of Colin and of Tony, scanned later
 * (their faces should join the named people). A further photo of Colin, in neither, is the one dropped on Search.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** FACET_LFW_DIR, default ../shared/data/lfw from the repository. */
export const LFW_ROOT = path.resolve(REPO, process.env.FACET_LFW_DIR ?? path.join('..', 'shared', 'data', 'lfw'));
export const LFW_DIR = path.join(LFW_ROOT, 'images_deepfunneled');
export const PEOPLE = ['Colin_Powell', 'Tony_Blair', 'Serena_Williams'] as const;
export type LfwPerson = (typeof PEOPLE)[number];
const FIRST: Record<LfwPerson, number> = { Colin_Powell: 7, Tony_Blair: 7, Serena_Williams: 4 };
const SECOND: Record<LfwPerson, number> = { Colin_Powell: 3, Tony_Blair: 3, Serena_Williams: 0 };
const DEMO_SAMPLES = ['sample2.jpg', 'sample6.jpg'];

export interface Fixture {
  /** The temporary folder holding all of it (removed after the test). */
  base: string;
  /** FACET_HOME: the data folder (library folders may not lie inside it). */
  home: string;
  /** The first folder. */
  library: string;
  /** The second folder, scanned later. */
  second: string;
  /** A photo of Colin Powell in neither folder. */
  query: string;
  /** file name (in either folder) → LFW person, for the LFW photos. */
  personOf: Map<string, LfwPerson>;
}

export function lfwAvailable(): boolean {
  return PEOPLE.every((person) => existsSync(path.join(LFW_DIR, person)));
}

export function makeFixture(): Fixture {
  const base = mkdtempSync(path.join(os.tmpdir(), 'facet-e2e-'));
  const home = path.join(base, 'home');
  const library = path.join(base, 'library');
  const second = path.join(base, 'second');
  mkdirSync(home);
  mkdirSync(library);
  mkdirSync(second);
  const personOf = new Map<string, LfwPerson>();
  let query = '';
  for (const person of PEOPLE) {
    const files = readdirSync(path.join(LFW_DIR, person)).filter((f) => f.endsWith('.jpg')).sort();
    // LFW's JPEGs carry no date: each copy gets a file date a year apart (2001, 2002, ...), for the timeline.
    const copy = (file: string, i: number, folder: string) => {
      copyFileSync(path.join(LFW_DIR, person, file), path.join(folder, file));
      const when = new Date(2001 + i, (i * 5) % 12, 15, 12, 0, 0);
      utimesSync(path.join(folder, file), when, when);
    };
    files.slice(0, FIRST[person]).forEach((file, i) => copy(file, i, library));
    files.slice(FIRST[person], FIRST[person] + SECOND[person]).forEach((file, i) => copy(file, FIRST[person] + i, second));
    for (const file of files.slice(0, FIRST[person] + SECOND[person])) personOf.set(file, person);
    if (person === 'Colin_Powell') query = path.join(LFW_DIR, person, files[FIRST[person] + SECOND[person] + 1]!);
  }
  const demo = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
  for (const sample of DEMO_SAMPLES) copyFileSync(path.join(demo, sample), path.join(library, `demo-${sample}`));
  return { base, home, library, second, query, personOf };
}
