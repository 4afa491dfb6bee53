/** Container names: docker's rule for given names, and a random `adjective_scientist` otherwise. */

const NAME_RULE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Whether `name` is a valid container name (docker's `[a-zA-Z0-9][a-zA-Z0-9_.-]+`). */
export function isValidContainerName(name: string): boolean {
  return NAME_RULE.test(name);
}

const ADJECTIVES = [
  "admiring", "brave", "busy", "clever", "dazzling", "eager", "elegant", "focused", "gallant", "happy", "hopeful",
  "jolly", "keen", "kind", "loving", "modest", "nifty", "peaceful", "quirky", "relaxed", "serene", "sharp", "stoic",
  "sweet", "tender", "upbeat", "vibrant", "wizardly", "youthful", "zealous",
];
const SCIENTISTS = [
  "agnesi", "bohr", "curie", "darwin", "euler", "fermi", "gauss", "hopper", "hypatia", "jemison", "kepler", "lovelace",
  "meitner", "newton", "noether", "pasteur", "ritchie", "shannon", "tesla", "thompson", "torvalds", "turing", "wing", "yalow",
];

/** A random docker-style name; `taken` says whether a candidate is in use. */
export function randomContainerName(taken: (name: string) => boolean, random: () => number = Math.random): string {
  const pick = (list: string[]) => list[Math.floor(random() * list.length)]!;
  for (let attempt = 0; ; attempt++) {
    const name = `${pick(ADJECTIVES)}_${pick(SCIENTISTS)}${attempt >= 3 ? Math.floor(random() * 10) : ""}`;
    if (!taken(name)) return name;
  }
}
