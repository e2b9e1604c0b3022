// The formats this build serves, by name. Adding a format is one line here.
import type { Format } from '../repository/format.js';
import { docker } from './docker/index.js';
import { raw } from './raw/index.js';

export const formats: Record<string, Format> = {
  docker,
  raw,
};
