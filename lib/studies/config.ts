/**
 * A study's configuration (issue 5): validated by this zod schema, stored whole in studies.config
 * and copied into gaze_sessions.config when a session starts, so a session always runs with the
 * config it began with. Every field has a default; `StudyConfig.parse({})` is a usable study.
 *
 * Pure zod, no server imports: the participant pages import it too (through ./contract).
 *
 * Webcam defaults and where they come from:
 * - viewingMs 3000: MexCulture142 (3 s free viewing per image).
 * - validationThresholdDeg 4: WebGazer's published error is about 4° (Papoutsaki et al. 2016,
 *   IJCAI; 170–210 px at typical distances); a session worse than that is recalibrated.
 * - validation 1 s to move the eyes, then 1.5 s of samples per point (jsPsych webgazer-validate).
 * - fixation detection I-DT with dispersion 2° and minimum duration 100 ms (Salvucci & Goldberg
 *   2000 use ~1° for lab trackers; webcam samples jitter more, so the window is wider), gaps over
 *   150 ms (face lost, dropped frames; WebGazer delivers ~15–30 Hz) split fixations; I-VT at
 *   50 °/s (the lab default is 30 °/s, Olsen 2012; webcam sample-to-sample jitter at 30 Hz alone
 *   reaches ~20 °/s); consecutive fixations < 75 ms and < 1° apart are merged (Olsen 2012 uses
 *   75 ms and 0.5° for lab trackers; webcam jitter cuts fixations in two more often).
 * - auto-accept: validation accuracy ≤ 4°, sampling ≥ 10 Hz, face lost ≤ 20 % of trial time, all
 *   attention checks passed; anything else goes to a researcher (pending review).
 */
import { z } from 'zod';

export const FixationMethod = z.enum(['idt', 'ivt']);
export type FixationMethod = z.infer<typeof FixationMethod>;

export const FixationDetectionConfig = z.object({
  method: FixationMethod.default('idt'),
  /** I-DT: maximum (max x − min x) + (max y − min y) of a fixation window, degrees. */
  dispersionDeg: z.number().min(0.25).max(10).default(2),
  /** Shortest fixation kept, ms (both methods). */
  minDurationMs: z.number().int().min(20).max(2000).default(100),
  /** I-VT: samples slower than this are fixation samples, degrees per second. */
  velocityDegPerS: z.number().min(5).max(1000).default(50),
  /** A gap between usable samples longer than this (face lost, dropped frames) ends a fixation, ms. */
  maxGapMs: z.number().int().min(20).max(2000).default(150),
  /** Consecutive fixations closer than this in time (ms) and mergeDistanceDeg in space are joined; 0 = never. */
  mergeGapMs: z.number().int().min(0).max(1000).default(75),
  mergeDistanceDeg: z.number().min(0).max(10).default(1),
});
export type FixationDetectionConfig = z.infer<typeof FixationDetectionConfig>;

export const AutoAcceptConfig = z.object({
  /** false: every completed session waits for a researcher. */
  enabled: z.boolean().default(true),
  /** Best passing validation's accuracy must be at most this, degrees. */
  maxAccuracyDeg: z.number().positive().max(20).default(4),
  /** Mean sampling rate over the trials must be at least this, Hz. */
  minSamplingHz: z.number().min(0).max(1000).default(10),
  /** Share of trial time with the face lost must be at most this, percent. */
  maxFaceLostPct: z.number().min(0).max(100).default(20),
  /** Share of attention checks passed must be at least this (0–1). */
  minAttentionPassRate: z.number().min(0).max(1).default(1),
});
export type AutoAcceptConfig = z.infer<typeof AutoAcceptConfig>;

export const AttentionCheckConfig = z.object({
  /** One sentinel trial after every `every` image trials; 0 = none. */
  every: z.number().int().min(0).max(100).default(0),
  /** The gaze must come within this distance of the sentinel's target, degrees. */
  targetRadiusDeg: z.number().positive().max(20).default(4),
});
export type AttentionCheckConfig = z.infer<typeof AttentionCheckConfig>;

