// Reading rows in tests under noUncheckedIndexedAccess (issue 10): a read that misses fails the
// test with a message that says what was expected, instead of a TypeError two lines later.

/** The element at `index`; fails the test when there is none. */
export function at<T>(items: readonly T[], index: number, what = "row"): T {
  const item = items[index < 0 ? items.length + index : index];
  if (item === undefined) {
    throw new Error(`expected a ${what} at index ${index}, but there are ${items.length}`);
  }
  return item;
}

/** The first element; fails the test when the list is empty. */
export function first<T>(items: readonly T[], what = "row"): T {
  return at(items, 0, what);
}

/** The one element of a list that must hold exactly one. */
export function only<T>(items: readonly T[], what = "row"): T {
  const item = items[0];
  if (items.length !== 1 || item === undefined) {
    throw new Error(`expected exactly one ${what}, got ${items.length}`);
  }
  return item;
}

/** The value under `key`; fails the test when it is missing. */
export function get<V>(record: Readonly<Record<string, V>>, key: string, what = "value"): V {
  const value = record[key];
  if (value === undefined) throw new Error(`expected a ${what} for ${JSON.stringify(key)}`);
  return value;
}
