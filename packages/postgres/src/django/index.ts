export type { DjangoColumnMap, DjangoColumnTarget } from './column-map.js';
export { DJANGO_DEFAULT_COLUMN_MAP } from './column-map.js';
export type {
  DjangoImportConflict,
  DjangoImportProgress,
  DjangoImportReport,
  DjangoSkippedUser,
  ImportDjangoOptions,
} from './import.js';
export { importDjango } from './import.js';
