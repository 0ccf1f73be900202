/**
 * `facet libraries [--json]`: the library folders with their photo counts; `facet libraries remove FOLDER
 * [--forget]`: removes one (a folder with photos only with --forget, which forgets its photos, faces and names).
 * Also the folder check every `facet scan DIR` goes through (registerScanFolders).
 */
import path from 'node:path';
import { escapeControls } from '../../core/names.ts';
import { checkLibraryFolder, LibraryFolderError, type LibraryFolderCheck } from '../../library/libraryFolder.ts';
import { FolderHasPhotosError, findLibraryFolder, registerLibraryFolder, removeLibraryFolder } from '../../people/libraryFolders.ts';
import { defaultDataDir, type Store } from '../../store/index.ts';
import { withStore } from '../database.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';

/** Facet's own folders, never a library folder: the data folder, and the database's folder itself. */
function folderCheck(database: string): LibraryFolderCheck {
  return { protectedFolders: [defaultDataDir()], databaseFolder: path.dirname(path.resolve(database)) };
}

/**
 * The folders `facet scan DIR...` names, checked all first (a path that does not exist, is not a folder, or is a
 * system or data folder is a UsageError, exit 2, and registers nothing), then registered and merged with the
 * known folders. Returns the folders to scan.
 */
export async function registerScanFolders(store: Store, folders: readonly string[], database: string, note: (text: string) => void): Promise<string[]> {
  const check = folderCheck(database);
  for (const folder of folders) {
    try {
      await checkLibraryFolder(path.resolve(folder), check);
    } catch (error) {
      if (error instanceof LibraryFolderError) throw new UsageError(`${escapeControls(error.message)}; nothing was registered`);
      throw error;
    }
  }
  const roots: string[] = [];
  for (const folder of folders) {
    const registered = await registerLibraryFolder(store, path.resolve(folder), check);
    if (registered.how === 'inside') note(`${folder} is inside the library folder ${registered.root.path}: scanning that folder`);
    if (registered.how === 'merged') note(`${registered.root.path} now holds the library folder(s) ${registered.merged.join(', ')}: their photos are kept`);
    if (!roots.includes(registered.root.path)) roots.push(registered.root.path);
  }
  return roots;
}

export const librariesCommand = defineCommand({
  summary: 'the library folders with their photos; `libraries remove FOLDER [--forget]` removes one',
  usage: 'facet libraries [--json] | facet libraries remove FOLDER [--forget] [--json]',
  options: {
    forget: { type: 'boolean', description: 'with remove: forget the folder\'s photos, their faces and the names given to them' },
  },
  async run({ args, values, json, database, out }) {
    const [verb, folder, ...extra] = args;
    if (verb === undefined) return listFolders(database, json, out);
    if (verb !== 'remove') throw new UsageError(`unknown part "${escapeControls(verb)}": facet libraries [remove FOLDER]`);
    if (folder === undefined || extra.length > 0) throw new UsageError('facet libraries remove takes one FOLDER');
    return withStore(database, (store) => {
      const root = findLibraryFolder(store, folder);
      if (!root) throw new UsageError(`${escapeControls(path.resolve(folder))} is not a library folder (see facet libraries)`);
      let result;
      try {
        result = removeLibraryFolder(store, root, values.forget === true);
      } catch (error) {
        if (error instanceof FolderHasPhotosError) throw new UsageError(escapeControls(error.message));
        throw error;
      }
      if (json) out(JSON.stringify({ removed: root.path, ...result }));
      else {
        const people = result.persons > 0 ? `, and ${result.persons} person(s) named only from it` : '';
        out(`removed ${escapeControls(root.path)}${result.photos > 0 ? `: forgot ${result.photos} photo(s) and ${result.faces} face(s)${people}` : ''}`);
      }
      return 0;
    });
  },
});

async function listFolders(database: string, json: boolean, out: (text: string) => void): Promise<number> {
  const folders = await withStore(database, (store) => store.roots.list().map((root) => {
    const counts = { ok: 0, failed: 0, missing: 0 };
    for (const photo of store.photos.listForRescan(root.id)) counts[photo.status as keyof typeof counts]++;
    return { id: root.id, path: root.path, online: root.online, lastScanAt: root.lastScanAt, photos: counts };
  }));
  if (json) {
    out(JSON.stringify({ folders }));
    return 0;
  }
  if (folders.length === 0) out('no library folders yet: facet scan DIR adds one');
  for (const folder of folders) {
    const state = !folder.online ? 'offline' : folder.lastScanAt ? `scanned ${new Date(folder.lastScanAt).toLocaleString()}` : 'not scanned yet';
    out(`${escapeControls(folder.path)}  ${folder.photos.ok} photos, ${folder.photos.failed} failed, ${folder.photos.missing} missing  (${state})`);
  }
  return 0;
}
