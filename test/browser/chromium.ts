import { existsSync } from 'node:fs';

/** Debian's Chromium (apt-get install chromium); CI installs it. */
export const CHROMIUM_PATH = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? '/usr/bin/chromium';
