// metadata.generateName: the prefix plus five random characters from the same
// alphabet Kubernetes uses (no vowels, no look-alikes), so names read the same.
import { randomInt } from 'node:crypto';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const RANDOM_LENGTH = 5;
/** Names stay valid DNS labels (63 chars) after the suffix. */
const MAX_PREFIX = 63 - RANDOM_LENGTH;

export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return prefix.slice(0, MAX_PREFIX) + suffix;
}
