import { describe, expect, it } from 'vitest';
import { groundTruthStateId, SNAPSHOT_ID, snapshotId, type SnapshotInput } from './snapshot';

const input: SnapshotInput = {
  datasetId: 'd1',
  modality: 'simulated',
  groundTruthState: 'gt_abc',
  filters: { classLabel: null, version: null },
  rows: [
    { id: 'run-b', scores: [['7', 0.25], ['3', 0.5]] },
    { id: 'run-a', scores: [['1', 0.125]] },
  ],
};

describe('snapshot ids', () => {
  it('are stable: same state in any order gives the same id', () => {
    const id = snapshotId(input);
    expect(id).toMatch(SNAPSHOT_ID);
    const shuffled: SnapshotInput = {
      ...input,
      filters: { version: null, classLabel: null },
      rows: [{ id: 'run-a', scores: [['1', 0.125]] }, { id: 'run-b', scores: [['3', 0.5], ['7', 0.25]] }],
    };
    expect(snapshotId(shuffled)).toBe(id);
    expect(snapshotId(structuredClone(input))).toBe(id);
  });

  it('change with any value, score, row, filter or ground-truth state', () => {
    const id = snapshotId(input);
    const variants: SnapshotInput[] = [
      { ...input, rows: [{ id: 'run-b', scores: [['7', 0.25], ['3', 0.5000000000000001]] }, input.rows[1]!] },
      { ...input, rows: [{ id: 'run-b', scores: [['7', 0.25], ['3', 0.5], ['9', 0]] }, input.rows[1]!] },
      { ...input, rows: [input.rows[0]!] },
      { ...input, filters: { classLabel: 'star', version: null } },
      { ...input, groundTruthState: 'gt_abd' },
      { ...input, modality: 'webcam' },
    ];
    const ids = variants.map(snapshotId);
    expect(new Set([id, ...ids]).size).toBe(variants.length + 1);
  });

  it('ground-truth state: order-free, changes with any version', () => {
    const v = [{ imageId: 'a', version: 1, densityMapId: 'x' }, { imageId: 'b', version: 2, densityMapId: 'y' }];
    expect(groundTruthStateId(v)).toBe(groundTruthStateId([...v].reverse()));
    expect(groundTruthStateId(v)).toMatch(/^gt_[0-9a-f]{24}$/);
    expect(groundTruthStateId([v[0]!, { imageId: 'b', version: 3, densityMapId: 'z' }])).not.toBe(groundTruthStateId(v));
  });
});
