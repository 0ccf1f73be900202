/**
 * Where LFW lives for the tests (FACET_LFW_DIR, else ../shared/data/lfw beside the repository: lfwDir in
 * main/training/lfwPairs.ts, the same default the evaluations use), and the skip reason where it is absent.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lfwDir, lfwImagePath } from '../../main/training/lfwPairs.ts';

export const LFW_DIR = lfwDir();
export const LFW_AVAILABLE = existsSync(path.join(LFW_DIR, 'pairs.txt'));
export const LFW_IMAGES_AVAILABLE = existsSync(path.join(LFW_DIR, 'images_deepfunneled'));
/** For `{ skip: LFW_SKIP }`: false where LFW is present, else the reason, naming the folder and the setting. */
export const LFW_SKIP = LFW_AVAILABLE ? false : `LFW not found at ${LFW_DIR} (set FACET_LFW_DIR): tests on real faces are skipped`;

export function lfwImage(name: string, index: number): string {
  return lfwImagePath(LFW_DIR, name, index);
}

export const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '@vladmandic', 'face-api', 'demo');
