/** An item of an {@link IndexedHeap}: the heap keeps its position in it (-1 when out of the heap). */
export interface HeapItem {
  heapIndex: number;
}

/**
 * A binary min-heap whose items know where they sit, so an item whose key changed is moved in
 * O(log n) (`update`) without a search. An item belongs to one heap at a time.
 */
export class IndexedHeap<T extends HeapItem> {
  readonly #items: T[] = [];
  readonly #less: (a: T, b: T) => boolean;

  constructor(less: (a: T, b: T) => boolean, items: Iterable<T> = []) {
    this.#less = less;
    for (const item of items) {
      item.heapIndex = this.#items.length;
      this.#items.push(item);
    }
    for (let index = (this.#items.length >> 1) - 1; index >= 0; index--) this.#down(index);
  }

  get size(): number {
    return this.#items.length;
  }

  /** The least item, or undefined when empty. */
  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  /** Removes and returns the least item. */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `item`; false when it is not in this heap. */
  remove(item: T): boolean {
    const index = item.heapIndex;
    if (this.#items[index] !== item) return false;
    item.heapIndex = -1;
    const last = this.#items.pop()!;
    if (index < this.#items.length) {
      this.#place(last, index);
      this.#down(index);
      this.#up(last.heapIndex);
    }
    return true;
  }

  /** Moves `item` to its place after its key changed. */
  update(item: T): void {
    if (this.#items[item.heapIndex] !== item) return;
    this.#down(item.heapIndex);
    this.#up(item.heapIndex);
  }

  #up(index: number): void {
    const items = this.#items;
    const item = items[index]!;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.#less(item, items[parent]!)) break;
      this.#place(items[parent]!, index);
      index = parent;
    }
    this.#place(item, index);
  }

  #down(index: number): void {
    const items = this.#items;
    const item = items[index]!;
    const half = items.length >> 1;
    while (index < half) {
      let child = 2 * index + 1;
      const right = child + 1;
      if (right < items.length && this.#less(items[right]!, items[child]!)) child = right;
      if (!this.#less(items[child]!, item)) break;
      this.#place(items[child]!, index);
      index = child;
    }
    this.#place(item, index);
  }

  #place(item: T, index: number): void {
    this.#items[index] = item;
    item.heapIndex = index;
  }
}
