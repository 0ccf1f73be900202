/**
 * Reads LFW's pairs files (pairs.txt: "10\t300" then per fold 300 matched "name i j" lines and
 * 300 mismatched "name1 i name2 j" lines; pairsDevTest.txt: one count then matched then mismatched).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../library/repoRoot.ts';

export interface LfwPair {
  a: string;
  b: string;
  same: boolean;
  fold: number;
}

export class LfwFormatError extends Error {
  override readonly name = 'LfwFormatError';
}

/**
 * The one LFW location every test, evaluation and benchmark uses by default: $FACET_LFW_DIR when set,
 * else ../shared/data/lfw beside the repository (resolved from this file, not the working directory).
 */
export function lfwDir(env: Record<string, string | undefined> = process.env): string {
  if (env.FACET_LFW_DIR) return path.resolve(env.FACET_LFW_DIR);
  return path.resolve(REPO_ROOT, '..', 'shared', 'data', 'lfw');
}

export function lfwImagePath(dataDir: string, name: string, index: number): string {
  const file = `${name}_${String(index).padStart(4, '0')}.jpg`;
  return path.join(dataDir, 'images_deepfunneled', name, file);
}

export function parsePairs(text: string, dataDir: string, source = 'pairs.txt'): LfwPair[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  const header = lines[0]!.split(/\s+/).map(Number);
  const [folds, perFold] = header.length === 2 ? [header[0]!, header[1]!] : [1, header[0]!];
  if (!Number.isInteger(folds) || !Number.isInteger(perFold)) throw new LfwFormatError(`${source}: bad header "${lines[0]}"`);
  const pairs: LfwPair[] = [];
  let line = 1;
  for (let fold = 0; fold < folds; fold++) {
    for (const same of [true, false]) {
      for (let i = 0; i < perFold; i++, line++) {
        const fields = lines[line]?.split(/\s+/);
        if (!fields) throw new LfwFormatError(`${source}: ended early at line ${line + 1}`);
        if (same && fields.length === 3) {
          pairs.push({ a: lfwImagePath(dataDir, fields[0]!, Number(fields[1])), b: lfwImagePath(dataDir, fields[0]!, Number(fields[2])), same, fold });
        } else if (!same && fields.length === 4) {
          pairs.push({ a: lfwImagePath(dataDir, fields[0]!, Number(fields[1])), b: lfwImagePath(dataDir, fields[2]!, Number(fields[3])), same, fold });
        } else {
          throw new LfwFormatError(`${source}: line ${line + 1} "${lines[line]}" is not a ${same ? 'matched' : 'mismatched'} pair`);
        }
      }
    }
  }
  return pairs;
}

export function readPairs(dataDir: string, file = 'pairs.txt'): LfwPair[] {
  const full = path.resolve(dataDir, file);
  return parsePairs(readFileSync(full, 'utf8'), dataDir, full);
}
