#!/usr/bin/env node
// The `kubesim` bin. It is committed (dist/ is not) so that `npm ci` on a fresh clone,
// which runs before the build, can link node_modules/.bin/kubesim; npm skips a bin whose
// file does not exist yet, and `npx kubesim` then fails with "could not determine
// executable to run".
import '../dist/main.js';
