/**
 * An object that forwards every property read to whatever `current()` returns at that moment.
 *
 * Why: routes are registered (and capture their services) when the HTTP app is built, before
 * an HSM in activation mode has a domain key, while the keys services and the backup keyring
 * can only be built from that key. The activation gate keeps every request away from them until
 * they exist; until then `current()` throws the "HSM not activated" error, so a path the gate
 * missed fails clearly instead of with a null dereference.
 */
export function lateBound<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const target = current();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    has: (_target, property) => Reflect.has(current(), property),
  });
}
