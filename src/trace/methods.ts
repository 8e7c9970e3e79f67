/** Internal: how the user-facing operation modules attach their functions to Tensor. */
import { Tensor } from './tensor.js';

/** Installs free functions `fn(x, …rest)` as Tensor methods `x.name(…rest)`. */
export function installMethods(methods: Record<string, (x: Tensor, ...rest: never[]) => unknown>): void {
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(Tensor.prototype, name, {
      value: function (this: Tensor, ...rest: never[]) {
        return fn(this, ...rest);
      },
      writable: true,
      configurable: true,
    });
  }
}

