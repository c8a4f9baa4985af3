/**
 * The curve painter's worker: the paint API (curve-paint-api.ts) exposed with comlink. One for the
 * page, started by src/bridge/curve-painter.ts with the first plot that paints its curves.
 *
 * May import: curve-paint-api.ts and comlink. Never: React, zustand, plotly, or the DOM.
 */
import * as Comlink from 'comlink';
import { createCurvePaintApi } from './curve-paint-api';

export type { CurvePaintApi, CurvePaintRequest } from './curve-paint-api';

Comlink.expose(createCurvePaintApi());
