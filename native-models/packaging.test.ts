/**
 * The packaged app's model files, without Electron: electron-builder.yml must ship every catalogued file as an
 * extra resource and unpack the native parts, and locate.ts must find and verify the models in the packaged
 * layout (resources/models, from process.resourcesPath or from a file inside resources/app.asar) and, in
 * development, in node_modules.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CATALOG } from './catalog.ts';
import { modelSearchRoots, packagedResourcesPath, readVerified, resolveModelFile } from './locate.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface ExtraResource {
  from: string;
  to: string;
  filter?: string[];
}

interface BuilderConfig {
  extraResources: ExtraResource[];
  asarUnpack: string[];
  npmRebuild: boolean;
  extraMetadata: { main: string };
  files: string[];
  linux: { target: string[] };
  mac: { target: string[] };
  win: { target: string[] };
}

const config = parse(readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

const SPECIAL = new Set('.+?^$' + '{}()|[]\\');

function escapeRegExp(text: string): string {
  return [...text].map((char) => (SPECIAL.has(char) ? `\\${char}` : char)).join('');
}

// electron-builder globs: "**" then a slash is any folders (or none), "**" anything, "*" anything within a name.
function globToRegExp(glob: string): RegExp {
  const parts = glob.split(/(\*\*\/|\*\*|\*)/);
  const wildcards: Record<string, string> = { '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*' };
  return new RegExp(`^${parts.map((part) => wildcards[part] ?? escapeRegExp(part)).join('')}$`);
}

function matches(pattern: string, name: string): boolean {
  return globToRegExp(pattern).test(name);
}

/** Where electron-builder puts `<package>/<file>` under resources/, or undefined when no entry ships it. */
function shippedAs(pkg: string, file: string): string | undefined {
  const source = path.posix.join('node_modules', pkg, file);
  for (const entry of config.extraResources) {
    if (!source.startsWith(entry.from + '/')) continue;
    const rest = source.slice(entry.from.length + 1);
    if (entry.filter && !entry.filter.some((pattern) => matches(pattern, rest))) continue;
    return path.posix.join(entry.to, rest);
  }
  return undefined;
}

test('electron-builder.yml ships every catalogued model file where locate.ts looks, and unpacks the native parts', () => {
  for (const entry of CATALOG) {
    for (const file of entry.files) {
      assert.equal(shippedAs(entry.package, file.path), path.posix.join('models', entry.package, file.path), `${entry.id}: ${file.path}`);
    }
  }
  for (const module of ['better-sqlite3', 'sharp', '@img', '@tensorflow/tfjs-node', 'onnxruntime-node', 'exiftool-vendored.pl', 'esbuild']) {
    const inside = `app/node_modules/${module}/lib/x.node`;
    assert.ok(config.asarUnpack.some((pattern) => globToRegExp(pattern).test(inside)), `${module} unpacked`);
  }
  assert.equal(config.npmRebuild, true, "native modules rebuilt for Electron's ABI");
  assert.ok(existsSync(path.join(REPO, config.extraMetadata.main)), 'the Electron entry exists');
  for (const folder of ['main/**', 'native-models/**', 'renderer/dist/**']) assert.ok(config.files.includes(folder), folder);
  assert.deepEqual([config.linux.target, config.mac.target, config.win.target], [['AppImage', 'deb'], ['dmg'], ['nsis']]);
});

test('in a packaged layout the models are found under resources/models and checksum-verified', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-packaged-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const resources = path.join(dir, 'resources');
  // What electron-builder does with extraResources: copy each folder, keeping only what the filter names.
  for (const entry of config.extraResources) {
    const from = path.join(REPO, entry.from);
    for (const name of readdirSync(from)) {
      if (!statSync(path.join(from, name)).isFile() || (entry.filter && !entry.filter.some((pattern) => matches(pattern, name)))) continue;
      mkdirSync(path.join(resources, entry.to), { recursive: true });
      cpSync(path.join(from, name), path.join(resources, entry.to, name));
    }
  }
  // The app's own files live in resources/app.asar: the packaged roots come from there, and no node_modules
  // of the development tree may be consulted first.
  const asarFile = path.join(resources, 'app.asar', 'native-models', 'locate.ts');
  assert.equal(packagedResourcesPath(asarFile), resources);
  const fromAsar = modelSearchRoots({ from: path.dirname(asarFile), modelsDir: '' });
  assert.equal(fromAsar[0], path.join(resources, 'models'));
  const fromElectron = modelSearchRoots({ resourcesPath: resources, from: path.dirname(asarFile), modelsDir: '' });
  assert.equal(fromElectron[0], path.join(resources, 'models'));
  for (const entry of CATALOG) {
    for (const file of entry.files) {
      const found = resolveModelFile(entry.package, file.path, fromAsar);
      assert.ok(found.startsWith(path.join(resources, 'models') + path.sep), `${file.path} from ${found}`);
      assert.equal(readVerified(entry.package, file.path, file.sha256, fromAsar).length, file.bytes);
    }
  }
});

test('in development the models come from node_modules', () => {
  const roots = modelSearchRoots({ from: path.join(REPO, 'native-models'), modelsDir: '', resourcesPath: undefined });
  assert.equal(roots[0], path.join(REPO, 'native-models', 'node_modules'));
  const [entry] = CATALOG;
  assert.ok(resolveModelFile(entry!.package, entry!.files[0]!.path, roots).startsWith(path.join(REPO, 'node_modules')));
});
