export * from './common';
export * from './accounts';
export * from './studies';
export * from './datasets';
export * from './models';
export * from './gaze';
export * from './meta';
export * from './runs';
