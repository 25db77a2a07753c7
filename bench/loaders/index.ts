export * from './types';
export { discoverHouses, findHouseSources } from './discover';
export type { DiscoverResult, DiscoverOptions, HouseSource, Duplicate } from './discover';
export { loadKasterenTl } from './kasterenTl';
export { loadKasterenOrig } from './kasterenOrig';
export { loadOrdonez } from './ordonez';
export { loadEshl } from './eshl';
