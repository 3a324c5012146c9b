/** Forge resource: the impact field's editor (UI Kit). */
import { renderEdit } from './_field';

renderEdit('impact');
