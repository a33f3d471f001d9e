/**
 * The credential generation of a user who has had no credential change: what
 * `UserRecord.credentialGeneration` holds for a new account. Core writes it on register; an
 * importer that writes users into storage itself (the Django import) writes it too.
 */
export const FIRST_GENERATION = 0;
