/**
 * Finds and verifies model files. Weights come only from npm packages that ship them
 * (or, in a packaged app, from the copies electron-builder puts under resources/models);
 * nothing is ever fetched from the network.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * In a packaged app this file sits inside `<resources>/app.asar/`; that gives the resources folder even where
 * process.resourcesPath is not set (analysis worker threads). undefined when not packaged.
 */
export function packagedResourcesPath(file: string = here): string | undefined {
  const marker = `${path.sep}app.asar${path.sep}`;
  const at = file.indexOf(marker);
  return at >= 0 ? file.slice(0, at) : undefined;
}

export interface SearchContext {
  /** FACET_MODELS_DIR. */
  modelsDir?: string;
  /** Electron's process.resourcesPath in a packaged app. */
  resourcesPath?: string;
  /** Where the search for node_modules starts (this file's folder). */
  from?: string;
}

/**
 * Folders that may hold `<package>/<file>`, searched in order:
 * FACET_MODELS_DIR, the packaged app's resources/models, then node_modules above this file.
 */
export function modelSearchRoots(context: SearchContext = {}): string[] {
  const from = context.from ?? here;
  const modelsDir = context.modelsDir ?? process.env.FACET_MODELS_DIR;
  const resourcesPath = context.resourcesPath ?? (process as { resourcesPath?: string }).resourcesPath ?? packagedResourcesPath(from);
  const roots: string[] = [];
  if (modelsDir) roots.push(modelsDir);
  if (resourcesPath) roots.push(path.join(resourcesPath, 'models'));
  let dir = from;
  for (;;) {
    roots.push(path.join(dir, 'node_modules'));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return roots;
}

export function resolveModelFile(pkg: string, file: string, roots = modelSearchRoots()): string {
  for (const root of roots) {
    const candidate = path.join(root, pkg, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new ModelFileError(
    `model file ${pkg}/${file} not found (looked in ${roots.join(', ')}); run npm install`,
    `${pkg}/${file}`,
  );
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads a catalogued file and checks its checksum; a mismatch names the file and both digests. */
export function readVerified(pkg: string, file: string, expectedSha256: string, roots?: string[]): Buffer {
  const fullPath = resolveModelFile(pkg, file, roots);
  const bytes = readFileSync(fullPath);
  const actual = sha256(bytes);
  if (actual !== expectedSha256) {
    throw new ModelFileError(
      `checksum mismatch for model file ${fullPath}: expected sha256 ${expectedSha256}, got ${actual}`,
      fullPath,
    );
  }
  return bytes;
}
