/**
 * Insertion and deletion curves that a browser computed beside its map (issue 18), as uploaded in
 * a JSON map's `curves` field: `{classIndex, step, insertion, deletion}`, each curve the n + 1
 * class probabilities of lib/metrics/insertion-deletion.ts (n = ceil(H·W / step) at the model's
 * input size H×W). They are stored as sent and trusted only after the evaluation job's spot check
 * (lib/scoring/curve-check.ts); the AUC is always the server's, from the accepted curve.
 *
 * Rules, each refused with 400 naming the field: every score a finite number in [0, 1] (JSON has
 * no NaN: it arrives as null and is refused); exactly n + 1 scores; `step` equal to the run's
 * evaluation step; `classIndex` one of the model's classes; only for runs that evaluate insertion
 * and deletion.
 */
import { z } from 'zod';

export interface ClientCurves {
  readonly classIndex: number;
  readonly step: number;
  readonly insertion: readonly number[];
  readonly deletion: readonly number[];
}

const score = z.number().min(0, 'scores are probabilities in [0, 1]').max(1, 'scores are probabilities in [0, 1]');

export const ClientCurvesSchema = z.object({
  classIndex: z.number().int().nonnegative(),
  step: z.number().int().positive(),
  insertion: z.array(score).min(2),
  deletion: z.array(score).min(2),
});

/** What the run expects of uploaded curves; null when the run does not evaluate both curves. */
export interface CurveExpectation {
  readonly step: number;
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly numClasses: number;
}

export class ClientCurvesError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ClientCurvesError';
  }
}

/** Scores per curve at this input size and step: ceil(H·W / step) + 1. */
export function expectedCurveLength(inputWidth: number, inputHeight: number, step: number): number {
  return Math.ceil((inputWidth * inputHeight) / step) + 1;
}

/** The run's rule for curves: both insertion and deletion evaluated, else none accepted. */
export function curveExpectation(
  run: { readonly evaluateWithoutGroundTruth: readonly string[]; readonly evaluationStep: number | null },
  model: { readonly inputWidth: number; readonly inputHeight: number; readonly labels: readonly string[] },
): CurveExpectation | null {
  const wanted = run.evaluateWithoutGroundTruth;
  if (!wanted.includes('insertion') || !wanted.includes('deletion')) return null;
  return { step: run.evaluationStep ?? model.inputWidth, inputWidth: model.inputWidth, inputHeight: model.inputHeight, numClasses: model.labels.length };
}

/** Checks parsed curves against the run; throws ClientCurvesError naming the field. */
export function checkClientCurves(curves: z.infer<typeof ClientCurvesSchema>, expected: CurveExpectation | null): ClientCurves {
  if (expected === null) throw new ClientCurvesError('curves', 'this run does not evaluate insertion and deletion; send the map without curves');
  if (curves.step !== expected.step) throw new ClientCurvesError('curves.step', `step is ${curves.step}; this run evaluates with step ${expected.step}`);
  if (curves.classIndex >= expected.numClasses) {
    throw new ClientCurvesError('curves.classIndex', `${curves.classIndex} is out of range for a model with ${expected.numClasses} classes`);
  }
  const length = expectedCurveLength(expected.inputWidth, expected.inputHeight, expected.step);
  for (const name of ['insertion', 'deletion'] as const) {
    if (curves[name].length !== length) {
      throw new ClientCurvesError(`curves.${name}`, `has ${curves[name].length} scores; expected ${length} (ceil(${expected.inputWidth}×${expected.inputHeight} / ${expected.step}) + 1)`);
    }
  }
  return { classIndex: curves.classIndex, step: curves.step, insertion: curves.insertion, deletion: curves.deletion };
}
