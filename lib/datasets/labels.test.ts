import { describe, expect, it } from 'vitest';
import { labelFor, labelFromFolder, labelFromPrefix } from './labels';

describe('labelFromPrefix', () => {
  it.each([
    ['cat_1.jpg', 'cat'],
    ['Palacio_de_Bellas_Artes_0012.jpg', 'Palacio_de_Bellas_Artes'],
    ['circle-007.png', 'circle'],
    ['t-shirt-12.webp', 't-shirt'],
    ['sub/dir/dog_42.PNG', 'dog'],
    ['photo.jpg', null],
    ['_12.jpg', null],
    ['cat_1a.jpg', null],
  ])('%s → %s', (name, label) => {
    expect(labelFromPrefix(name)).toBe(label);
  });
});

describe('labelFromFolder and explicit labels', () => {
  it('takes the first folder, and explicit labels win over every mode', () => {
    expect(labelFromFolder('cats/x/001.jpg')).toBe('cats');
    expect(labelFromFolder('001.jpg')).toBeNull();
    expect(labelFor('cats/001.jpg', 'folder')).toBe('cats');
    expect(labelFor('dog_1.jpg', 'none')).toBeNull();
    expect(labelFor('dog_1.jpg', 'prefix', { 'dog_1.jpg': 'wolf' })).toBe('wolf');
    expect(labelFor('dog_1.jpg', 'prefix', { 'dog_1.jpg': null })).toBeNull();
  });
});
