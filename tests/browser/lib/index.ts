// The browser suite's helpers, for every test file under tests/browser (see README.md there).
export { ensureBuild, buildIsFresh, BUILD_DIR, REPO } from './build';
export { startServers, MIME, type Servers, type ServeOptions, type Side } from './server';
export { launchBrowser, withPage, tap, CHROMIUM, CHROMIUM_ARGS, type LaunchedBrowser, type PageLog } from './browser';
export { FIXTURE_PHOTOS, FIXTURES_DIR, fixtureUrl, expectedScores, type ExpectedScore } from './fixtures';
