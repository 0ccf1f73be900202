/**
 * A small synthetic face dataset for the training tests: one folder per "identity", each a coloured
 * shape (its colour and form are the identity) drawn with jitter in position, size and background, as
 * JPEGs named the LFW way (<id>/<id>_0001.jpg), plus a pairsDevTest-style pairs file beside them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { createRng } from '../core/random.ts';

const COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#17becf', '#e377c2', '#8c564b'];
const SHAPES = ['circle', 'square', 'triangle', 'bar'] as const;

export interface SyntheticDataset {
  readonly dir: string;
  readonly identities: readonly string[];
  /** pairsDevTest format: count line, matched pairs, mismatched pairs. */
  readonly pairsFile: string;
}

function shapeSvg(shape: (typeof SHAPES)[number], colour: string, cx: number, cy: number, r: number): string {
  switch (shape) {
    case 'circle':
      return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${colour}"/>`;
    case 'square':
      return `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" fill="${colour}"/>`;
    case 'triangle':
      return `<polygon points="${cx},${cy - r} ${cx - r},${cy + r} ${cx + r},${cy + r}" fill="${colour}"/>`;
    case 'bar':
      return `<rect x="${cx - r}" y="${cy - r / 3}" width="${2 * r}" height="${(2 * r) / 3}" fill="${colour}"/>`;
  }
}

/** `identities` × `perIdentity` images of `size` pixels in DIR, and `pairs` matched + `pairs` mismatched pairs. */
export async function writeSyntheticDataset(dir: string, identities: number, perIdentity: number, seed = 1, size = 48, pairs = 6): Promise<SyntheticDataset> {
  const rng = createRng(seed);
  const names = Array.from({ length: identities }, (_, i) => `id${String(i).padStart(2, '0')}`);
  for (const [i, name] of names.entries()) {
    mkdirSync(path.join(dir, name), { recursive: true });
    const colour = COLOURS[i % COLOURS.length]!;
    const shape = SHAPES[Math.floor(i / COLOURS.length) % SHAPES.length]!;
    for (let k = 1; k <= perIdentity; k++) {
      const grey = 150 + rng.int(80);
      const r = size * (0.22 + 0.1 * rng.next());
      const cx = size / 2 + (rng.next() - 0.5) * size * 0.2;
      const cy = size / 2 + (rng.next() - 0.5) * size * 0.2;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">` +
        `<rect width="${size}" height="${size}" fill="rgb(${grey},${grey},${grey})"/>${shapeSvg(shape, colour, cx, cy, r)}</svg>`;
      await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toFile(path.join(dir, name, `${name}_${String(k).padStart(4, '0')}.jpg`));
    }
  }
  const matched: string[] = [];
  const mismatched: string[] = [];
  for (let p = 0; p < pairs; p++) {
    const a = names[p % identities]!;
    const b = names[(p + 1) % identities]!;
    const i = 1 + rng.int(perIdentity);
    const j = 1 + ((i + rng.int(perIdentity - 1)) % perIdentity); // never i itself
    matched.push(`${a}\t${i}\t${j}`);
    mismatched.push(`${a}\t${i}\t${b}\t${1 + rng.int(perIdentity)}`);
  }
  const pairsFile = path.join(dir, 'pairsDevTest.txt');
  writeFileSync(pairsFile, [String(pairs), ...matched, ...mismatched].join('\n') + '\n');
  return { dir, identities: names, pairsFile };
}
