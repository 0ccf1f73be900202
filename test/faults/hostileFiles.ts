/**
 * A library of hostile files for the scan, made on the fly (nothing binary is committed): the awkward set of
 * test/fixtures/generate.ts, plus a huge but valid JPEG, damaged EXIF, names that are not UTF-8, paths near and
 * past PATH_MAX, a symlink to itself, files that change or vanish between listing and analysis, and one photo
 * with real faces, so that the scan has real work to finish around them.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { generateFixtures } from '../fixtures/generate.ts';
import { REPO_ROOT } from './cli.ts';

export const DEMO_DIR = path.join(REPO_ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo');
/** Linux's PATH_MAX, bytes including the final NUL. */
export const PATH_MAX = 4096;
export const HUGE = { width: 12_000, height: 9_000 };

/** How the scan must treat a file: analysed, refused with one of `reasons`, or never listed. */
export type Expectation =
  | { kind: 'analysed'; faces?: 'some' }
  | { kind: 'failed'; reasons: string[]; says?: RegExp }
  | { kind: 'unlisted' };

export interface HostileFile {
  /** As the scan will name it: a name that is not UTF-8 reads back with U+FFFD in its place. */
  path: string;
  what: string;
  expect: Expectation;
}

export interface HostileLibrary {
  root: string;
  files: HostileFile[];
  /** Run just before the file is analysed (the scan has listed and hashed it by then). */
  sabotage: Map<string, () => Promise<void>>;
}

const analysed: Expectation = { kind: 'analysed' };
const failed = (reasons: string | string[], says?: RegExp): Expectation => ({ kind: 'failed', reasons: [reasons].flat(), says });

export async function makeHostileLibrary(dir: string): Promise<HostileLibrary> {
  await fs.mkdir(path.join(dir, 'photos', 'faults'), { recursive: true });
  // The huge image is made in a child process, alongside the rest, so that encoding it does not raise this
  // process's peak memory (the scan's is measured).
  const hugeFile = path.join(dir, 'photos', 'faults', 'huge.jpg');
  const huge = makeHugeJpeg(hugeFile);
  huge.catch(() => undefined); // awaited below; this only keeps an early failure elsewhere from leaving it unhandled
  const fx = await generateFixtures(dir);
  const root = path.join(dir, 'photos');
  const f = fx.files;
  const files: HostileFile[] = [
    { path: f.plain, what: 'plain JPEG', expect: analysed },
    { path: f.upperCase, what: 'upper-case extension', expect: analysed },
    { path: f.rotated6, what: 'EXIF orientation 6', expect: analysed },
    { path: f.cmyk, what: 'CMYK JPEG', expect: analysed },
    { path: f.rgb16, what: '16-bit PNG', expect: analysed },
    { path: f.grey, what: 'greyscale PNG', expect: analysed },
    { path: f.alpha, what: 'transparent PNG', expect: analysed },
    { path: f.animatedGif, what: 'animated GIF', expect: analysed },
    { path: f.avif, what: 'AVIF', expect: analysed },
    { path: f.linkToPlain, what: 'symlink to a photo listed by its own name (not counted twice)', expect: { kind: 'unlisted' } },
    { path: f.deep, what: 'nested folder', expect: analysed },
    { path: f.dangling, what: 'symlink to nothing', expect: failed('unreadable-entry', /does not exist/) },
    { path: f.loop, what: 'symlink loop back to the root', expect: { kind: 'unlisted' } },
    { path: f.notes, what: 'not an image', expect: { kind: 'unlisted' } },
    { path: f.dotfile, what: 'hidden file', expect: { kind: 'unlisted' } },
    { path: f.truncated, what: 'truncated JPEG', expect: failed('corrupt', /damaged or truncated/) },
    { path: f.empty, what: 'zero bytes', expect: failed('empty', /empty \(0 bytes\)/) },
    { path: f.random, what: 'random bytes named .jpg', expect: failed(['corrupt', 'unsupported-format'], /not an image format|damaged/) },
    { path: f.hugeHeader, what: 'PNG declaring 50,000 x 50,000', expect: failed('too-large', /too large/) },
  ];
  const sabotage = new Map<string, () => Promise<void>>();
  const extra = path.join(root, 'faults');
  const at = (name: string) => path.join(extra, name);
  const add = (file: string, what: string, expect: Expectation) => files.push({ path: file, what, expect });

  await fs.copyFile(path.join(DEMO_DIR, 'sample1.jpg'), at('faces.jpg'));
  add(at('faces.jpg'), 'photo with faces', { kind: 'analysed', faces: 'some' });
  add(hugeFile, `valid ${HUGE.width} x ${HUGE.height} JPEG`, analysed);

  const small = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#6080a0' } }).jpeg().toBuffer();
  await fs.writeFile(at('exif-bad-offsets.jpg'), withApp1(small, exifPointingPastTheEnd()));
  add(at('exif-bad-offsets.jpg'), 'EXIF whose offsets point past its end', analysed);
  await fs.writeFile(at('exif-garbage.jpg'), withApp1(small, Buffer.concat([Buffer.from('Exif\0\0II*\0'), junk(300, 7)])));
  add(at('exif-garbage.jpg'), 'EXIF of random bytes', analysed);

  // Links out of the library folder (issue #17.2): never read, hashed or analysed; each reported once.
  const outside = path.join(dir, 'outside');
  await fs.mkdir(outside, { recursive: true });
  await fs.copyFile(path.join(DEMO_DIR, 'sample1.jpg'), path.join(outside, 'someone-else.jpg'));
  await fs.writeFile(path.join(outside, 'secret.jpg'), 'a text file outside every library, named .jpg');
  await fs.symlink('/etc/passwd', at('passwd.jpg'));
  add(at('passwd.jpg'), 'symlink to /etc/passwd', failed('link-outside', /outside the library folder/));
  await fs.symlink(outside, at('outside-folder'));
  add(at('outside-folder'), 'symlink to a folder of photos outside the library', failed('link-outside', /outside the library folder/));
  await fs.symlink(path.join(outside, 'secret.jpg'), at('secret.jpg'));
  add(at('secret.jpg'), 'symlink to a file outside the library', failed('link-outside', /outside the library folder/));

  await fs.symlink('self-loop.jpg', at('self-loop.jpg'));
  add(at('self-loop.jpg'), 'symlink to itself', failed('unreadable-entry', /too many levels of symbolic links/));

  // Names that are not valid UTF-8 exist only as bytes; Node reads them back with U+FFFD in their place.
  const latin1Name = Buffer.concat([Buffer.from(`${extra}/caf`), Buffer.from([0xe9]), Buffer.from('.jpg')]);
  await fs.writeFile(latin1Name, small);
  add(`${extra}/caf\uFFFD.jpg`, 'file name not valid UTF-8', failed('unreadable-entry', /name is not valid UTF-8/));
  const badFolder = Buffer.concat([Buffer.from(`${extra}/folder-`), Buffer.from([0xff, 0xfe])]);
  await fs.mkdir(badFolder);
  await fs.writeFile(Buffer.concat([badFolder, Buffer.from('/inside.jpg')]), small);
  add(`${extra}/folder-\uFFFD\uFFFD`, 'folder name not valid UTF-8', failed('unreadable-directory', /name is not valid UTF-8/));

  const { nearLimit, pastLimit } = await makeLongPaths(extra, small);
  add(nearLimit, `path of ${Buffer.byteLength(nearLimit)} bytes, near PATH_MAX`, analysed);
  add(pastLimit, `folder at ${Buffer.byteLength(pastLimit)} bytes, past PATH_MAX`, failed('unreadable-directory', /longer than the system allows/));

  for (const name of ['vanishes.jpg', 'becomes-garbage.jpg', 'becomes-other-photo.jpg']) await fs.writeFile(at(name), small);
  add(at('vanishes.jpg'), 'deleted between listing and analysis', failed('unreadable', /no longer exists/));
  sabotage.set(at('vanishes.jpg'), () => fs.rm(at('vanishes.jpg')));
  add(at('becomes-garbage.jpg'), 'overwritten with junk between listing and analysis', failed(['corrupt', 'unsupported-format'], /not an image format|damaged/));
  sabotage.set(at('becomes-garbage.jpg'), () => fs.writeFile(at('becomes-garbage.jpg'), junk(5000, 3)));
  add(at('becomes-other-photo.jpg'), 'replaced by another photo between listing and analysis', analysed);
  sabotage.set(at('becomes-other-photo.jpg'), () => fs.copyFile(f.grey, at('becomes-other-photo.jpg')));
  await huge;
  return { root, files, sabotage };
}

