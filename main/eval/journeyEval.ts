/**
 * `facet eval journey`: a simulated user organises LFW as a personal library, one action at a time, through the
 * same people-layer functions the app and the CLI call, answering from the truth. The library is every LFW image:
 * the people with at least 5 images are the people this user knows (and names); everyone else is a stranger.
 *
 * The user's policy, as the app presents things:
 * 1. the people grid, largest group first: a group whose faces are mostly someone they know is named after them,
 *    or merged into them when they are named already (groups of strangers are left alone);
 * 2. then the review queue, a page at a time: "is this (group) X?" answered yes (confirm) or no (reject);
 * 3. then each named person's page: a face that is not them gets "not this person";
 * 4. then the photos themselves: the faces of someone they know that no question reached are named by hand,
 *    one after another (one action each) until none is left;
 * 5. "Find people" again when nothing else is left (then back to 1); with fine-tuning on, "Fine-tune" every 100
 *    actions. Every one of these counts as one action.
 * After every action: BCubed F over the faces of the people the user knows, where a face's group is the named
 * person holding it, else the face alone (what the user has organised). Reported: the actions needed to reach
 * F 0.99, F after 50, 100 and 200 actions, and how many review questions were asked and answered yes.
 *
 * Also a calibration of the review queue's reach (REVIEW_MAYBE_FACTOR) and neighbour rule (REVIEW_NEIGHBOURS):
 * right after the first naming pass, the questions the queue would ask at each reach and each number of
 * neighbours, and whether they are right, separately for the people of LFW's development training split (where
 * the rule is chosen) and the others (where it is reported).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import type { ProgressListener } from '../core/progress.ts';
import { bcubedScoresOver } from '../metrics/clusterMetrics.ts';
import { clusterLibrary, resolveClusterSettings } from '../people/clusterLibrary.ts';
import { assignFaces, mergeTargets, moveFaces, nameTarget, rejectFaces } from '../people/decisions.ts';
import { fineTune } from '../people/fineTune.ts';
import { REVIEW_MARGIN, REVIEW_MAYBE_FACTOR, REVIEW_NEIGHBOURS, reviewQueue } from '../people/reviewQueue.ts';
import { createStore, openDatabase, type Store } from '../store/index.ts';

export interface JourneyFace {
  image: string;
  person: string;
  vector: Float32Array;
}

export interface JourneyOptions {
  faces: readonly JourneyFace[];
  /** People who name faces: those with at least this many images. Default 5. */
  minImages?: number;
  /** The review queue's rule, for choosing it on development people (default REVIEW_MAYBE_FACTOR, REVIEW_MARGIN, REVIEW_NEIGHBOURS). */
  review?: ReviewRule;
  /** "Fine-tune" every this many actions in the second run; 0 skips that run (withFinetune is then null). Default 100. */
  finetuneEvery?: number;
  /** Actions at most per run. Default 3000. */
  budget?: number;
  /** Names of LFW's development training people (peopleDevTrain.txt), for the band's calibration. */
  devTrainPeople?: ReadonlySet<string>;
  seed?: number;
  onProgress?: ProgressListener;
}

export interface RunFigures {
  actionsTo099: number | null;
  fAfter50: number;
  fAfter100: number;
  fAfter200: number;
  finalF: number;
  actions: number;
  questionsAsked: number;
  questionsYes: number;
  /** F after each action (index 0 = before any). */
  curve: number[];
  /** Actions by kind: name, merge, yes, no, not-this-person, by-hand, find-people, fine-tune. */
  kinds: Record<string, number>;
  noAnswers: ReviewAnswer[];
  yesAnswers: ReviewAnswer[];
  seconds: number;
}

/** A review question as the user answered it: when, about whom, how far, how many faces, how many were that person's, how many of people they know. */
export interface ReviewAnswer {
  action: number;
  /** The person asked about. */
  person: string;
  distance: number;
  faces: number;
  theirs: number;
  known: number;
}

/** The review queue's rule: reach (× threshold), margin to the second-nearest person, neighbours that must be the person's. */
export interface ReviewRule {
  maybeFactor?: number;
  margin?: number;
  neighbours?: number;
}

