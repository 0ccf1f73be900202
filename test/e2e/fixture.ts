/**
 * The end-to-end fixture: a temporary FACET_HOME and a small library of real faces, 12 LFW photos of three
 * people (4 each) and two of face-api's demo photos (strangers, several faces each).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LFW_DIR = path.join(lfwDir(), 'images_deepfunneled');
export const PEOPLE = ['Colin_Powell', 'Tony_Blair', 'Serena_Williams'] as const;
export const PER_PERSON = 4;
const DEMO_SAMPLES = ['sample2.jpg', 'sample6.jpg'];

export interface Fixture {
  home: string;
  library: string;
  /** file name (in the library) → LFW person, for the LFW photos. */
  personOf: Map<string, (typeof PEOPLE)[number]>;
}

export function lfwAvailable(): boolean {
  return PEOPLE.every((person) => existsSync(path.join(LFW_DIR, person)));
}

export function makeFixture(): Fixture {
  const home = mkdtempSync(path.join(os.tmpdir(), 'facet-e2e-'));
  const library = path.join(home, 'library');
  mkdirSync(library);
  const personOf = new Map<string, (typeof PEOPLE)[number]>();
  for (const person of PEOPLE) {
    const files = readdirSync(path.join(LFW_DIR, person)).filter((f) => f.endsWith('.jpg')).sort().slice(0, PER_PERSON);
    for (const file of files) {
      copyFileSync(path.join(LFW_DIR, person, file), path.join(library, file));
      personOf.set(file, person);
    }
  }
  const demo = path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
  for (const sample of DEMO_SAMPLES) copyFileSync(path.join(demo, sample), path.join(library, `demo-${sample}`));
  return { home, library, personOf };
}
