import { customType, pgEnum } from 'drizzle-orm/pg-core';

export const visibilityEnum = pgEnum('visibility', ['public', 'private']);

/**
 * Where gaze data came from. `simulated` is never mixed with human data without
 * its label; every density map states its modality.
 */
export const modalityEnum = pgEnum('modality', ['webcam', 'mouse', 'lab', 'simulated']);
export const MODALITIES = modalityEnum.enumValues;
export type Modality = (typeof MODALITIES)[number];

/**
 * bytea as Uint8Array (postgres.js gives a Buffer, a Uint8Array subclass with Node's own
 * methods and pooled memory): callers always get a plain view.
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => value,
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});
