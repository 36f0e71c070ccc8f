// Results that finish in any order handed on in input order: a streamed audit writes the
// same lines in the same order whatever the concurrency and however many workers ran it.

/**
 * Wraps `emit` so that it is called for index 0, 1, 2, … in turn, whatever order `add`
 * receives them in. Only results that finished ahead of an unfinished one wait here: at
 * most those completed while the slowest domain in flight was still being audited.
 */
export function inInputOrder<T>(emit: (value: T, index: number) => void): { add: (value: T, index: number) => void; waiting: () => number } {
  const early = new Map<number, T>();
  let next = 0;
  return {
    add(value, index) {
      if (index !== next) {
        early.set(index, value);
        return;
      }
      emit(value, index);
      next++;
      for (let v = early.get(next); v !== undefined || early.has(next); v = early.get(next)) {
        early.delete(next);
        emit(v as T, next);
        next++;
      }
    },
    waiting: () => early.size,
  };
}
