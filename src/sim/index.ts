export * from './random';
export * from './time';
export * from './outdoor';
export * from './thermal';
export * from './household';
export * from './home';
