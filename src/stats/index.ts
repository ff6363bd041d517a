export type { BootstrapMeanResult, BootstrapOptions, PairedBootstrapResult } from './bootstrap.js';
export { bootstrapMeanInterval, pairedBootstrap } from './bootstrap.js';
export type { MeanInterval } from './describe.js';
export {
  mean,
  meanInterval,
  normalQuantile,
  sampleVariance,
  standardError,
  tQuantile,
} from './describe.js';
export type { McNemarResult } from './mcnemar.js';
export { mcnemarExact } from './mcnemar.js';
export type { Rng } from './random.js';
export { createRng, sampleIndices } from './random.js';
export type { RepeatStats } from './repeats.js';
export { repeatStats } from './repeats.js';
export type { ProportionInterval } from './wilson.js';
export { wilsonInterval } from './wilson.js';
