export * from './common';
export * from './datasets';
export * from './models';
export * from './gaze';
export * from './meta';
