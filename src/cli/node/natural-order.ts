const isDigit = (code: number) => code >= 48 && code <= 57;

/**
 * Whether `a` sorts before `b` in natural order (`node2` < `node10`), as docker's sortorder.NaturalLess
 * orders hostnames and task names: digits before other characters, numbers by value, then by fewer leading zeros.
 */
export function naturalLess(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const digitA = isDigit(a.charCodeAt(i));
    const digitB = isDigit(b.charCodeAt(j));
    if (digitA !== digitB) return digitA;
    if (!digitA) {
      if (a[i] !== b[j]) return a.charCodeAt(i) < b.charCodeAt(j);
      i++;
      j++;
      continue;
    }
    while (i < a.length && a[i] === "0") i++;
    while (j < b.length && b[j] === "0") j++;
    const startA = i;
    const startB = j;
    while (i < a.length && isDigit(a.charCodeAt(i))) i++;
    while (j < b.length && isDigit(b.charCodeAt(j))) j++;
    if (i - startA !== j - startB) return i - startA < j - startB;
    const numberA = a.slice(startA, i);
    const numberB = b.slice(startB, j);
    if (numberA !== numberB) return numberA < numberB;
    if (startA !== startB) return startA < startB;
  }
  return a.length < b.length;
}

/** A comparator for Array.prototype.sort from {@link naturalLess}. */
export function naturalCompare(a: string, b: string): number {
  return naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0;
}
