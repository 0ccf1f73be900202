/**
 * Turns the user's constraints into what the algorithms use:
 *  - must-link components: faces that start as one cluster (user groups and named persons,
 *    overlapping groups joined), members ascending;
 *  - cannot-link pairs: explicit pairs, faces of one photo, rejections from a named person.
 * A cannot-link pair inside one must-link component is overridden (the user's grouping wins)
 * and reported back.
 */
import { ClusterInputError } from './errors.ts';
import { UnionFind } from './unionFind.ts';

export interface ConstraintInput {
  n: number;
  cannotLink?: ReadonlyArray<readonly [number, number]>;
  photoIds?: ArrayLike<number>;
  mustLinkGroups?: ReadonlyArray<ReadonlyArray<number>>;
  namedGroups?: ReadonlyArray<ReadonlyArray<number>>;
  rejections?: ReadonlyArray<{ face: number; person: number }>;
}

export interface PreparedConstraints {
  /** Must-link components with at least two faces, each ascending, ordered by first face. */
  mustLink: Int32Array[];
  /** Cannot-link pairs as a flat list [i0, j0, i1, j1, ...]; none inside a must-link component. */
  cannotLink: Int32Array;
  /** Named person of each face, -1 for none. */
  personOf: Int32Array;
  /** Pairs dropped because a must-link component holds both faces. */
  overridden: Array<[number, number]>;
}

function checkFace(field: string, face: number, n: number): void {
  if (!Number.isInteger(face) || face < 0 || face >= n) {
    throw new ClusterInputError(field, `face index ${face} is not in 0..${n - 1}`);
  }
}

export function prepareConstraints(input: ConstraintInput): PreparedConstraints {
  const { n } = input;
  const components = new UnionFind(n);
  const personOf = new Int32Array(n).fill(-1);
  const join = (field: string, group: ReadonlyArray<number>) => {
    for (const face of group) checkFace(field, face, n);
    for (let g = 1; g < group.length; g++) {
      const a = components.find(group[0]);
      const b = components.find(group[g]);
      if (a !== b) components.attach(Math.max(a, b), Math.min(a, b));
    }
  };

  (input.namedGroups ?? []).forEach((group, person) => {
    if (group.length === 0) throw new ClusterInputError('namedGroups', `person ${person} has no faces`);
    join('namedGroups', group);
    for (const face of group) {
      if (personOf[face] >= 0 && personOf[face] !== person) {
        throw new ClusterInputError('namedGroups', `face ${face} belongs to persons ${personOf[face]} and ${person}`);
      }
      personOf[face] = person;
    }
  });
  for (const group of input.mustLinkGroups ?? []) join('mustLinkGroups', group);

  // A must-link group that touches a named person makes all its faces that person's;
  // one that touches two persons is a contradiction the user has to resolve.
  const personOfRoot = new Map<number, number>();
  for (let face = 0; face < n; face++) {
    if (personOf[face] < 0) continue;
    const root = components.find(face);
    const other = personOfRoot.get(root);
    if (other !== undefined && other !== personOf[face]) {
      throw new ClusterInputError('mustLinkGroups', `a group joins named persons ${other} and ${personOf[face]}`);
    }
    personOfRoot.set(root, personOf[face]);
  }
  for (let face = 0; face < n; face++) {
    const person = personOfRoot.get(components.find(face));
    if (person !== undefined) personOf[face] = person;
  }

  const membersOfRoot = new Map<number, number[]>();
  for (let face = 0; face < n; face++) {
    // Faces in ascending order, so every component's members come out ascending.
    const root = components.find(face);
    let members = membersOfRoot.get(root);
    if (!members) membersOfRoot.set(root, (members = []));
    members.push(face);
  }
  const mustLink: Int32Array[] = [];
  for (const members of membersOfRoot.values()) {
    if (members.length > 1) mustLink.push(Int32Array.from(members));
  }
  mustLink.sort((x, y) => x[0] - y[0]);

  const pairs: number[] = [];
  const overridden = new Map<number, [number, number]>();
  const addPair = (field: string, i: number, j: number) => {
    checkFace(field, i, n);
    checkFace(field, j, n);
    if (i === j) throw new ClusterInputError(field, `face ${i} cannot be cannot-linked with itself`);
    const lo = Math.min(i, j);
    const hi = Math.max(i, j);
    if (components.find(i) === components.find(j)) overridden.set(lo * n + hi, [lo, hi]);
    else pairs.push(lo, hi);
  };
  for (const [i, j] of input.cannotLink ?? []) addPair('cannotLink', i, j);
  for (const { face, person } of input.rejections ?? []) {
    const group = input.namedGroups?.[person];
    if (!group) throw new ClusterInputError('rejections', `person ${person} is not in namedGroups`);
    addPair('rejections', face, group[0]);
  }
  if (input.photoIds) addPhotoPairs(input.photoIds, n, addPair);

  return { mustLink, cannotLink: Int32Array.from(pairs), personOf, overridden: [...overridden.values()] };
}

/** Every two faces of one photo (negative photo id = unknown, no constraint). */
function addPhotoPairs(
  photoIds: ArrayLike<number>,
  n: number,
  addPair: (field: string, i: number, j: number) => void,
): void {
  if (photoIds.length !== n) {
    throw new ClusterInputError('photoIds', `has ${photoIds.length} entries for ${n} faces`);
  }
  const facesOfPhoto = new Map<number, number[]>();
  for (let face = 0; face < n; face++) {
    const photo = photoIds[face];
    if (photo < 0) continue;
    const faces = facesOfPhoto.get(photo);
    if (faces) faces.push(face);
    else facesOfPhoto.set(photo, [face]);
  }
  for (const faces of facesOfPhoto.values()) {
    for (let a = 0; a < faces.length; a++) {
      for (let b = a + 1; b < faces.length; b++) addPair('photoIds', faces[a], faces[b]);
    }
  }
}
