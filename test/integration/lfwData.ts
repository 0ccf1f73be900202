/** Where the shared LFW copy lives, and a clear skip message where it is absent. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LFW_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data', 'lfw');
export const LFW_AVAILABLE = existsSync(path.join(LFW_DIR, 'pairs.txt'));
export const LFW_SKIP = LFW_AVAILABLE ? false : `LFW not found at ${LFW_DIR}: integration tests on real faces are skipped`;

export function lfwImage(name: string, index: number): string {
  return path.join(LFW_DIR, 'images_deepfunneled', name, `${name}_${String(index).padStart(4, '0')}.jpg`);
}

export const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '@vladmandic', 'face-api', 'demo');
