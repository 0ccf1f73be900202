/**
 * Reading and writing face regions through ExifTool (exiftool-vendored runs the Perl ExifTool shipped in its
 * optional package exiftool-vendored.pl). One small interface with dispose(): ExifTool is a pool of child
 * processes that must end for the CLI and the tests to exit.
 *
 * Sidecars: `photo.jpg.xmp` (digiKam, darktable) and `photo.xmp` (Lightroom) are both read; a sidecar that
 * exists is updated, else `photo.jpg.xmp` is created: it cannot collide when photo.jpg and photo.png share a
 * folder. Regions in a sidecar come before those embedded in the file (sidecars are where editors write).
 *
 * Where ExifTool cannot start (no perl), reading returns no regions and says why once; a scan goes on. Its
 * processes end when Facet ends, however it ends (library/childGuard.ts).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DefaultExiftoolArgs, ExifTool, exiftoolPath } from 'exiftool-vendored';
import { endWithFacet, guardedEnv } from '../library/childGuard.ts';
import { mergeRegions, mwgRegionInfo, regionsFromTags, type NamedRegion, type RegionTags } from './regions.ts';
import { orientationOf, type Size } from './orientation.ts';

/** What a scan needs: the named faces a photo's metadata holds, in pixels of its upright image. */
export interface RegionReader {
  readRegions(file: string, upright: Size): Promise<NamedRegion[]>;
  dispose(): Promise<void>;
}

export interface RegionWriter extends RegionReader {
  /** Writes `regions` as MWG regions into the sidecar, or into the file itself with inPlace; returns the file written. */
  writeRegions(file: string, regions: readonly NamedRegion[], upright: Size, options?: { inPlace?: boolean }): Promise<string>;
}

export interface ExifToolMetadataOptions {
  /** Told once when ExifTool cannot run, and for each file whose metadata cannot be read. */
  onWarning?: (message: string) => void;
  /** For tests: an ExifTool that does not exist. */
  exiftoolPath?: string;
  /** ExifTool processes (default 1: reading regions is cheap next to face analysis). */
  maxProcs?: number;
}

/**
 * exiftool-vendored's default read (its own arguments give Orientation as a number; ours replaced them and got
 * "Rotate 90 CW"). Its Tags type is wider and typed per tag; regions.ts checks every value it uses.
 */
async function readTags(exiftool: ExifTool, file: string): Promise<RegionTags> {
  return (await exiftool.read(file)) as RegionTags;
}

/** The sidecars a photo may have, in the order they are preferred. */
export function sidecarCandidates(file: string): string[] {
  const parsed = path.parse(file);
  const candidates = [`${file}.xmp`, `${file}.XMP`, path.join(parsed.dir, `${parsed.name}.xmp`), path.join(parsed.dir, `${parsed.name}.XMP`)];
  return [...new Set(candidates)];
}

export function existingSidecars(file: string): string[] {
  return sidecarCandidates(file).filter((candidate) => existsSync(candidate));
}

/** The sidecar written for `file`: one that exists, else `photo.jpg.xmp`. */
export function sidecarFor(file: string): string {
  return existingSidecars(file)[0] ?? `${file}.xmp`;
}

export class ExifToolMetadata implements RegionWriter {
  readonly #options: ExifToolMetadataOptions;
  #exiftool: Promise<ExifTool | undefined> | undefined;

  constructor(options: ExifToolMetadataOptions = {}) {
    this.#options = options;
  }

  async readRegions(file: string, upright: Size): Promise<NamedRegion[]> {
    const exiftool = await this.#start();
    if (!exiftool) return [];
    try {
      const own = await readTags(exiftool, file);
      const orientation = orientationOf(own.Orientation);
      let regions: NamedRegion[] = [];
      for (const sidecar of existingSidecars(file)) {
        const tags = await readTags(exiftool, sidecar);
        regions = mergeRegions(regions, regionsFromTags(tags, orientation, upright));
      }
      return mergeRegions(regions, regionsFromTags(own, orientation, upright));
    } catch (error) {
      this.#options.onWarning?.(`could not read XMP face regions of ${file}: ${(error as Error).message}`);
      return [];
    }
  }

  async writeRegions(file: string, regions: readonly NamedRegion[], upright: Size, options: { inPlace?: boolean } = {}): Promise<string> {
    const exiftool = await this.#start();
    if (!exiftool) throw new Error(`ExifTool is not available: cannot write face regions of ${file}`);
    const target = options.inPlace ? file : sidecarFor(file);
    const orientation = orientationOf((await readTags(exiftool, file)).Orientation);
    const existing = existsSync(target) ? (await readTags(exiftool, target)).RegionInfo : undefined;
    const regionInfo = mwgRegionInfo(regions, orientation, upright, existing);
    // ExifTool writes a temporary file and renames it over the target; in place, the user agreed to change the
    // photo, so no `_original` copy is left beside it (nor beside a sidecar, which holds only metadata).
    await exiftool.write(target, { RegionInfo: regionInfo } as never, { writeArgs: ['-overwrite_original'] });
    return target;
  }

  async dispose(): Promise<void> {
    const started = await this.#exiftool;
    this.#exiftool = undefined;
    await started?.end();
  }

  /** Started on first use, so a scan with nothing to analyse never spawns Perl. */
  #start(): Promise<ExifTool | undefined> {
    this.#exiftool ??= (async () => {
      let binary: string;
      try {
        binary = this.#options.exiftoolPath ?? (await exiftoolPath());
        // Tried once by hand first: exiftool-vendored's pool throws an uncatchable spawn error when it cannot start.
        await promisify(execFile)(binary, ['-ver'], { timeout: 30_000 });
      } catch (error) {
        this.#options.onWarning?.(
          `XMP face regions are not read or written: ExifTool could not start (${(error as Error).message.split('\n')[0]}); is perl installed?`,
        );
        return undefined;
      }
      // Started as exiftool-vendored would (the script itself, or through perl where /usr/bin/perl is missing), then
      // bound to this process: a `-stay_open` ExifTool never notices its parent is gone (library/childGuard.ts).
      const throughPerl = process.platform !== 'win32' && !existsSync('/usr/bin/perl');
      const env: NodeJS.ProcessEnv = { LANG: 'C', ...(process.env.EXIFTOOL_HOME ? { EXIFTOOL_HOME: process.env.EXIFTOOL_HOME } : {}) };
      const spawnOptions = { stdio: 'pipe', shell: false, detached: false, env: guardedEnv(env) } as const;
      return new ExifTool({
        exiftoolPath: binary,
        processFactory: () => endWithFacet(throughPerl
          ? spawn('perl', [binary, ...DefaultExiftoolArgs], spawnOptions)
          : spawn(binary, DefaultExiftoolArgs, spawnOptions)),
        maxProcs: this.#options.maxProcs ?? 1,
        // A long-running app keeps one reader: an idle Perl process goes after a minute and returns on demand.
        maxIdleMsPerProcess: 60_000,
      });
    })();
    return this.#exiftool;
  }
}
