/**
 * Lists the image files under the library roots, and the XMP sidecars beside them.
 *
 * Rules: dot-names (files and folders) are skipped. Symbolic links obey one rule, the one the media routes use
 * (isInside): a link is followed only when its real path lies inside the real path of the library folder it
 * was found in; a link out of it is never read, stat'ed or hashed, and is reported once as a 'link-outside'
 * WalkError. A link inside leads to a file or folder the walk lists anyway by its own name, so it is skipped
 * (no photo counted twice, and no photo's path changing between scans with the order folders are read in);
 * only a link to something the walk would not list (under a dot-folder, or a file without a photo
 * extension) is listed, once, under the link's name. A folder whose real path was already listed is not
 * listed again, which breaks loops. A folder that cannot be read becomes a WalkError in its batch and the
 * walk goes on.
 *
 * Speed: one readdir(withFileTypes) per folder, so folders need no stat; image files are
 * stat'ed (size, mtime) in parallel, a few folders at a time. Order of batches is not defined.
 */
import fs, { type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { WalkError } from './errors.ts';

// The callback API, promisified, costs about half of what node:fs/promises does per call
// (measured: 100,000 stats in 0.6 s against 1.8 s), and stat dominates a walk.
const stat = promisify(fs.stat);
const readdir = promisify(fs.readdir);
const realpath = promisify(fs.realpath);

/** What a scan lists: images, camera RAW (raw.ts) and videos (video.ts), matched case-insensitively. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.avif', '.gif', '.heic', '.heif',
  '.dng', '.cr2', '.cr3', '.nef', '.arw', '.orf', '.raf', '.rw2',
  '.mp4', '.mov', '.m4v', '.3gp', '.mkv',
]);

/** Case-insensitive: IMG_0001.JPG counts. */
export function isImagePath(file: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase());
}

/** An XMP sidecar (IMG_0001.xmp, IMG_0001.JPG.xmp): the names other programs write beside a photo. */
export function isSidecarPath(file: string): boolean {
  return path.extname(file).toLowerCase() === '.xmp';
}

/** One image file as the file system reports it now. */
export interface ListedFile {
  /** Absolute path, through symlinks as they were met (not the real path). */
  path: string;
  /** Bytes. */
  size: number;
  /** Last modification, milliseconds since the epoch (may have a fraction). */
  mtimeMs: number;
}

/** What one folder yielded. Folders with no images still yield an (empty) batch, for progress. */
export interface WalkBatch {
  directory: string;
  files: ListedFile[];
  /** XMP sidecars, so that a scan can read names written beside photos it has already analysed. */
  sidecars: ListedFile[];
  errors: WalkError[];
}

export interface WalkOptions {
  /** Folders read at once (default 8). */
  directoryConcurrency?: number;
  /** stat() calls in flight per folder (default 16). */
  statConcurrency?: number;
}

interface FolderTask {
  path: string;
  /** Resolved real path, the key for loop detection. */
  realPath: string;
  /** Real path of the library folder (root) this folder was reached from: nothing outside it is read. */
  rootReal: string;
}