export interface BandRow {
  /** The review queue's neighbour rule for these rows (the margin is the one in use). */
  neighbours: number;
  /** Distances up to threshold × factor (and above the previous row's factor). */
  factor: number;
  devAsked: number;
  devYes: number;
  otherAsked: number;
  otherYes: number;
}

export interface JourneyReport {
  faces: number;
  people: number;
  strangers: number;
  threshold: number;
  maybeFactor: number;
  /** The review queue's margin to the second-nearest person (REVIEW_MARGIN). */
  margin: number;
  /** The review queue's neighbour rule (REVIEW_NEIGHBOURS). */
  neighbours: number;
  actionsTo099: number | null;
  fAfter50: number;
  fAfter100: number;
  fAfter200: number;
  questionsAsked: number;
  questionsYes: number;
  /**
   * The questions of the run without fine-tuning about people outside LFW's development training split (the people
   * the review queue's rule was not chosen on); null without devTrainPeople.
   */
  heldOut: { questionsAsked: number; questionsYes: number } | null;
  withFinetune: { every: number; actionsTo099: number | null; fAfter100: number; fAfter200: number; questionsAsked: number; questionsYes: number; finetunes: Array<{ action: number; status: string; reason: string; seconds: number }> } | null;
  calibration: BandRow[];
  runs: { plain: RunFigures; finetune: RunFigures | null };
}

/** The library as a store: one photo and one face per image, embedded by `modelId`. */
function buildLibrary(faces: readonly JourneyFace[], modelId: string): { store: Store; truth: string[]; faceIds: number[] } {
  const store = createStore(openDatabase(':memory:'));
  const root = store.roots.add(path.resolve('/lfw-library'));
  const faceIds: number[] = [];
  store.transaction(() => {
    faces.forEach((face, i) => {
      const photo = store.photos.upsert({ rootId: root.id, path: path.resolve('/lfw-library', `${i}.jpg`), size: 1, mtimeMs: 1, contentHash: `h${i}`, width: 250, height: 250 });
      const [faceId] = store.faces.insertDetected(photo.id, 'ssd-mobilenetv1', [{ box: { x: 70, y: 70, width: 110, height: 110 }, landmarks: null, score: 1, quality: 1, blur: null, thumbnail: null }]);
      store.embeddings.put(faceId!, modelId, face.vector);
      faceIds.push(faceId!);
    });
  });
  return { store, truth: faces.map((face) => face.person), faceIds };
}

class SimulatedUser {
  readonly curve: number[] = [];
  /** The review questions, by answer. */
  readonly noAnswers: ReviewAnswer[] = [];
  readonly yesAnswers: ReviewAnswer[] = [];
  readonly finetunes: Array<{ action: number; status: string; reason: string; seconds: number }> = [];
  #changedSinceFindPeople = true;
  /** How many actions of each kind the user took (name, merge, yes, no, not-this-person, by-hand, find-people, fine-tune). */
  readonly kinds: Record<string, number> = {};
  /** In the photo view naming faces one after another (until none is left), not pressing "Find people" between. */
  #namingByHand = false;
  readonly #identity = new Map<number, string>();
  readonly #label = new Map<string, number>();

