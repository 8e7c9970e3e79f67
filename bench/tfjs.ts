/**
 * TensorFlow.js, the reference column of `npm run bench` (`tf.grad`, CPU backend, float32),
 * loaded only when it is installed: it is not a devDependency, because it would be 273 MB of
 * the repository's `npm ci` for one column. Install it on demand, without touching
 * package.json or the lock file:
 *
 *   npm install --no-save @tensorflow/tfjs && npm run bench
 *
 * (the next `npm ci` or `npm install` removes it again).
 */

/** The few parts of the tfjs API the benchmark uses, so it type-checks without tfjs. */
interface TfTensor {
  dispose(): void;
  dataSync(): Float32Array;
  slice(begin: number[], size: number[]): TfTensor;
  reshape(shape: number[]): TfTensor;
}

interface Tfjs {
  setBackend(name: string): Promise<boolean>;
  enableProdMode(): void;
  tensor1d(values: Float32Array): TfTensor;
  tensor2d(values: Float32Array, shape: [number, number]): TfTensor;
  grad(f: (x: TfTensor) => TfTensor): (x: TfTensor) => TfTensor;
  tidy<T>(f: () => T): T;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  add(a: TfTensor, b: TfTensor): TfTensor;
  sub(a: TfTensor, b: TfTensor): TfTensor;
  exp(a: TfTensor): TfTensor;
  tanh(a: TfTensor): TfTensor;
  square(a: TfTensor): TfTensor;
  sum(a: TfTensor): TfTensor;
  mean(a: TfTensor): TfTensor;
}

export const TFJS_INSTALL_HINT = 'npm install --no-save @tensorflow/tfjs';

/** One timed `tf.grad` call (its result, for the benchmark's sink) and the constants to free. */
export interface TfGradient {
  run(): Float32Array;
  dispose(): void;
}

export interface TfjsComparison {
  /** ∇ of Σ exp(X·W) at W (s×s, row-major), as in bench/problems/engine.ts's seedProblem. */
  seedGradient(X: Float64Array, s: number, W: Float64Array): TfGradient;
  /** ∇ of the tanh network's MSE at p (bench/problems/engine.ts's tanhNetwork layout). */
  networkGradient(X: Float64Array, y: Float64Array, p: Float64Array): TfGradient;
}

/** tfjs on its CPU backend, or null (after printing how to install it) when it is absent. */
export async function loadTfjs(): Promise<TfjsComparison | null> {
  const name = '@tensorflow/tfjs'; // a variable, so that tsc does not look for the package
  let tf: Tfjs;
  try {
    tf = (await import(name)) as Tfjs;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    console.log(`(TensorFlow.js is not installed, so the tf.grad columns show —; to compare: ${TFJS_INSTALL_HINT})\n`);
    return null;
  }
  await tf.setBackend('cpu');
  tf.enableProdMode();
  return {
    seedGradient(X, s, W) {
      const Xtf = tf.tensor2d(Float32Array.from(X), [s, s]);
      const g = tf.grad((w) => tf.sum(tf.exp(tf.matMul(Xtf, w))));
      return { run: () => tf.tidy(() => g(tf.tensor2d(Float32Array.from(W), [s, s])).dataSync()), dispose: () => Xtf.dispose() };
    },
    networkGradient(X, y, p) {
      const Xtf = tf.tensor2d(Float32Array.from(X), [50, 10]);
      const ytf = tf.tensor1d(Float32Array.from(y));
      const g = tf.grad((q) => {
        const W1 = q.slice([0], [150]).reshape([10, 15]);
        const b1 = q.slice([150], [15]);
        const w2 = q.slice([165], [15]).reshape([15, 1]);
        const b2 = q.slice([180], [1]);
        const hid = tf.tanh(tf.add(tf.matMul(Xtf, W1), b1));
        const out = tf.add(tf.matMul(hid, w2).reshape([50]), b2);
        return tf.mean(tf.square(tf.sub(out, ytf)));
      });
      return {
        run: () => tf.tidy(() => g(tf.tensor1d(Float32Array.from(p))).dataSync()),
        dispose: () => {
          Xtf.dispose();
          ytf.dispose();
        },
      };
    },
  };
}
