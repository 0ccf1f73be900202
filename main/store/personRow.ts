/** The Person type and its row mapping, shared by persons-repository.ts and person-merge.ts. */

export interface Person {
  id: number;
  name: string | null;
  hidden: boolean;
  favourite: boolean;
  /** YYYY-MM-DD. */
  birthDate: string | null;
  coverFaceId: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A persons row as selected by `personColumns`: booleans are still 0/1. */
export interface PersonRow extends Omit<Person, 'hidden' | 'favourite'> {
  hidden: number;
  favourite: number;
}

export const personColumns = `id, name, hidden, favourite, birth_date AS birthDate, cover_face_id AS coverFaceId,
  created_at AS createdAt, updated_at AS updatedAt`;

export function toPerson(row: PersonRow): Person {
  return {
    id: row.id,
    name: row.name,
    hidden: row.hidden === 1,
    favourite: row.favourite === 1,
    birthDate: row.birthDate,
    coverFaceId: row.coverFaceId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