  constructor(
    readonly store: Store,
    readonly truth: readonly string[],
    readonly faceIds: readonly number[],
    readonly known: ReadonlySet<string>,
    readonly modelId: () => string,
    readonly finetuneEvery: number | undefined,
    readonly review: ReviewRule = {},
  ) {
    faceIds.forEach((faceId, i) => this.#identity.set(faceId, truth[i]!));
    [...new Set(truth)].forEach((name, i) => this.#label.set(name, i));
  }

  get actions(): number {
    return this.curve.length - 1;
  }

  get questionsAsked(): number {
    return this.yesAnswers.length + this.noAnswers.length;
  }

  get questionsYes(): number {
    return this.yesAnswers.length;
  }

  /** BCubed F over the known people's faces: a face's group is its named person, else itself alone. */
  score(): number {
    const person = new Map<number, number>();
    for (const face of this.store.assignments.membership()) if (face.personId !== null && face.personName !== null) person.set(face.faceId, face.personId);
    const truth = this.faceIds.map((id) => this.#label.get(this.#identity.get(id)!)!);
    const predicted = this.faceIds.map((id, i) => (person.has(id) ? person.get(id)! : -1 - i));
    const include = this.faceIds.map((id) => this.known.has(this.#identity.get(id)!));
    return bcubedScoresOver(truth, predicted, include).f1;
  }

  /** Counts one action of this kind and scores the library after it. */
  #record(kind: string): void {
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
    this.curve.push(this.score());
  }

  #act(kind: string): void {
    this.#record(kind);
    this.#changedSinceFindPeople = true;
  }

  /** One action of the policy; false when nothing is left to do. */
  step(): boolean {
    if (this.finetuneEvery !== undefined && this.actions > 0 && this.actions % this.finetuneEvery === 0 && this.finetunes.at(-1)?.action !== this.actions) {
      const started = performance.now();
      const report = fineTune(this.store, { seed: this.finetunes.length + 1 });
      this.finetunes.push({ action: this.actions, status: report.status, reason: report.reason, seconds: (performance.now() - started) / 1000 });
      this.#act('fine-tune');
      return true;
    }
    if (this.#namingByHand) {
      if (this.#nameAFaceByHand()) return true;
      this.#namingByHand = false;
    }
    if (this.#nameOrMergeLargestGroup() || this.#answerReviewPage() || this.#rejectAWrongFace()) return true;
    if (!this.#changedSinceFindPeople && this.#nameAFaceByHand()) {
      this.#namingByHand = true;
      return true;
    }
    if (!this.#changedSinceFindPeople) return false;
    clusterLibrary(this.store, { modelId: this.modelId() }); // "Find people"
    this.#record('find-people');
    this.#changedSinceFindPeople = false;
    return true;
  }

  #nameOrMergeLargestGroup(): boolean {
    const settings = resolveClusterSettings(this.store, { modelId: this.modelId() });
    const groups = new Map<number, number[]>();
    for (const face of this.store.assignments.membership()) {
      if (face.personId !== null || face.clusterId === null || face.assignedBy === 'user') continue;
      (groups.get(face.clusterId) ?? groups.set(face.clusterId, []).get(face.clusterId)!).push(face.faceId);
    }
    const ordered = [...groups].filter(([, ids]) => ids.length >= settings.minClusterSize).sort((a, b) => b[1].length - a[1].length || a[0] - b[0]);
    for (const [clusterId, ids] of ordered) {
      const votes = new Map<string, number>();
      for (const id of ids) votes.set(this.#identity.get(id)!, (votes.get(this.#identity.get(id)!) ?? 0) + 1);
      const [name, count] = [...votes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
      if (!this.known.has(name) || count * 2 <= ids.length) continue; // strangers, or no clear majority: left alone
      const target = { kind: 'cluster' as const, clusterId, label: String(clusterId), faceIds: ids };
      const person = this.store.persons.findByName(name);
      // A face of the group may carry a "not" for that person: the app asks, and this user goes ahead (as every merge
      // did before the app asked), so the journey's figures are those measured before.
      const confirmed = { dropContradictedNotConstraints: true };
      if (person) mergeTargets(this.store, target, { kind: 'person', person }, confirmed);
      else nameTarget(this.store, target, name, confirmed);
      this.#act(person ? 'merge' : 'name');
      return true;
    }
    return false;
  }

  #page: Array<{ faceIds: number[]; personId: number; personName: string; distance: number }> = [];

  #answerReviewPage(): boolean {
    if (this.#page.length === 0) this.#page = reviewQueue(this.store, { limit: 20, modelId: this.modelId(), ...this.review }).questions;
    while (this.#page.length > 0) {
      const question = this.#page.shift()!;
      // Still open? (an earlier answer on the page may have settled these faces)
      const open = question.faceIds.filter((id) => {
        const assignment = this.store.assignments.get(id);
        return !(assignment?.source === 'user') && assignment?.personId == null;
      });
      if (open.length === 0 || this.store.constraints.listForFace(open[0]!).some((c) => c.personId === question.personId)) continue;
      const theirs = open.filter((id) => this.#identity.get(id) === question.personName).length;
      const yes = theirs === open.length;
      const known = open.filter((id) => this.known.has(this.#identity.get(id)!)).length;
      (yes ? this.yesAnswers : this.noAnswers).push({ action: this.actions + 1, person: question.personName, distance: question.distance, faces: open.length, theirs, known });
      if (yes) {
        moveFaces(this.store, open, question.personId, 'confirm');
      } else {
        rejectFaces(this.store, open, question.personId);
      }
      this.#act(yes ? 'yes' : 'no');
      return true;
    }
    return false;
  }

  /** A face of a known person that nobody holds (and the user has not set aside), named in the photo view. */
  #nameAFaceByHand(): boolean {
    for (const face of this.store.assignments.membership()) {
      if (face.personId !== null || face.assignedBy === 'user') continue;
      const name = this.#identity.get(face.faceId)!;
      if (!this.known.has(name)) continue;
      assignFaces(this.store, [face.faceId], name);
      this.#act('by-hand');
      return true;
    }
    return false;
  }

  #rejectAWrongFace(): boolean {
    for (const face of this.store.assignments.membership()) {
      if (face.personId === null || face.personName === null) continue;
      if (this.#identity.get(face.faceId) === face.personName) continue;
      rejectFaces(this.store, [face.faceId], face.personId);
      this.#act('not-this-person');
      return true;
    }
    return false;
  }
}

function runUser(options: JourneyOptions, faces: readonly JourneyFace[], known: ReadonlySet<string>, finetuneEvery: number | undefined, stage: string): { figures: RunFigures; user: SimulatedUser; store: Store } {
  const started = performance.now();
  const { store, truth, faceIds } = buildLibrary(faces, DEFAULT_EMBEDDER);
  clusterLibrary(store, { modelId: DEFAULT_EMBEDDER });
  const modelId = () => resolveClusterSettings(store, {}).modelId;
  const user = new SimulatedUser(store, truth, faceIds, known, modelId, finetuneEvery, options.review);
  user.curve.push(user.score());
  const budget = options.budget ?? 3000;
  let reached: number | null = null;
  while (user.actions < budget) {
    if (!user.step()) break;
    if (reached === null && user.curve.at(-1)! >= 0.99) reached = user.actions;
    options.onProgress?.({ stage, done: user.actions, total: budget, detail: `F ${user.curve.at(-1)!.toFixed(4)} ${JSON.stringify(user.kinds)}` });
    if (reached !== null && user.actions >= 200) break;
  }
  const at = (n: number) => user.curve[Math.min(n, user.curve.length - 1)]!;
  return {
    user, store,
    figures: {
      actionsTo099: reached, fAfter50: at(50), fAfter100: at(100), fAfter200: at(200), finalF: user.curve.at(-1)!,
      actions: user.actions, questionsAsked: user.questionsAsked, questionsYes: user.questionsYes, curve: user.curve,
      kinds: { ...user.kinds }, noAnswers: user.noAnswers, yesAnswers: user.yesAnswers, seconds: (performance.now() - started) / 1000,
    },
  };
}

/** Yes-rates of the review queue's questions by distance band and neighbour rule, after naming every known person's largest group. */
function calibrate(faces: readonly JourneyFace[], known: ReadonlySet<string>, devTrain: ReadonlySet<string>, margin: number, inUse: number): BandRow[] {
  const { store, truth, faceIds } = buildLibrary(faces, DEFAULT_EMBEDDER);
  clusterLibrary(store, { modelId: DEFAULT_EMBEDDER });
  const identity = new Map(faceIds.map((id, i) => [id, truth[i]!]));
  const byCluster = new Map<number, number[]>();
  for (const face of store.assignments.membership()) if (face.clusterId !== null) (byCluster.get(face.clusterId) ?? byCluster.set(face.clusterId, []).get(face.clusterId)!).push(face.faceId);
  const named = new Set<string>();
  for (const ids of [...byCluster.values()].sort((a, b) => b.length - a.length)) {
    const votes = new Map<string, number>();
    for (const id of ids) votes.set(identity.get(id)!, (votes.get(identity.get(id)!) ?? 0) + 1);
    const name = [...votes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    if (!known.has(name) || named.has(name)) continue;
    named.add(name);
    nameTarget(store, { kind: 'cluster', clusterId: -1, label: 'calibration', faceIds: ids }, name);
  }
  const factors = [0.7, 0.75, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.5];
  const rows: BandRow[] = [];
  for (const neighbours of [...new Set([0, 3, 5, 7, inUse])].sort((a, b) => a - b)) {
    const queue = reviewQueue(store, { modelId: DEFAULT_EMBEDDER, maybeFactor: factors.at(-1), margin, neighbours });
    const band = factors.map((factor) => ({ neighbours, factor, devAsked: 0, devYes: 0, otherAsked: 0, otherYes: 0 }));
    for (const q of queue.questions) {
      const row = band.find((r) => q.distance <= queue.threshold * r.factor + 1e-12)!;
      const yes = q.faceIds.every((id) => identity.get(id) === q.personName);
      if (devTrain.has(q.personName)) { row.devAsked++; if (yes) row.devYes++; } else { row.otherAsked++; if (yes) row.otherYes++; }
    }
    rows.push(...band);
  }
  store.close();
  return rows;
}

export function runJourney(options: JourneyOptions): JourneyReport {
  const minImages = options.minImages ?? 5;
  const counts = new Map<string, number>();
  for (const face of options.faces) counts.set(face.person, (counts.get(face.person) ?? 0) + 1);
  const known = new Set([...counts].filter(([, n]) => n >= minImages).map(([name]) => name));
  const plain = runUser(options, options.faces, known, undefined, 'journey');
  const threshold = resolveClusterSettings(plain.store, { modelId: DEFAULT_EMBEDDER }).threshold;
  plain.store.close();
  const every = options.finetuneEvery ?? 100;
  const tuned = every > 0 ? runUser(options, options.faces, known, every, 'journey+finetune') : undefined;
  tuned?.store.close();
  const margin = options.review?.margin ?? REVIEW_MARGIN;
  const neighbours = options.review?.neighbours ?? REVIEW_NEIGHBOURS;
  const calibration = calibrate(options.faces, known, options.devTrainPeople ?? new Set(), margin, neighbours);
  return {
    faces: options.faces.length,
    people: known.size,
    strangers: counts.size - known.size,
    threshold,
    maybeFactor: options.review?.maybeFactor ?? REVIEW_MAYBE_FACTOR,
    margin,
    neighbours,
    actionsTo099: plain.figures.actionsTo099,
    fAfter50: plain.figures.fAfter50,
    fAfter100: plain.figures.fAfter100,
    fAfter200: plain.figures.fAfter200,
    questionsAsked: plain.figures.questionsAsked,
    questionsYes: plain.figures.questionsYes,
    heldOut: options.devTrainPeople ? {
      questionsAsked: [...plain.figures.yesAnswers, ...plain.figures.noAnswers].filter((a) => !options.devTrainPeople!.has(a.person)).length,
      questionsYes: plain.figures.yesAnswers.filter((a) => !options.devTrainPeople!.has(a.person)).length,
    } : null,
    withFinetune: tuned ? {
      every,
      actionsTo099: tuned.figures.actionsTo099, fAfter100: tuned.figures.fAfter100, fAfter200: tuned.figures.fAfter200,
      questionsAsked: tuned.figures.questionsAsked, questionsYes: tuned.figures.questionsYes, finetunes: tuned.user.finetunes,
    } : null,
    calibration,
    runs: { plain: plain.figures, finetune: tuned?.figures ?? null },
  };
}

/** People of a people file (peopleDevTrain.txt: a count, then "Name<TAB>images" lines). */
export function readPeopleFile(file: string): Set<string> {
  return new Set(readFileSync(file, 'utf8').split('\n').slice(1).map((line) => line.split('\t')[0]!.trim()).filter(Boolean));
}
