/** Forge resource: the mode field's editor (UI Kit). */
import { renderEdit } from './_field';

renderEdit('mode');
