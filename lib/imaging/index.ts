/**
 * Pure image operations on `Grid` maps (no TF.js, no I/O): filtering, density maps, resizing,
 * normalisation, colour maps and isolines.
 */
export * from './box-filter';
export * from './colormap';
export * from './density-map';
export * from './gaussian';
export * from './isolines';
export * from './normalize';
export * from './resize';
