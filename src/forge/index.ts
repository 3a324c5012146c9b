/** Forge entry points (manifest.yml handlers `forge/index.<name>`), all thin. */
export { onEvent } from './events';
export { consume } from './consumer';
export { sweep } from './scheduled';
export { webhook } from './webtrigger';
export { handler as resolver } from './resolvers';
