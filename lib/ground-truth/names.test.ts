import { describe, expect, it } from 'vitest';
import { imageForFile, imageMatcher } from './names';

const images = [
  { id: '1', name: 'circle-000.png' },
  { id: '2', name: 'star-001.jpg' },
  { id: '3', name: 'dup.png' },
  { id: '4', name: 'dup.jpg' },
];

describe('image name matching', () => {
  const match = imageMatcher(images);
  it('by name or by name without extension', () => {
    expect(match('circle-000.png')?.id).toBe('1');
    expect(match('circle-000')?.id).toBe('1');
    expect(match('star-001')?.id).toBe('2');
    expect(match('nope')).toBeUndefined();
  });
  it('map files: folder and map extension dropped; ambiguous stems match nothing', () => {
    expect(imageForFile(match, 'maps/circle-000.npy')?.id).toBe('1');
    expect(imageForFile(match, 'circle-000.png.npy')?.id).toBe('1');
    expect(imageForFile(match, 'a\\b\\star-001.png')?.id).toBe('2');
    expect(imageForFile(match, 'dup.npy')).toBeUndefined();
    expect(imageForFile(match, 'dup.png.npy')?.id).toBe('3');
  });
});
