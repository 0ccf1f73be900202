/**
 * Names found in a photo's XMP become Facet's: a named region over a face Facet detected names that face; a
 * named region where nothing was detected becomes a manual face, described (landmarks, embedding) inside its
 * box when the scan's analyser can, so clustering and search use it too. Imported names are user decisions
 * (face_assignments.source 'user'), so clustering keeps them, and they never override a decision the user
 * already made in Facet: a face already named, or said not to be that person, is left alone.
 */
import type { AnalysedPhotoFace, FileAnalysis } from '../faces/analyseFile.ts';
import { cleanName } from '../core/names.ts';
import type { Box } from '../core/types.ts';
import { matchBoxes } from '../library/boxOverlap.ts';
import type { PhotoNameImport } from './libraryScan.ts';
import type { Store } from '../store/index.ts';
import type { RegionReader } from '../xmp/exiftoolMetadata.ts';
import { SAME_FACE_IOU, type NamedRegion } from '../xmp/regions.ts';

/** What the scan's analyser may offer: describing a face in a given box (AnalysisPool.embedInBox). */
export interface BoxDescriber {
  embedInBox?(file: string, box: Box): Promise<FileAnalysis>;
}

export interface PreparedImport {
  regions: NamedRegion[];
  /** Descriptions of the regions no detected face covers, where the analyser could make one. */
  described: Map<NamedRegion, AnalysedPhotoFace>;
}

export interface ImportOutcome {
  /** Faces that got a name from XMP. */
  named: number;
  /** Manual faces made for named regions with no face under them. */
  added: number;
  /** Regions over no face, left out because addMissing was false. */
  unplaced: NamedRegion[];
}

/** Regions that none of `boxes` covers. */
export function uncoveredRegions(boxes: readonly Box[], regions: readonly NamedRegion[]): NamedRegion[] {
  const matches = matchBoxes(boxes, regions.map((region) => region.box), SAME_FACE_IOU);
  return regions.filter((_, i) => !matches.has(i));
}

/**
 * Reads the photo's named regions and describes, before any transaction (the models are async), those that
 * neither a stored face nor a new detection covers.
 */
export async function prepareRegionImport(
  reader: RegionReader,
  describer: BoxDescriber,
  file: string,
  analysis: Extract<FileAnalysis, { ok: true }>,
  storedBoxes: readonly Box[],
): Promise<PreparedImport> {
  const regions = await reader.readRegions(file, { width: analysis.width, height: analysis.height });
  const described = new Map<NamedRegion, AnalysedPhotoFace>();
  if (!describer.embedInBox) return { regions, described };
  for (const region of uncoveredRegions([...storedBoxes, ...analysis.faces.map((face) => face.box)], regions)) {
    const result = await describer.embedInBox(file, region.box);
    if (result.ok && result.faces[0]) described.set(region, result.faces[0]);
  }
  return { regions, described };
}

/**
 * Applies named regions to the faces stored for a photo. Synchronous and without its own transaction: the
 * scan calls it inside the transaction that stores the photo's faces, so names and faces commit together.
 */
export function applyRegions(
  store: Store,
  photoId: number,
  regions: readonly NamedRegion[],
  options: { addMissing?: boolean; embedderId?: string; described?: Map<NamedRegion, AnalysedPhotoFace> } = {},
): ImportOutcome {
  const outcome: ImportOutcome = { named: 0, added: 0, unplaced: [] };
  const faces = store.faces.listByPhoto(photoId);
  const matches = matchBoxes(faces.map((face) => face.box), regions.map((region) => region.box), SAME_FACE_IOU);
  // Two faces of one photo are never one person: a name already on a face here is not given to another.
  const personsHere = new Set<number>();
  for (const face of faces) {
    const personId = store.assignments.get(face.id)?.personId;
    if (personId != null) personsHere.add(personId);
  }
  regions.forEach((region, i) => {
    // A name from a file is cleaned by the one name rule; a region whose name has nothing visible names no one.
    const name = cleanName(region.name);
    if (name === undefined) return;
    const known = store.persons.findByName(name);
    if (known && personsHere.has(known.id)) return;
    const faceIndex = matches.get(i);
    let faceId: number;
    if (faceIndex !== undefined) {
      faceId = faces[faceIndex]!.id;
      if (store.assignments.get(faceId)?.source === 'user') return;
      if (known && store.constraints.listForFace(faceId).some((c) => c.personId === known.id && c.kind === 'not')) return;
    } else if (options.addMissing === false) {
      outcome.unplaced.push(region);
      return;
    } else {
      faceId = insertManualFace(store, photoId, region, options);
    }
    const person = known ?? store.persons.create({ name });
    store.assignments.assignByUser([faceId], person.id);
    personsHere.add(person.id);
    if (faceIndex === undefined) outcome.added++;
    else outcome.named++;
  });
  return outcome;
}

function insertManualFace(
  store: Store,
  photoId: number,
  region: NamedRegion,
  options: { embedderId?: string; described?: Map<NamedRegion, AnalysedPhotoFace> },
): number {
  const described = options.described?.get(region);
  // The box is the region's own, so exporting it again writes back exactly what was read.
  const faceId = store.faces.insert(photoId, {
    box: region.box,
    landmarks: described?.landmarks ?? null,
    score: null,
    quality: described?.quality.overall ?? null,
    blur: described?.quality.laplacianVariance ?? null,
    thumbnail: described?.thumbnail ?? null,
    source: 'manual',
  });
  if (described && options.embedderId) store.embeddings.put(faceId, options.embedderId, described.embedding);
  return faceId;
}

/** The scan's name import (PhotoNameImport) over a metadata reader: what every scan of the people layer passes. */
export function namesFromMetadata(reader: RegionReader): PhotoNameImport<PreparedImport> {
  return {
    prepare: (analyser, file, analysis, storedBoxes) => prepareRegionImport(reader, analyser, file, analysis, storedBoxes),
    apply(store, photoId, prepared, embedderId) {
      if (prepared.regions.length === 0) return 0;
      const outcome = applyRegions(store, photoId, prepared.regions, { embedderId, described: prepared.described });
      return outcome.named + outcome.added;
    },
  };
}