export const StudyConfig = z.object({
  imagesPerParticipant: z.number().int().min(1).max(500).default(20),
  /** Target number of accepted observers per image (balanced assignment aims at it). */
  observersPerImage: z.number().int().min(1).max(1000).default(15),
  viewingMs: z.number().int().min(500).max(30_000).default(3000),
  blankMs: z.number().int().min(0).max(10_000).default(500),
  fixationCross: z.enum(['centre', 'random']).default('centre'),
  fixationCrossMs: z.number().int().min(200).max(5000).default(1000),
  calibrationPoints: z.union([z.literal(9), z.literal(13)]).default(9),
  calibrationMode: z.enum(['click', 'fixate']).default('click'),
  validationPoints: z.number().int().min(5).max(9).default(5),
  /** Validation passes when the accuracy is at most this, degrees. */
  validationThresholdDeg: z.number().positive().max(20).default(4),
  /** Radius for "% of samples within", degrees. */
  validationRadiusDeg: z.number().positive().max(20).default(4),
  validationMoveMs: z.number().int().min(0).max(5000).default(1000),
  validationSampleMs: z.number().int().min(500).max(5000).default(1500),
  maxCalibrationAttempts: z.number().int().min(1).max(10).default(3),
  /** One drift check (a single validation point) after every `driftEvery` image trials; 0 = none. */
  driftEvery: z.number().int().min(0).max(100).default(5),
  /** Recalibrate when a drift check's offset exceeds this, degrees. */
  driftThresholdDeg: z.number().positive().max(20).default(4),
  attentionChecks: AttentionCheckConfig.default(AttentionCheckConfig.parse({})),
  /** Smallest browser window (CSS px) the study accepts. */
  minWindow: z
    .object({ width: z.number().int().min(320).max(10_000), height: z.number().int().min(240).max(10_000) })
    .default({ width: 1024, height: 700 }),
  /** Which capture the study offers; 'both' = webcam, with the mouse alternative when it fails. */
  modality: z.enum(['webcam', 'mouse', 'both']).default('webcam'),
  /** Mouse alternative: radius of the sharp window around the cursor, degrees (SALICON-style). */
  mouseWindowDeg: z.number().positive().max(20).default(2),
  fixationDetection: FixationDetectionConfig.default(FixationDetectionConfig.parse({})),
  autoAccept: AutoAcceptConfig.default(AutoAcceptConfig.parse({})),
  /**
   * A participant who ends early (validation never passes, or stops): 'discard' rejects the
   * session (its data never feeds ground truth); 'keep' keeps the completed trials and applies
   * the auto-accept rules to them.
   */
  partialCompletion: z.enum(['discard', 'keep']).default('discard'),
});
export type StudyConfig = z.infer<typeof StudyConfig>;
export type StudyConfigInput = z.input<typeof StudyConfig>;

/** What the participant pages see (no review rules, no detector parameters). */
export const PublicStudyConfig = StudyConfig.pick({
  imagesPerParticipant: true,
  viewingMs: true,
  blankMs: true,
  fixationCross: true,
  fixationCrossMs: true,
  calibrationPoints: true,
  calibrationMode: true,
  validationPoints: true,
  validationThresholdDeg: true,
  validationRadiusDeg: true,
  validationMoveMs: true,
  validationSampleMs: true,
  maxCalibrationAttempts: true,
  driftEvery: true,
  driftThresholdDeg: true,
  attentionChecks: true,
  minWindow: true,
  modality: true,
  mouseWindowDeg: true,
  partialCompletion: true,
});
export type PublicStudyConfig = z.infer<typeof PublicStudyConfig>;

export function publicConfig(config: StudyConfig): PublicStudyConfig {
  return PublicStudyConfig.parse(config);
}