function makeHugeJpeg(file: string): Promise<void> {
  const script = `require('sharp')({ create: { width: ${HUGE.width}, height: ${HUGE.height}, channels: 3, background: '#7a8c9e' } })
    .jpeg({ quality: 80 }).toFile(${JSON.stringify(file)}).catch((e) => { console.error(e); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { cwd: REPO_ROOT }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`could not make ${file}: ${stderr || error.message}`));
      else resolve();
    });
  });
}

/**
 * One folder chain whose photo path stays just under PATH_MAX, and a folder below it whose own path is past it
 * (made with relative mkdirs, since no absolute path that long can be passed to the kernel).
 */
async function makeLongPaths(base: string, jpeg: Buffer): Promise<{ nearLimit: string; pastLimit: string }> {
  const segment = 'long-'.padEnd(240, 'x');
  let folder = path.join(base, 'long');
  while (Buffer.byteLength(folder) + 1 + segment.length <= PATH_MAX - 20) folder = path.join(folder, segment);
  await fs.mkdir(folder, { recursive: true });
  // A file name may have 255 bytes at most; the folder is deep enough that this one needs fewer.
  const nearLimit = path.join(folder, 'x'.repeat(PATH_MAX - 15 - Buffer.byteLength(folder)) + '.jpg');
  await fs.writeFile(nearLimit, jpeg);
  // chdir(2) to a relative name works at any depth; a child process does it, so this one's cwd stays put.
  const script = `const fs = require('node:fs'); const [folder, segment] = process.argv.slice(1);
    process.chdir(folder); fs.mkdirSync(segment); process.chdir(segment); fs.mkdirSync(segment); process.chdir(segment);
    fs.writeFileSync('photo.jpg', fs.readFileSync(0));`;
  const made = spawnSync(process.execPath, ['-e', script, folder, segment], { input: jpeg });
  if (made.status !== 0) throw new Error(`could not make a path past PATH_MAX: ${made.stderr.toString()}`);
  // The walk fails on the first folder whose path is PATH_MAX bytes or more.
  const below = path.join(folder, segment);
  return { nearLimit, pastLimit: Buffer.byteLength(below) < PATH_MAX ? path.join(below, segment) : below };
}

/** A JPEG with an APP1 segment inserted after SOI. */
function withApp1(jpeg: Buffer, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}

/** "Exif\0\0" and a big-endian TIFF header whose IFD0 claims 65535 entries and an Exif pointer past the end. */
function exifPointingPastTheEnd(): Buffer {
  const tiff = Buffer.alloc(40);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(0xffff, 8);
  tiff.writeUInt16BE(0x8769, 10); // Exif IFD pointer
  tiff.writeUInt16BE(4, 12);
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt32BE(0x7fff_fff0, 18);
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
}

/** Deterministic junk (LCG), so a failure repeats. */
export function junk(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}