/** Whether `candidate` (a real, absolute path) is `folder` (a real path) itself or lies inside it. */
export function isInside(folder: string, candidate: string): boolean {
  const relative = path.relative(folder, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Whether the walk lists `realPath` (inside `rootReal`) by its own name: no dot-name on the way down. */
function listedByOwnName(rootReal: string, realPath: string): boolean {
  const relative = path.relative(rootReal, realPath);
  return relative !== '' && !relative.split(path.sep).some((part) => part.startsWith('.'));
}

interface FolderResult {
  batch: WalkBatch;
  subfolders: FolderTask[];
}

/** Walks every root and yields one batch per folder. Never throws for file-system problems. */
export async function* walkLibrary(roots: readonly string[], options: WalkOptions = {}): AsyncGenerator<WalkBatch> {
  const directoryConcurrency = options.directoryConcurrency ?? 8;
  const statConcurrency = options.statConcurrency ?? 16;
  const visited = new Set<string>();
  const pending: FolderTask[] = [];

  for (const root of roots) {
    const absolute = path.resolve(root);
    const task = await rootTask(absolute);
    if (task instanceof WalkError) {
      yield { directory: absolute, files: [], sidecars: [], errors: [task] };
    } else if (!visited.has(task.realPath)) {
      visited.add(task.realPath);
      pending.push(task);
    }
  }

  // Folders are read concurrently; new subfolders are checked against `visited` here, in one place,
  // so two folders racing cannot both claim the same real path.
  const inFlight = new Map<number, Promise<[number, FolderResult]>>();
  let nextId = 0;
  while (pending.length > 0 || inFlight.size > 0) {
    while (pending.length > 0 && inFlight.size < directoryConcurrency) {
      const id = nextId++;
      const task = pending.pop()!; // depth-first keeps `pending` short
      inFlight.set(id, listFolder(task, statConcurrency).then((result) => [id, result]));
    }
    const [id, result] = await Promise.race(inFlight.values());
    inFlight.delete(id);
    for (const sub of result.subfolders) {
      if (visited.has(sub.realPath)) continue;
      visited.add(sub.realPath);
      pending.push(sub);
    }
    yield result.batch;
  }
}

/** The whole listing at once, files sorted by path. */
export async function listLibrary(
  roots: readonly string[],
  options?: WalkOptions,
): Promise<{ files: ListedFile[]; sidecars: ListedFile[]; errors: WalkError[] }> {
  const files: ListedFile[] = [];
  const sidecars: ListedFile[] = [];
  const errors: WalkError[] = [];
  for await (const batch of walkLibrary(roots, options)) {
    files.push(...batch.files);
    sidecars.push(...batch.sidecars);
    errors.push(...batch.errors);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, sidecars, errors };
}

async function rootTask(absolute: string): Promise<FolderTask | WalkError> {
  try {
    const realPath = await realpath(absolute);
    if (!(await stat(realPath)).isDirectory()) {
      return new WalkError(absolute, 'unreadable-directory', `library folder ${absolute} is not a folder`);
    }
    return { path: absolute, realPath, rootReal: realPath };
  } catch (cause) {
    return unreadableFolder(absolute, cause);
  }
}

async function listFolder(task: FolderTask, statConcurrency: number): Promise<FolderResult> {
  const batch: WalkBatch = { directory: task.path, files: [], sidecars: [], errors: [] };
  const subfolders: FolderTask[] = [];
  let entries: Dirent[];
  try {
    entries = await readdir(task.path, { withFileTypes: true });
  } catch (cause) {
    batch.errors.push(unreadableFolder(task.path, cause));
    return { batch, subfolders };
  }

  // Entries whose type readdir already told us need no syscall; the rest need a stat.
  const toStat: Dirent[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) {
      // A plain subfolder's real path is its parent's real path plus its name: no realpath() call.
      subfolders.push({ path: path.join(task.path, entry.name), realPath: path.join(task.realPath, entry.name), rootReal: task.rootReal });
    } else if (entry.isFile() ? isImagePath(entry.name) || isSidecarPath(entry.name) : entry.isSymbolicLink() || isUnknownType(entry)) {
      toStat.push(entry);
    }
  }

  await forEachPooled(toStat, statConcurrency, async (entry) => {
    const entryPath = path.join(task.path, entry.name);
    // A link (or an entry of unknown type) is resolved before anything reads it: out of the folder, it stops here.
    let realPath = path.join(task.realPath, entry.name);
    if (!entry.isFile()) {
      try {
        realPath = await realpath(entryPath);
      } catch (cause) {
        batch.errors.push(new WalkError(entryPath, 'unreadable-entry', `cannot read ${entryPath}: ${describe(cause, entryPath)}`, { cause }));
        return;
      }
      if (!isInside(task.rootReal, realPath)) {
        batch.errors.push(new WalkError(entryPath, 'link-outside',
          `${entryPath} is a link to ${realPath}, outside the library folder ${task.rootReal}: not read`));
        return;
      }
    }
    let stats: Stats;
    try {
      stats = await stat(realPath);
    } catch (cause) {
      batch.errors.push(new WalkError(entryPath, 'unreadable-entry', `cannot read ${entryPath}: ${describe(cause, entryPath)}`, { cause }));
      return;
    }
    const isLink = realPath !== path.join(task.realPath, entry.name);
    if (stats.isFile()) {
      if (isSidecarPath(entry.name) && !isLink) {
        batch.sidecars.push({ path: entryPath, size: stats.size, mtimeMs: stats.mtimeMs });
        return;
      }
      if (!isImagePath(entry.name)) return;
      // A link to a photo the walk lists by its own name would count it twice.
      if (isLink && isImagePath(realPath) && listedByOwnName(task.rootReal, realPath)) return;
      batch.files.push({ path: entryPath, size: stats.size, mtimeMs: stats.mtimeMs });
    } else if (stats.isDirectory()) {
      if (isLink && listedByOwnName(task.rootReal, realPath)) return;
      subfolders.push({ path: entryPath, realPath, rootReal: task.rootReal });
    }
  });

  batch.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { batch, subfolders };
}

/** Some file systems do not report entry types (DT_UNKNOWN); those entries must be stat'ed. */
function isUnknownType(entry: Dirent): boolean {
  return !entry.isFile() && !entry.isDirectory() && !entry.isSymbolicLink() && !entry.isFIFO() &&
    !entry.isSocket() && !entry.isBlockDevice() && !entry.isCharacterDevice();
}

/** Runs `work` over `items` with at most `limit` calls in flight. */
async function forEachPooled<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function unreadableFolder(folder: string, cause: unknown): WalkError {
  return new WalkError(folder, 'unreadable-directory', `cannot list folder ${folder}: ${describe(cause, folder)}`, { cause });
}

function describe(cause: unknown, file: string): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  // A name that is not UTF-8 reads back with U+FFFD in its place, and that name does not exist on disk.
  if (code === 'ENOENT' && file.includes('\uFFFD')) return 'its name is not valid UTF-8 (Facet cannot open it; rename it)';
  if (code === 'ENOENT') return 'it does not exist (or a symlink points nowhere)';
  if (code === 'ENAMETOOLONG') return 'its path is longer than the system allows (PATH_MAX)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return cause instanceof Error ? cause.message : String(cause);
}
