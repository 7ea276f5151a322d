import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from './project-root.js';

const packageJson = JSON.parse(readFileSync(new URL('package.json', PROJECT_ROOT), 'utf8')) as { version: string };

/** The service version sent as X-Service-Version. */
export const SERVICE_VERSION: string = packageJson.version;
export const API_VERSION = 'v1';
